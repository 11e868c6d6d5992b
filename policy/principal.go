package policy

import (
	"strconv"
	"strings"

	"github.com/cofferlabs/coffer"
)

// PrincipalMatch says how a statement's Principal (or NotPrincipal) took
// in the caller. It matters when combining a resource policy with
// identity policies: naming an account delegates to the account's own
// policies rather than granting its users anything (see Combine).
type PrincipalMatch int

const (
	MatchNone     PrincipalMatch = iota // no statement applied
	MatchIdentity                       // an identity policy: it applies to the identity it is attached to
	MatchAnyone                         // Principal "*" or {"AWS": "*"}: everyone, anonymous callers included
	MatchExact                          // the caller's own ARN (the root user's is arn:aws:iam::<acct>:root)
	MatchAccount                        // the caller's account, for a caller who is not the account's root user
	MatchExcluded                       // a NotPrincipal statement, the caller not being among those excluded
)

func (m PrincipalMatch) String() string {
	switch m {
	case MatchIdentity:
		return "identity"
	case MatchAnyone:
		return "anyone"
	case MatchExact:
		return "exact"
	case MatchAccount:
		return "account"
	case MatchExcluded:
		return "not-principal"
	}
	return "none"
}

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	anyone   bool
	arns     map[string]bool // user, role and session ARNs, and account root ARNs
	accounts map[string]bool // accounts named by id or root ARN
	services []string        // {"Service": ...}: kept, never matches a Coffer principal
	written  []string        // as normalised for Statement views
}

// match reports whether a Principal element takes in p, and how.
func (s *principalSet) match(p coffer.Principal) PrincipalMatch {
	if s.anyone {
		return MatchAnyone
	}
	if p.Anonymous || p.ARN == "" {
		return MatchNone
	}
	if s.arns[p.ARN] {
		return MatchExact
	}
	if s.accounts[p.AccountID] {
		return MatchAccount
	}
	return MatchNone
}

// excludes reports whether a NotPrincipal element leaves p out. A caller
// is left out only if every identity it acts as is listed: a user acts as
// itself and as its account, so exempting a user takes both its ARN and
// its account (AWS documents the same for NotPrincipal with Deny). An
// anonymous caller is left out only by "*".
func (s *principalSet) excludes(p coffer.Principal) bool {
	if s.anyone {
		return true
	}
	if p.Anonymous || p.ARN == "" {
		return false
	}
	if !s.arns[p.ARN] {
		return false
	}
	return isRoot(p) || s.accounts[p.AccountID]
}

// isRoot tells the account's root user by its ARN, so that a principal
// carrying a role ARN and no user name is not mistaken for root.
func isRoot(p coffer.Principal) bool {
	return !p.Anonymous && strings.HasSuffix(p.ARN, ":root")
}

func parsePrincipal(v jsonValue) (*principalSet, string) {
	set := &principalSet{arns: map[string]bool{}, accounts: map[string]bool{}}
	switch v.kind {
	case jsonString:
		if v.text != "*" {
			return nil, `a string principal must be "*"`
		}
		set.anyone = true
		set.written = []string{"*"}
		return set, ""
	case jsonObject:
	default:
		return nil, "Principal must be \"*\" or an object, not " + v.kind.String()
	}
	if len(v.members) == 0 {
		return nil, "Principal names nobody"
	}
	for _, m := range v.members {
		names, ok := m.value.stringList()
		if !ok {
			return nil, "principal " + m.name + " must be a string or a non-empty array of strings"
		}
		for _, name := range names {
			var detail string
			switch m.name {
			case "AWS":
				detail = set.addAWS(name)
			case "Service":
				detail = set.addService(name)
			default:
				detail = "principal type " + m.name + " is not supported"
			}
			if detail != "" {
				return nil, detail
			}
		}
	}
	return set, ""
}

func (s *principalSet) addAWS(name string) string {
	if name == "*" {
		s.anyone = true
		s.written = append(s.written, "*")
		return ""
	}
	if isAccountID(name) {
		name = "arn:aws:iam::" + name + ":root"
	}
	account, ok := principalAccount(name)
	if !ok {
		return "not an account id or an IAM principal ARN: " + quote(name)
	}
	s.arns[name] = true
	if strings.HasSuffix(name, ":root") {
		s.accounts[account] = true
	}
	s.written = append(s.written, name)
	return ""
}

func (s *principalSet) addService(name string) string {
	if !isServiceName(name) {
		return "not a service principal: " + quote(name)
	}
	s.services = append(s.services, name)
	s.written = append(s.written, "service:"+name)
	return ""
}

// principalAccount validates an IAM principal ARN (no wildcards: AWS
// accepts "*" alone and nothing like "user/*") and returns its account.
func principalAccount(arn string) (string, bool) {
	parts, ok := splitARN(arn)
	if !ok || parts[0] != "arn" || !isPartition(parts[1]) || parts[3] != "" || !isAccountID(parts[4]) {
		return "", false
	}
	resource := parts[5]
	if strings.ContainsAny(resource, "*?") {
		return "", false
	}
	switch parts[2] {
	case "iam":
		if resource == "root" || validIAMPath(resource, "user/") || validIAMPath(resource, "role/") {
			return parts[4], true
		}
	case "sts":
		if validIAMPath(resource, "assumed-role/") || validIAMPath(resource, "federated-user/") {
			return parts[4], true
		}
	}
	return "", false
}

// validIAMPath accepts kind followed by an optional path and a name, made
// of the characters IAM allows in names (letters, digits, +=,.@_-) and '/'.
func validIAMPath(resource, kind string) bool {
	rest, ok := strings.CutPrefix(resource, kind)
	if !ok || rest == "" || strings.HasSuffix(rest, "/") || strings.Contains(rest, "//") {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(isServiceChar(c) || strings.IndexByte("+=,.@_/", c) >= 0) {
			return false
		}
	}
	return true
}

func isPartition(s string) bool {
	switch s {
	case "aws", "aws-cn", "aws-us-gov":
		return true
	}
	return false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isServiceName accepts service principals such as "s3.amazonaws.com".
func isServiceName(s string) bool {
	if s == "" || !strings.Contains(s, ".") || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// quote renders an offending value for Error.Detail, cut short so that a
// hostile document cannot make the error message large.
func quote(s string) string {
	const max = 128
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}
