package policy

import (
	"strings"
	"unicode/utf8"
)

// Pattern units: a literal byte (0..255) or one of the two wildcards.
// Literals from policy variables and from the ${*} ${?} ${$} escapes are
// plain bytes, so a '*' in a user name never acts as a wildcard.
const (
	unitStar int16 = -1 // any run of characters, including none
	unitOne  int16 = -2 // exactly one character (a UTF-8 rune)
)

// pattern is a compiled wildcard pattern. Patterns without wildcards keep
// the plain string, so most comparisons are a string equality.
type pattern struct {
	literal string  // the whole pattern when it has no wildcard; the prefix when prefix is set
	units   []int16 // nil when the pattern is literal
	any     bool    // the pattern is a lone "*"
	prefix  bool    // the pattern is literal text then one final "*" ("s3:Get*", "bucket/*")
}

// compileWildcard turns text into a pattern in which '*' and '?' are
// wildcards.
func compileWildcard(text string) pattern {
	units := make([]int16, 0, len(text))
	for i := 0; i < len(text); i++ {
		units = appendTextUnit(units, text[i], true)
	}
	return newPattern(units)
}

func appendTextUnit(units []int16, b byte, wildcards bool) []int16 {
	switch {
	case wildcards && b == '*':
		return append(units, unitStar)
	case wildcards && b == '?':
		return append(units, unitOne)
	}
	return append(units, int16(b))
}

// newPattern wraps units, recognising the literal and match-all cases.
func newPattern(units []int16) pattern {
	wild := false
	for _, u := range units {
		if u < 0 {
			wild = true
			break
		}
	}
	if !wild {
		var b strings.Builder
		b.Grow(len(units))
		for _, u := range units {
			b.WriteByte(byte(u))
		}
		return pattern{literal: b.String()}
	}
	if len(units) == 1 && units[0] == unitStar {
		return pattern{units: units, any: true}
	}
	if last := len(units) - 1; units[last] == unitStar {
		if head := newPattern(units[:last:last]); head.isLiteral() {
			return pattern{literal: head.literal, units: units, prefix: true}
		}
	}
	return pattern{units: units}
}

// literalPattern is a pattern that matches exactly s.
func literalPattern(s string) pattern { return pattern{literal: s} }

func (p pattern) isLiteral() bool { return p.units == nil }

// match reports whether s matches the whole pattern. It runs in
// O(len(p)*len(s)) at worst: a star only ever restarts from the most
// recent star, never from earlier ones.
func (p pattern) match(s string) bool {
	if p.any {
		return true
	}
	if p.units == nil {
		return p.literal == s
	}
	if p.prefix {
		return strings.HasPrefix(s, p.literal)
	}
	return matchUnits(p.units, s, false)
}

// matchFold is match for a lower-case ASCII pattern (action names), with
// ASCII letters in s compared case-insensitively.
func (p pattern) matchFold(s string) bool {
	if p.any {
		return true
	}
	switch {
	case p.units == nil:
		return len(s) == len(p.literal) && equalFoldASCII(s, p.literal)
	case p.prefix:
		return len(s) >= len(p.literal) && equalFoldASCII(s[:len(p.literal)], p.literal)
	}
	return matchUnits(p.units, s, true)
}

// equalFoldASCII compares s with the lower-case lower, folding ASCII
// letters in s; both have the same length.
func equalFoldASCII(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		if lowerASCII(s[i]) != lower[i] {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func matchUnits(units []int16, s string, fold bool) bool {
	pi, si := 0, 0
	starUnit, starInput := -1, 0
	for si < len(s) {
		if pi < len(units) {
			switch u := units[pi]; {
			case u == unitStar:
				starUnit, starInput = pi, si
				pi++
				continue
			case u == unitOne:
				_, width := utf8.DecodeRuneInString(s[si:])
				si += width
				pi++
				continue
			case byte(u) == s[si] || fold && byte(u) == lowerASCII(s[si]):
				si++
				pi++
				continue
			}
		}
		if starUnit < 0 {
			return false
		}
		// Let the last star swallow one more character and retry.
		_, width := utf8.DecodeRuneInString(s[starInput:])
		starInput += width
		pi, si = starUnit+1, starInput
	}
	for pi < len(units) && units[pi] == unitStar {
		pi++
	}
	return pi == len(units)
}

// arnSegments is how many colon-separated parts an ARN has; the last one
// (the resource) may itself contain colons.
const arnSegments = 6

// arnPattern is a pattern split into the six ARN segments, each matched on
// its own so that a wildcard in one segment never spills into the next.
// When the first five segments have no wildcard (the usual
// "arn:aws:s3:::bucket/*") they are kept joined in head and compared in
// one go.
type arnPattern struct {
	any      bool // a lone "*": matches anything
	valid    bool // the pattern has all six segments
	segments [arnSegments]pattern
	head     string // "arn:aws:s3:::" when the first five segments are literal
	literal  bool   // head is set
}

func splitARNPattern(p pattern) arnPattern {
	if p.any {
		return arnPattern{any: true, valid: true}
	}
	var out arnPattern
	if p.isLiteral() {
		parts, ok := splitARN(p.literal)
		if !ok {
			return out
		}
		for i, part := range parts {
			out.segments[i] = literalPattern(part)
		}
	} else {
		start, seg := 0, 0
		for i, u := range p.units {
			if seg == arnSegments-1 {
				break
			}
			if u == ':' {
				out.segments[seg] = newPattern(p.units[start:i:i])
				start, seg = i+1, seg+1
			}
		}
		if seg != arnSegments-1 {
			return out
		}
		out.segments[seg] = newPattern(p.units[start:len(p.units):len(p.units)])
	}
	out.valid = true
	return out
}

// compileARN is splitARNPattern for patterns kept with the policy, which
// are worth the joined head.
func compileARN(p pattern) arnPattern {
	a := splitARNPattern(p)
	if a.valid && !a.any {
		a.head, a.literal = joinedHead(a.segments[:arnSegments-1])
	}
	return a
}

func joinedHead(segments []pattern) (string, bool) {
	var b strings.Builder
	for _, seg := range segments {
		if !seg.isLiteral() {
			return "", false
		}
		b.WriteString(seg.literal)
		b.WriteByte(':')
	}
	return b.String(), true
}

// splitARN splits an ARN into its six segments.
func splitARN(s string) ([arnSegments]string, bool) {
	var parts [arnSegments]string
	for i := 0; i < arnSegments-1; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return parts, false
		}
		parts[i], s = s[:j], s[j+1:]
	}
	parts[arnSegments-1] = s
	return parts, true
}

// match reports whether the ARN s matches, segment by segment. Something
// that is not an ARN matches only a lone "*".
func (a arnPattern) match(s string) bool {
	if a.any {
		return true
	}
	return a.matchTarget(newTarget(s))
}

// target is an ARN split once for all the patterns it is tried against.
type target struct {
	parts [arnSegments]string
	head  string // the first five segments with their colons
	isARN bool
}

func newTarget(s string) target {
	parts, ok := splitARN(s)
	if !ok {
		return target{}
	}
	return target{parts: parts, head: s[:len(s)-len(parts[arnSegments-1])], isARN: true}
}

func (a arnPattern) matchTarget(t target) bool {
	if a.any {
		return true
	}
	if !a.valid || !t.isARN {
		return false
	}
	if a.literal {
		return t.head == a.head && a.segments[arnSegments-1].match(t.parts[arnSegments-1])
	}
	for i := range t.parts {
		if !a.segments[i].match(t.parts[i]) {
			return false
		}
	}
	return true
}
