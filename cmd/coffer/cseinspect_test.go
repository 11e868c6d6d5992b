package main

import (
	"encoding/json"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer/cse"
)

func TestCSECLIParseInspectArgs(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		object  s3URL
		jsonOut bool
		err     string
	}{
		{name: "text", args: []string{"inspect", "s3://b/dir/k"}, object: s3URL{"b", "dir/k"}},
		{name: "json after the object", args: []string{"inspect", "s3://b/k", "--json", "--endpoint-url", "https://127.0.0.1:9443"},
			object: s3URL{"b", "k"}, jsonOut: true},
		{name: "flags before", args: []string{"inspect", "--json", "--ca-bundle", "ca.pem", "s3://b/k"}, object: s3URL{"b", "k"}, jsonOut: true},
		{name: "no subcommand", args: nil, err: "needs a subcommand"},
		{name: "unknown subcommand", args: []string{"decrypt", "s3://b/k"}, err: `unknown cse subcommand "decrypt"`},
		{name: "no object", args: []string{"inspect"}, err: "takes one s3://BUCKET/KEY, got 0"},
		{name: "two objects", args: []string{"inspect", "s3://b/k", "s3://b/l"}, err: "got 2"},
		{name: "a local file", args: []string{"inspect", "k"}, err: "is not an object"},
		{name: "a prefix", args: []string{"inspect", "s3://b/dir/"}, err: "is not an object"},
		{name: "a bucket", args: []string{"inspect", "s3://b"}, err: "is not an object"},
		{name: "an empty endpoint", args: []string{"inspect", "s3://b/k", "--endpoint-url="}, err: "--endpoint-url is empty"},
		{name: "unknown flag", args: []string{"inspect", "--decrypt", "s3://b/k"}, err: "not defined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd, err := parseInspectArgs(tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cmd.object != tc.object || cmd.jsonOut != tc.jsonOut {
				t.Fatalf("object %v json %v", cmd.object, cmd.jsonOut)
			}
		})
	}
	for _, help := range [][]string{{"-h"}, {"--help"}, {"inspect", "-h"}} {
		if _, err := parseInspectArgs(help); !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%v = %v, want flag.ErrHelp", help, err)
		}
	}
}

func TestCSECLIInspectReport(t *testing.T) {
	object := s3URL{"b", "dir/k"}
	cases := []struct {
		name     string
		env      cse.Envelope
		text     []string // lines (trimmed) of the text form
		jsonWant string
	}{
		{name: "kms in metadata",
			env: cse.Envelope{Format: "V2", ContentAlg: "AES/GCM/NoPadding", WrapAlg: "kms+context", KMSKeyID: "arn:aws:kms:us-east-1:1:key/k",
				Context: map[string]string{"aws:x-amz-cek-alg": "AES/GCM/NoPadding", "project": "two words"}, Location: "metadata", PlaintextSize: 29},
			text: []string{"s3://b/dir/k", "format:                V2", "content algorithm:     AES/GCM/NoPadding", "wrapping algorithm:    kms+context",
				"KMS key:               arn:aws:kms:us-east-1:1:key/k", `encryption context:    aws:x-amz-cek-alg=AES/GCM/NoPadding project="two words"`,
				"envelope in:           object metadata", "plaintext size:        29 bytes"},
			jsonWant: `{"object":"s3://b/dir/k","format":"V2","contentAlgorithm":"AES/GCM/NoPadding","wrappingAlgorithm":"kms+context",` +
				`"kmsKeyId":"arn:aws:kms:us-east-1:1:key/k","context":{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","project":"two words"},` +
				`"contextKind":"encryption-context","metadataLocation":"metadata","plaintextSize":29}`},
		{name: "kms, key not recorded",
			env:  cse.Envelope{Format: "V3", ContentAlg: "115", WrapAlg: "kms+context", Context: map[string]string{"aws:x-amz-cek-alg": "115"}, Location: "metadata", PlaintextSize: 0},
			text: []string{"KMS key:               not recorded (the wrapped data key names it to the KMS)", "encryption context:    aws:x-amz-cek-alg=115", "plaintext size:        0 bytes"},
			jsonWant: `{"object":"s3://b/dir/k","format":"V3","contentAlgorithm":"115","wrappingAlgorithm":"kms+context","context":{"aws:x-amz-cek-alg":"115"},` +
				`"contextKind":"encryption-context","metadataLocation":"metadata","plaintextSize":0}`},
		{name: "aes in an instruction file, size unknown",
			env: cse.Envelope{Format: "V3", ContentAlg: "115", WrapAlg: "AES/GCM", Location: "instruction-file", PlaintextSize: -1},
			text: []string{"format:                V3", "content algorithm:     115", "wrapping algorithm:    AES/GCM", "material description:  (none)",
				"envelope in:           instruction file dir/k.instruction", "plaintext size:        not recorded"},
			jsonWant: `{"object":"s3://b/dir/k","format":"V3","contentAlgorithm":"115","wrappingAlgorithm":"AES/GCM","context":{},"contextKind":"material-description",` +
				`"metadataLocation":"instruction-file","instructionFile":"dir/k.instruction","plaintextSize":null}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newInspectReport(object, &tc.env)
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(r.text()), "\n") {
				lines = append(lines, strings.TrimSpace(l))
			}
			for _, want := range tc.text {
				found := false
				for _, l := range lines {
					found = found || l == want
				}
				if !found {
					t.Errorf("text lacks the line %q:\n%s", want, r.text())
				}
			}
			if strings.Contains(r.text(), "KMS key") != strings.HasPrefix(tc.env.WrapAlg, "kms") {
				t.Errorf("KMS key line shown wrongly:\n%s", r.text())
			}
			got, err := json.Marshal(r)
			if err != nil || string(got) != tc.jsonWant {
				t.Errorf("json %s (%v)\nwant %s", got, err, tc.jsonWant)
			}
		})
	}
}
