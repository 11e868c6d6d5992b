package postpolicy

import (
	"slices"
	"strings"
)

// Check tests the form against every condition and S3's coverage rule:
// each field must be named by some condition, except x-amz-signature,
// file, policy, x-ignore-* and bucket (set by the caller from the URL).
// fields are the form fields, ${filename} already expanded, names in any
// case. contentLength is the file size, or -1 when not known yet (then
// content-length-range is left to CheckLength).
func (p *Policy) Check(fields map[string]string, contentLength int64) error {
	fields = lowerKeys(fields)
	for _, c := range p.Conditions {
		if err := c.check(fields, contentLength); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if exemptFromCoverage(name) || p.names(name) {
			continue
		}
		return denied(ErrPolicyConditionFailed, "Extra input fields: %s", truncate(name, 128))
	}
	return nil
}

// CheckLength tests the file size against every content-length-range.
func (p *Policy) CheckLength(n int64) error {
	for _, c := range p.Conditions {
		if c.Op != OpContentLengthRange {
			continue
		}
		if err := c.check(nil, n); err != nil {
			return err
		}
	}
	return nil
}

// MaxLength is the largest file the policy admits, if it bounds it; the
// caller reads at most MaxLength+1 bytes.
func (p *Policy) MaxLength() (int64, bool) {
	maxLen, bounded := int64(0), false
	for _, c := range p.Conditions {
		if c.Op == OpContentLengthRange && !c.unsatisfiable && (!bounded || c.Max < maxLen) {
			maxLen, bounded = c.Max, true
		}
	}
	return maxLen, bounded
}

func (c Condition) check(fields map[string]string, contentLength int64) error {
	failed := func() error { return denied(ErrPolicyConditionFailed, "Policy Condition failed: %s", c.text) }
	if c.unsatisfiable {
		return failed()
	}
	switch c.Op {
	case OpContentLengthRange:
		switch {
		case contentLength < 0:
			return nil
		case contentLength < c.Min:
			return &SizeError{Err: ErrEntityTooSmall, Proposed: contentLength, Min: c.Min, Max: c.Max}
		case contentLength > c.Max:
			return &SizeError{Err: ErrEntityTooLarge, Proposed: contentLength, Min: c.Min, Max: c.Max}
		}
		return nil
	case OpEq:
		if v, ok := fields[c.Field]; !ok || v != c.Value {
			return failed()
		}
	case OpStartsWith:
		v, ok := fields[c.Field]
		if !ok || !startsWith(c.Field, v, c.Value) {
			return failed()
		}
	}
	return nil
}

// startsWith applies S3's rule that a Content-Type with commas is a list
// whose every entry must match; other fields are plain strings.
func startsWith(field, value, prefix string) bool {
	if field != "content-type" {
		return strings.HasPrefix(value, prefix)
	}
	for _, part := range strings.Split(value, ",") {
		if !strings.HasPrefix(strings.TrimSpace(part), prefix) {
			return false
		}
	}
	return true
}

// names reports whether some condition refers to the field.
func (p *Policy) names(field string) bool {
	for _, c := range p.Conditions {
		if c.Op != OpContentLengthRange && c.Field == field {
			return true
		}
	}
	return false
}

func exemptFromCoverage(name string) bool {
	switch name {
	case "x-amz-signature", "file", "policy", "bucket":
		return true
	}
	return strings.HasPrefix(name, "x-ignore-")
}
