package main

import (
	"strings"
	"testing"
)

// TestServeBlockSSECFlag checks that --block-sse-c-by-default is parsed
// (off unless given) and reaches the Service's options.
func TestServeBlockSSECFlag(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		block bool
		err   string // part of the error; "" when valid
	}{
		{name: "off by default", args: nil},
		{name: "on", args: []string{"--block-sse-c-by-default"}, block: true},
		{name: "on, said aloud", args: []string{"--block-sse-c-by-default=true"}, block: true},
		{name: "off, said aloud", args: []string{"--block-sse-c-by-default=false"}},
		{name: "beside other flags", args: []string{"--data-dir", "d", "--block-sse-c-by-default", "--listen-tls", "127.0.0.1:0"}, block: true},
		{name: "not a boolean", args: []string{"--block-sse-c-by-default=maybe"}, err: "invalid boolean value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseServeFlags(tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.blockSSEC != tc.block {
				t.Fatalf("blockSSEC = %v, want %v", cfg.blockSSEC, tc.block)
			}
			opts := serviceOptions(cfg, "123456789012", nil, nil)
			if opts.BlockSSECByDefault != tc.block || opts.Region != cfg.region || opts.AccountID != "123456789012" {
				t.Fatalf("sse.Options = %+v, want BlockSSECByDefault %v in region %s", opts, tc.block, cfg.region)
			}
		})
	}
}
