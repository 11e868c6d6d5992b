package coffer

import (
	"errors"
	"testing"
	"time"
)

func TestRangeResolve(t *testing.T) {
	cases := []struct {
		name         string
		r            Range
		size         int64
		offset, leng int64
		err          error
	}{
		{name: "first byte", r: Range{Start: 0, End: 0}, size: 10, offset: 0, leng: 1},
		{name: "whole", r: Range{Start: 0, End: 9}, size: 10, offset: 0, leng: 10},
		{name: "open end", r: Range{Start: 4, End: -1}, size: 10, offset: 4, leng: 6},
		{name: "end past size is clamped", r: Range{Start: 8, End: 100}, size: 10, offset: 8, leng: 2},
		{name: "suffix", r: Range{Suffix: 3, IsSuffix: true}, size: 10, offset: 7, leng: 3},
		{name: "suffix longer than object", r: Range{Suffix: 30, IsSuffix: true}, size: 10, offset: 0, leng: 10},
		{name: "zero suffix", r: Range{Suffix: 0, IsSuffix: true}, size: 10, err: ErrInvalidRange},
		{name: "start at size", r: Range{Start: 10, End: -1}, size: 10, err: ErrInvalidRange},
		{name: "end before start", r: Range{Start: 5, End: 4}, size: 10, err: ErrInvalidRange},
		{name: "empty object", r: Range{Start: 0, End: 0}, size: 0, err: ErrInvalidRange},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			off, n, err := tc.r.Resolve(tc.size)
			if !errors.Is(err, tc.err) || (err == nil && (off != tc.offset || n != tc.leng)) {
				t.Fatalf("got (%d, %d, %v), want (%d, %d, %v)", off, n, err, tc.offset, tc.leng, tc.err)
			}
		})
	}
}

func TestConditionsCheck(t *testing.T) {
	modified := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	before, after := modified.Add(-time.Hour), modified.Add(time.Hour)
	at := modified.Truncate(time.Second)
	cases := []struct {
		name string
		c    Conditions
		want error
	}{
		{name: "none"},
		{name: "if-match hit", c: Conditions{IfMatch: `"abc"`}},
		{name: "if-match list hit", c: Conditions{IfMatch: `"x", "abc"`}},
		{name: "if-match star", c: Conditions{IfMatch: "*"}},
		{name: "if-match miss", c: Conditions{IfMatch: `"zzz"`}, want: ErrPreconditionFailed},
		{name: "if-none-match hit", c: Conditions{IfNoneMatch: `"abc"`}, want: ErrNotModified},
		{name: "if-none-match weak hit", c: Conditions{IfNoneMatch: `W/"abc"`}, want: ErrNotModified},
		{name: "if-none-match miss", c: Conditions{IfNoneMatch: `"zzz"`}},
		{name: "modified since before", c: Conditions{IfModifiedSince: &before}},
		{name: "modified since exactly", c: Conditions{IfModifiedSince: &at}, want: ErrNotModified},
		{name: "modified since after", c: Conditions{IfModifiedSince: &after}, want: ErrNotModified},
		{name: "unmodified since after", c: Conditions{IfUnmodifiedSince: &after}},
		{name: "unmodified since before", c: Conditions{IfUnmodifiedSince: &before}, want: ErrPreconditionFailed},
		{name: "if-match wins over unmodified-since", c: Conditions{IfMatch: `"abc"`, IfUnmodifiedSince: &before}},
		{name: "if-none-match wins over modified-since", c: Conditions{IfNoneMatch: `"zzz"`, IfModifiedSince: &after}},
		{name: "precondition checked before not-modified", c: Conditions{IfMatch: `"zzz"`, IfNoneMatch: `"abc"`}, want: ErrPreconditionFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.c.Check("abc", modified); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestTrimETag(t *testing.T) {
	for in, want := range map[string]string{`"abc"`: "abc", ` "abc" `: "abc", `W/"abc"`: "abc", "abc": "abc", `""`: "", `"`: `"`} {
		if got := TrimETag(in); got != want {
			t.Errorf("TrimETag(%q) = %q, want %q", in, got, want)
		}
	}
}
