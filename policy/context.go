package policy

import (
	"strconv"
	"strings"
	"sync/atomic"
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
	// One backing array for the values (each a one-element slice capped
	// at its length, so that an append by the caller copies), and room
	// in the map for the keys a service adds: one request, few
	// allocations.
	var vals [10]string
	n := 0
	m := make(map[string][]string, 16)
	set := func(key, value string) {
		vals[n] = value
		m[key] = vals[n : n+1 : n+1]
		n++
	}
	clock := clockTexts(now)
	set(KeyCurrentTime, clock.current)
	set(KeyEpochTime, clock.epoch)
	set(KeySecureTransport, strconv.FormatBool(info.SecureTransport))
	if info.SourceIP != "" {
		set(KeySourceIP, info.SourceIP)
	}
	if info.UserAgent != "" {
		set(KeyUserAgent, info.UserAgent)
	}
	switch {
	case p.Anonymous || p.ARN == "":
		set(KeyPrincipalType, "Anonymous")
		set(KeyUserID, "anonymous")
		return m
	case isRoot(p):
		set(KeyPrincipalType, "Account")
		set(KeyUserID, nonEmpty(p.UserID, p.AccountID))
	default:
		set(KeyPrincipalType, "User")
		set(KeyUserName, p.UserName)
		if p.UserID != "" {
			set(KeyUserID, p.UserID)
		}
	}
	set(KeyPrincipalARN, p.ARN)
	if p.AccountID != "" {
		set(KeyPrincipalAccount, p.AccountID)
	}
	return m
}

// clockText is a second's aws:CurrentTime and aws:EpochTime.
type clockText struct {
	unix           int64
	current, epoch string
}

// lastClock keeps the texts of the last second asked for: requests in the
// same second share them.
var lastClock atomic.Pointer[clockText]

func clockTexts(now time.Time) *clockText {
	now = now.UTC()
	unix := now.Unix()
	if c := lastClock.Load(); c != nil && c.unix == unix {
		return c
	}
	c := &clockText{unix: unix, current: now.Format(time.RFC3339), epoch: strconv.FormatInt(unix, 10)}
	lastClock.Store(c)
	return c
}

func nonEmpty(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}
