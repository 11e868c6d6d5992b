package s3api

import (
	"strconv"
	"strings"

	"github.com/cofferlabs/coffer"
)

// parseRange reads a Range header. Like S3 it honours a single byte range
// and ignores (returns nil for) anything else: no header, a syntax error,
// several ranges or another unit. Satisfiability is the Service's call.
func parseRange(v string) *coffer.Range {
	unit, spec, ok := strings.Cut(strings.TrimSpace(v), "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") || strings.Contains(spec, ",") {
		return nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		n, ok := parseDigits(last)
		if !ok {
			return nil
		}
		return &coffer.Range{Suffix: n, IsSuffix: true}
	}
	start, ok := parseDigits(first)
	if !ok {
		return nil
	}
	if last == "" {
		return &coffer.Range{Start: start, End: -1}
	}
	end, ok := parseDigits(last)
	if !ok || end < start {
		return nil
	}
	return &coffer.Range{Start: start, End: end}
}

// parseDigits accepts a non-negative decimal of digits only (no sign).
func parseDigits(s string) (int64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

const msgCopySourceRange = "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"

// parseCopySourceRange reads x-amz-copy-source-range, which unlike Range
// must be exactly bytes=first-last.
func parseCopySourceRange(v string) (*coffer.Range, error) {
	if v == "" {
		return nil, nil
	}
	bad := argumentError(codeInvalidArgument, "x-amz-copy-source-range", v, msgCopySourceRange)
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return nil, bad
	}
	first, last, ok := strings.Cut(spec, "-")
	if !ok {
		return nil, bad
	}
	start, ok1 := parseDigits(first)
	end, ok2 := parseDigits(last)
	if !ok1 || !ok2 || end < start {
		return nil, bad
	}
	return &coffer.Range{Start: start, End: end}, nil
}
