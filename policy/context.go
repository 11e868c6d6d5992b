package policy

import (
	"strconv"
	"strings"
	"time"

	"github.com/cofferlabs/coffer"
)

// contextKeys is the request context with case-insensitive keys. On the
// first lookup of an evaluation the caller's map is checked for keys that
// are not lower-case and, if it has any, copied with lower-cased keys
// (values of keys differing only in case merged). Callers that use
// lower-case keys (GlobalConditions does) never pay for the copy, and
// evaluations decided without a lookup never pay for the check.
type contextKeys struct {
	m       map[string][]string
	checked bool // m holds lower-case keys only
}

func newContextKeys(conditions map[string][]string) contextKeys {
	return contextKeys{m: conditions}
}

// values returns the values of a lower-case key; none means absent.
func (c *contextKeys) values(key string) []string {
	if !c.checked {
		c.checked = true
		for k := range c.m {
			if !isLower(k) {
				c.m = lowerKeys(c.m)
				break
			}
		}
	}
	return c.m[key]
}

// single returns the key's value when it has exactly one, as policy
// variables require (a multivalued key cannot be a variable).
func (c *contextKeys) single(key string) (string, bool) {
	v := c.values(key)
	if len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// isLower reports whether strings.ToLower would leave s as it is.
func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return strings.ToLower(s) == s
		}
		if c >= 'A' && c <= 'Z' {
			return false
		}
	}
	return true
}

// lowerKeys merges keys that differ only in case, keeping every value.
func lowerKeys(conditions map[string][]string) map[string][]string {
	out := make(map[string][]string, len(conditions))
	for k, v := range conditions {
		lk := strings.ToLower(k)
		out[lk] = append(out[lk][:len(out[lk]):len(out[lk])], v...)
	}
	return out
}

// Global condition keys, lower-cased as GlobalConditions returns them.
const (
	KeyCurrentTime      = "aws:currenttime"
	KeyEpochTime        = "aws:epochtime"
	KeySecureTransport  = "aws:securetransport"
	KeySourceIP         = "aws:sourceip"
	KeyUserAgent        = "aws:useragent"
	KeyPrincipalType    = "aws:principaltype"
	KeyPrincipalARN     = "aws:principalarn"
	KeyPrincipalAccount = "aws:principalaccount"
	KeyUserID           = "aws:userid"
	KeyUserName         = "aws:username"
)

// GlobalConditions returns the aws: condition keys AWS puts in every
// request context, from the authenticated principal, how the request
// arrived and the time. Services add their own keys (s3:..., kms:...) to
// the map before evaluating. Keys AWS leaves out are left out: there is no
// aws:username for the root user or an anonymous caller, no
// aws:PrincipalArn for an anonymous one, no aws:SourceIp when the source
// is unknown. An anonymous caller's aws:userid is "anonymous", the root
// user's is the account id.
func GlobalConditions(p coffer.Principal, info coffer.RequestInfo, now time.Time) map[string][]string {
	now = now.UTC()
	m := map[string][]string{
		KeyCurrentTime:     {now.Format(time.RFC3339)},
		KeyEpochTime:       {strconv.FormatInt(now.Unix(), 10)},
		KeySecureTransport: {strconv.FormatBool(info.SecureTransport)},
	}
	if info.SourceIP != "" {
		m[KeySourceIP] = []string{info.SourceIP}
	}
	if info.UserAgent != "" {
		m[KeyUserAgent] = []string{info.UserAgent}
	}
	switch {
	case p.Anonymous || p.ARN == "":
		m[KeyPrincipalType] = []string{"Anonymous"}
		m[KeyUserID] = []string{"anonymous"}
		return m
	case isRoot(p):
		m[KeyPrincipalType] = []string{"Account"}
		m[KeyUserID] = []string{nonEmpty(p.UserID, p.AccountID)}
	default:
		m[KeyPrincipalType] = []string{"User"}
		m[KeyUserName] = []string{p.UserName}
		if p.UserID != "" {
			m[KeyUserID] = []string{p.UserID}
		}
	}
	m[KeyPrincipalARN] = []string{p.ARN}
	if p.AccountID != "" {
		m[KeyPrincipalAccount] = []string{p.AccountID}
	}
	return m
}

func nonEmpty(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}
