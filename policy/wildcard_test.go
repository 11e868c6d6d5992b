package policy

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// wildcardCases are the seed corpus of FuzzWildcard as well.
var wildcardCases = []struct {
	name, pattern, input string
	match                bool
}{
	{"literal", "s3:getobject", "s3:getobject", true},
	{"literal differs", "s3:getobject", "s3:getobjects", false},
	{"lone star", "*", "", true},
	{"lone star any", "*", "anything:at/all", true},
	{"trailing star", "s3:get*", "s3:getobjectacl", true},
	{"trailing star matches empty", "s3:get*", "s3:get", true},
	{"leading star", "*object", "s3:getobject", true},
	{"inner star", "s3:*object", "s3:putobject", true},
	{"inner star no match", "s3:*object", "s3:putobjectacl", false},
	{"two stars", "*a*b*", "xxaxxbxx", true},
	{"two stars wrong order", "*a*b*", "xxbxxaxx", false},
	{"question", "v?", "v1", true},
	{"question needs a character", "v?", "v", false},
	{"question one only", "v?", "v12", false},
	{"question is a rune", "?", "é", true},
	{"question is not a byte", "??", "é", false},
	{"three-byte rune", "*??", "€", false},
	{"star then question", "*?", "é", true},
	{"backtracking", "*aab", "aaaab", true},
	{"backtracking fails", "*aab", "aaaaba", false},
	{"pathological", strings.Repeat("*a", 20) + "b", strings.Repeat("a", 60), false},
	{"empty pattern empty input", "", "", true},
	{"empty pattern", "", "x", false},
	{"regexp metacharacters are literal", "a.c+[d]", "a.c+[d]", true},
	{"regexp metacharacters do not match", "a.c", "abc", false},
	{"invalid UTF-8 input", "a*", "a\xff\xfe", true},
	{"invalid UTF-8 literal", "\xff", "\xfe", false},
}

func TestWildcard(t *testing.T) {
	for _, tc := range wildcardCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := compileWildcard(tc.pattern).match(tc.input); got != tc.match {
				t.Fatalf("%q ~ %q = %v, want %v", tc.pattern, tc.input, got, tc.match)
			}
			if got := referenceMatch(tc.pattern, tc.input); utf8.ValidString(tc.pattern) && got != tc.match {
				t.Fatalf("reference disagrees with the table for %q ~ %q", tc.pattern, tc.input)
			}
		})
	}
}

// referenceMatch is the wildcard semantics spelled as a regular
// expression: '*' any run of characters, '?' one character, the rest
// literal, the whole input. Invalid UTF-8 bytes in the input count as one
// character each, as in the matcher. Patterns come from JSON and are valid
// UTF-8; the reference is not used for others (regexp reads every invalid
// byte as U+FFFD, so it would equate different bytes).
func referenceMatch(pattern, input string) bool {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String()).MatchString(input)
}

var arnCases = []struct {
	name, pattern, input string
	match                bool
}{
	{"exact", "arn:aws:s3:::b/k", "arn:aws:s3:::b/k", true},
	{"object wildcard", "arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b:c", true},
	{"bucket is not an object", "arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
	{"region and account wildcards", "arn:aws:kms:*:*:key/*", "arn:aws:kms:us-east-1:111122223333:key/k", true},
	{"a segment wildcard stays in its segment", "arn:aws:kms:*:key/*", "arn:aws:kms:us-east-1:111122223333:key/k", false},
	{"account must match", "arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:444455556666:key/k", false},
	{"star in the account does not eat a colon", "arn:aws:iam::*:root", "arn:aws:iam::1:2:root", false},
	{"question in a segment", "arn:aws:iam::11112222333?:root", "arn:aws:iam::111122223333:root", true},
	{"not an ARN", "arn:aws:s3:::*", "bucket", false},
	{"lone star matches anything", "*", "bucket", true},
	{"case-sensitive", "arn:aws:s3:::B/*", "arn:aws:s3:::b/k", false},
}

func TestARNPattern(t *testing.T) {
	for _, tc := range arnCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := compileARN(compileWildcard(tc.pattern)).match(tc.input); got != tc.match {
				t.Fatalf("%q ~ %q = %v, want %v", tc.pattern, tc.input, got, tc.match)
			}
			if got := splitARNPattern(compileWildcard(tc.pattern)).match(tc.input); got != tc.match {
				t.Fatalf("%q ~ %q = %v, want %v", tc.pattern, tc.input, got, tc.match)
			}
		})
	}
}

// FuzzWildcard checks the matcher against the regular-expression
// reference on arbitrary patterns and inputs, and the ARN matcher against
// matching each of the six segments on its own.
func FuzzWildcard(f *testing.F) {
	for _, tc := range wildcardCases {
		f.Add(tc.pattern, tc.input)
	}
	for _, tc := range arnCases {
		f.Add(tc.pattern, tc.input)
	}
	f.Fuzz(func(t *testing.T, pattern, input string) {
		if len(pattern) > 64 || len(input) > 256 || !utf8.ValidString(pattern) {
			return // long inputs only slow the reference down
		}
		p := compileWildcard(pattern)
		if got, want := p.match(input), referenceMatch(pattern, input); got != want {
			t.Fatalf("%q ~ %q = %v, reference says %v", pattern, input, got, want)
		}
		if lower := strings.ToLower(pattern); lower == pattern && isASCII(pattern) {
			if got, want := p.matchFold(input), p.match(asciiLower(input)); got != want {
				t.Fatalf("fold %q ~ %q = %v, want %v", pattern, input, got, want)
			}
		}
		pp, pok := splitARN(pattern)
		ip, iok := splitARN(input)
		want := pattern == "*"
		if !want && pok && iok {
			want = true
			for i := range pp {
				want = want && referenceMatch(pp[i], ip[i])
			}
		}
		if got := splitARNPattern(p).match(input); got != want {
			t.Fatalf("ARN %q ~ %q = %v, want %v", pattern, input, got, want)
		}
		if got := compileARN(p).match(input); got != want {
			t.Fatalf("compiled ARN %q ~ %q = %v, want %v", pattern, input, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func asciiLower(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = lowerASCII(b[i])
	}
	return string(b)
}

func TestMatchFold(t *testing.T) {
	cases := []struct {
		pattern, input string
		match          bool
	}{
		{"s3:getobject", "s3:GetObject", true},
		{"s3:getobject", "S3:GETOBJECT", true},
		{"s3:get*", "s3:GetObjectAcl", true},
		{"kms:generatedatakey?", "kms:GenerateDataKeyX", true},
		{"s3:getobject", "s3:GetObjects", false},
		{"s3:getobject", "s3:GetObjecţ", false},
	}
	for _, tc := range cases {
		if got := compileWildcard(tc.pattern).matchFold(tc.input); got != tc.match {
			t.Errorf("%q ~ %q = %v, want %v", tc.pattern, tc.input, got, tc.match)
		}
	}
}
