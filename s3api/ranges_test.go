package s3api

import (
	"testing"

	"github.com/cofferlabs/coffer"
)

var rangeCases = []struct {
	name string
	in   string
	want *coffer.Range
}{
	{name: "closed", in: "bytes=0-99", want: &coffer.Range{Start: 0, End: 99}},
	{name: "open", in: "bytes=100-", want: &coffer.Range{Start: 100, End: -1}},
	{name: "suffix", in: "bytes=-500", want: &coffer.Range{Suffix: 500, IsSuffix: true}},
	{name: "zero suffix is kept (unsatisfiable)", in: "bytes=-0", want: &coffer.Range{IsSuffix: true}},
	{name: "single byte", in: "bytes=5-5", want: &coffer.Range{Start: 5, End: 5}},
	{name: "blanks around", in: " bytes = 1 - 2 ", want: &coffer.Range{Start: 1, End: 2}},
	{name: "unit case-insensitive", in: "Bytes=1-2", want: &coffer.Range{Start: 1, End: 2}},
	{name: "absent", in: ""},
	{name: "multiple ranges ignored", in: "bytes=0-1,5-6"},
	{name: "other unit", in: "items=0-1"},
	{name: "no dash", in: "bytes=5"},
	{name: "reversed", in: "bytes=9-3"},
	{name: "negative start", in: "bytes=--3"},
	{name: "sign", in: "bytes=+1-2"},
	{name: "garbage", in: "bytes=a-b"},
	{name: "empty spec", in: "bytes=-"},
	{name: "overflow", in: "bytes=0-99999999999999999999"},
	{name: "no equals", in: "bytes 0-1"},
}

func TestParseRange(t *testing.T) {
	for _, tc := range rangeCases {
		t.Run(tc.name, func(t *testing.T) {
			got := parseRange(tc.in)
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("parseRange(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzParseRange(f *testing.F) {
	for _, tc := range rangeCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := parseRange(in)
		if r == nil {
			return
		}
		if r.IsSuffix {
			if r.Suffix < 0 || r.Start != 0 || r.End != 0 {
				t.Fatalf("bad suffix range %+v from %q", r, in)
			}
			return
		}
		if r.Start < 0 || (r.End != -1 && r.End < r.Start) {
			t.Fatalf("bad range %+v from %q", r, in)
		}
		// Whatever parses must resolve without panicking.
		_, _, _ = r.Resolve(1000)
	})
}

func TestParseCopySourceRange(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want *coffer.Range
		ok   bool
	}{
		{name: "absent", in: "", ok: true},
		{name: "closed", in: "bytes=0-5242879", want: &coffer.Range{Start: 0, End: 5242879}, ok: true},
		{name: "open not allowed", in: "bytes=5-"},
		{name: "suffix not allowed", in: "bytes=-5"},
		{name: "reversed", in: "bytes=5-1"},
		{name: "no unit", in: "0-1"},
		{name: "spaces not allowed", in: "bytes= 0-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCopySourceRange(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
