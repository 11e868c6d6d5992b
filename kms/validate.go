package kms

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// violations collects constraint failures and reports them the way AWS
// does: "1 validation error detected: Value '...' at 'member' failed to
// satisfy constraint: Member must ...", several joined by "; ".
type violations []string

func (v *violations) add(value, member, constraint string) {
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", value, member, constraint))
}

// err is nil when nothing failed, else a ValidationException.
func (v violations) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return kmsError(CodeValidation, "1 validation error detected: %s", v[0])
	}
	return kmsError(CodeValidation, "%d validation errors detected: %s", len(v), strings.Join(v, "; "))
}

func quote(s string) string { return "'" + clip(s) + "'" }

// required reports an absent required string member.
func (v *violations) required(member, value string) bool {
	if value == "" {
		v.add("null", member, "not be null")
		return false
	}
	return true
}

// length checks a string member's length in characters.
func (v *violations) length(member, value string, min, max int) {
	n := utf8.RuneCountInString(value)
	switch {
	case n < min:
		v.add(quote(value), member, fmt.Sprintf("have length greater than or equal to %d", min))
	case n > max:
		v.add(quote(value), member, fmt.Sprintf("have length less than or equal to %d", max))
	}
}

// requiredLength checks a required string member.
func (v *violations) requiredLength(member, value string, min, max int) {
	if v.required(member, value) {
		v.length(member, value, min, max)
	}
}

// secretLength checks a blob member's length in bytes without echoing it,
// as AWS does for sensitive members.
func (v *violations) secretLength(member string, value []byte, required bool, min, max int) {
	switch n := len(value); {
	case value == nil && required:
		v.add("null", member, "not be null")
	case value == nil:
	case n < min:
		*v = append(*v, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", member, min))
	case n > max:
		*v = append(*v, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", member, max))
	}
}

// pattern checks a non-empty string member against re.
func (v *violations) pattern(member, value string, re *regexp.Regexp) {
	if value != "" && !re.MatchString(value) {
		v.add(quote(value), member, "satisfy regular expression pattern: "+re.String())
	}
}

// rangeOf checks an optional integer member.
func (v *violations) rangeOf(member string, value *int32, min, max int32) {
	switch {
	case value == nil:
	case *value < min:
		v.add(quote(strconv.Itoa(int(*value))), member, fmt.Sprintf("have value greater than or equal to %d", min))
	case *value > max:
		v.add(quote(strconv.Itoa(int(*value))), member, fmt.Sprintf("have value less than or equal to %d", max))
	}
}

// enum checks an optional enumerated member against its value set.
func enum[T ~string](v *violations, member string, value T, set ...T) {
	if value == "" {
		return
	}
	names := make([]string, len(set))
	for i, s := range set {
		if s == value {
			return
		}
		names[i] = string(s)
	}
	v.add(quote(string(value)), member, "satisfy enum value set: ["+strings.Join(names, ", ")+"]")
}

// grantTokens checks the GrantTokens list (grants are not supported; the
// tokens are accepted and have no effect).
func (v *violations) grantTokens(tokens []string) {
	if len(tokens) > 10 {
		v.add(quote("["+strings.Join(tokens, ", ")+"]"), "grantTokens", "have length less than or equal to 10")
	}
	for i, t := range tokens {
		v.length(fmt.Sprintf("grantTokens.%d.member", i+1), t, 1, 8192)
	}
}

// marker checks a pagination marker's shape; its meaning is checked by
// the list that issued it.
var markerPattern = regexp.MustCompile(`^[\x{0020}-\x{00FF}]*$`)

func (v *violations) marker(value string) {
	v.length("marker", value, 0, 1024)
	v.pattern("marker", value, markerPattern)
}

// limit checks a list's Limit against the model (1..1000).
func (v *violations) limit(value *int32) { v.rangeOf("limit", value, 1, 1000) }
