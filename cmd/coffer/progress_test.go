package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestCpProgressBar(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name     string
		unit     string
		total    int64
		terminal bool
		summary  bool
		steps    []int64 // bytes or things added, one second apart
		ok       bool
		want     []string // in the output, in order
		absent   []string
	}{
		{name: "bytes towards a total", total: 4 << 20, terminal: true, steps: []int64{1 << 20, 1 << 20}, ok: true,
			want: []string{"\r[#######                       ] 1.0 MiB/4.0 MiB uploaded, 1.0 MiB/s, 3s left ",
				"\r[###############               ] 2.0 MiB/4.0 MiB uploaded, 1.0 MiB/s, 2s left ",
				"\nuploaded 2.0 MiB in 2s (1.0 MiB/s)\n"}},
		{name: "bytes of unknown total", terminal: true, steps: []int64{512, 1536}, ok: true,
			want: []string{"\ruploaded 512 B, 512 B/s ", "\ruploaded 2.0 KiB, 1.0 KiB/s ", "uploaded 2.0 KiB in 2s"}},
		{name: "bytes, failed", total: 10, terminal: true, steps: []int64{5}, ok: false,
			want: []string{"5 B/10 B uploaded"}, absent: []string{" in "}},
		{name: "bytes off a terminal say nothing", total: 10, steps: []int64{5, 5}, ok: true, absent: []string{"uploaded"}},
		{name: "counts off a terminal still sum up", unit: "records", total: 3, summary: true, steps: []int64{1, 2}, ok: true,
			want: []string{"uploaded 3 records in 2s\n"}, absent: []string{"\r"}},
		{name: "counts on a terminal", unit: "records", total: 4, terminal: true, summary: true, steps: []int64{1}, ok: true,
			want: []string{"\r[#######                       ] 1/4 records uploaded, 1/s, 3s left ", "uploaded 1 records in 1s"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			clock := &fakeClock{start}
			bar := &progressBar{out: &out, verb: "uploaded", unit: tc.unit, total: tc.total, terminal: tc.terminal,
				summary: tc.summary, now: clock.now, started: start}
			for _, n := range tc.steps {
				clock.t = clock.t.Add(time.Second)
				bar.add(n)
			}
			bar.end(tc.ok)
			got := out.String()
			rest := got
			for _, want := range tc.want {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("output %q lacks %q (in order)", got, want)
				}
				rest = rest[i+len(want):]
			}
			for _, absent := range tc.absent {
				if strings.Contains(got, absent) {
					t.Fatalf("output %q has %q", got, absent)
				}
			}
		})
	}
}

// TestCpProgressBarThrottles: a terminal is redrawn at most every redrawEvery.
func TestCpProgressBarThrottles(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{time.Unix(0, 0)}
	bar := &progressBar{out: &out, verb: "downloaded", terminal: true, now: clock.now, started: clock.t}
	for range 1000 {
		clock.t = clock.t.Add(time.Millisecond)
		bar.add(1)
	}
	if draws := strings.Count(out.String(), "\r"); draws != 10 {
		t.Fatalf("%d draws in one second, want 10", draws)
	}
}

func TestCpProgressReaderCounts(t *testing.T) {
	bar := newByteProgressBar(io.Discard, "read", 0)
	n, err := io.Copy(io.Discard, progressReader{r: strings.NewReader(strings.Repeat("x", 100_000)), bar: bar})
	if err != nil || n != 100_000 || bar.done != 100_000 {
		t.Fatalf("copied %d (%v), counted %d", n, err, bar.done)
	}
}

func TestCpFormatBytes(t *testing.T) {
	cases := []struct {
		n    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {1 << 20, "1.0 MiB"}, {5 << 30, "5.0 GiB"}, {3 << 40, "3.0 TiB"}}
	for _, tc := range cases {
		if got := formatBytes(tc.n); got != tc.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
