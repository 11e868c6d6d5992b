package iam

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// AWS's constraints on the members this package takes (IAM API reference,
// "Data types" and each action's request parameters).
const (
	maxUserNameLength       = 64
	maxPathLength           = 512
	maxPolicyNameLength     = 128
	maxPolicyDocumentLength = 131072
	minAccessKeyIDLength    = 16
	maxAccessKeyIDLength    = 128

	// MaxInlinePolicySize is IAM's quota on the aggregate size of a
	// user's inline policies, in characters, white space not counted.
	MaxInlinePolicySize = 2048
	// MaxAccessKeysPerUser is IAM's quota of access keys per user.
	MaxAccessKeysPerUser = 2
	// MaxUsers is IAM's default quota of users per account.
	MaxUsers = 5000
)

// violations collects constraint failures and words them as AWS does:
// "1 validation error detected: Value 'x' at 'userName' failed to satisfy
// constraint: Member must ...", several joined by "; ".
type violations []string

func (v *violations) add(value, member, constraint string) {
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", value, member, constraint))
}

func (v violations) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return newError(ErrValidation, "1 validation error detected: %s", v[0])
	}
	return newError(ErrValidation, "%d validation errors detected: %s", len(v), strings.Join(v, "; "))
}

// quoted is a client value inside a message: quoted, clipped and with
// anything unprintable escaped, so that it cannot forge a log line.
func quoted(s string) string {
	const max = 64
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "..."
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == utf8.RuneError {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// name checks a required name member: 1..max characters of [\w+=,.@-].
func (v *violations) name(member, value string, max int) {
	switch n := utf8.RuneCountInString(value); {
	case value == "":
		v.add("null", member, "not be null")
		return
	case n > max:
		v.add(quoted(value), member, fmt.Sprintf("have length less than or equal to %d", max))
		return
	}
	for i := 0; i < len(value); i++ {
		if !isNameByte(value[i]) {
			v.add(quoted(value), member, `satisfy regular expression pattern: [\w+=,.@-]+`)
			return
		}
	}
}

func isNameByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("_+=,.@-", c) >= 0
}

// path checks a user path: "/" or "/" 1..510 printable ASCII characters
// "/" (AWS's pattern (\u002F)|(\u002F[\u0021-\u007E]+\u002F)).
func (v *violations) path(member, value string) {
	switch {
	case len(value) > maxPathLength:
		v.add(quoted(value), member, fmt.Sprintf("have length less than or equal to %d", maxPathLength))
		return
	case value == "/":
		return
	case len(value) < 3 || value[0] != '/' || value[len(value)-1] != '/' || !printableASCII(value):
		v.add(quoted(value), member, `satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	}
}

// pathPrefix checks a ListUsers PathPrefix: "/" then printable ASCII.
func (v *violations) pathPrefix(member, value string) {
	switch {
	case len(value) > maxPathLength:
		v.add(quoted(value), member, fmt.Sprintf("have length less than or equal to %d", maxPathLength))
	case value == "" || value[0] != '/' || !printableASCII(value):
		v.add(quoted(value), member, `satisfy regular expression pattern: \u002F[\u0021-\u007F]*`)
	}
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// accessKeyID checks an access key id member: 16..128 characters of \w.
func (v *violations) accessKeyID(member, value string) {
	switch n := len(value); {
	case value == "":
		v.add("null", member, "not be null")
		return
	case n < minAccessKeyIDLength:
		v.add(quoted(value), member, fmt.Sprintf("have length greater than or equal to %d", minAccessKeyIDLength))
		return
	case n > maxAccessKeyIDLength:
		v.add(quoted(value), member, fmt.Sprintf("have length less than or equal to %d", maxAccessKeyIDLength))
		return
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; !isNameByte(c) || strings.IndexByte("+=,.@-", c) >= 0 {
			v.add(quoted(value), member, `satisfy regular expression pattern: [\w]+`)
			return
		}
	}
}

// policyDocument checks the characters and length of a policy document:
// 1..131072 characters of tab, line feed, carriage return and
// U+0020..U+00FF, as IAM accepts. It does not parse the policy.
func (v *violations) policyDocument(member, value string) {
	const pattern = `satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`
	if value == "" {
		v.add("null", member, "not be null")
		return
	}
	n := 0
	for _, r := range value { // invalid UTF-8 reads as U+FFFD, outside the range
		n++
		if r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r > 0xff) {
			v.add("'<policy document>'", member, pattern)
			return
		}
	}
	if n > maxPolicyDocumentLength {
		v.add("'<policy document>'", member, fmt.Sprintf("have length less than or equal to %d", maxPolicyDocumentLength))
	}
}

// policySize is a document's size as IAM counts it against
// MaxInlinePolicySize: characters, white space not counted.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

// foldName is the form a user name is unique in: IAM does not distinguish
// user names by case.
func foldName(name string) string { return strings.ToLower(name) }
