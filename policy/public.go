package policy

import "strings"

// Status is what S3 GetBucketPolicyStatus reports about a bucket policy.
type Status struct {
	// IsPublic: the policy grants something to everyone (see IsPublic).
	IsPublic bool
}

// PolicyStatus parses a stored bucket policy (any size: validation was
// done when it was put) and tells whether it is public.
func PolicyStatus(doc []byte) (Status, error) {
	p, err := Parse(doc)
	if err != nil {
		return Status{}, err
	}
	return Status{IsPublic: p.IsPublic()}, nil
}

// IsPublic reports whether the policy is public in the sense of S3's
// Block Public Access ("The meaning of public"): some Allow statement
// grants to everyone (Principal "*", {"AWS": "*"}, or any NotPrincipal)
// without a condition that pins the caller or the request's origin to
// fixed values. The conditions that do (LANGUAGE.md lists them) are a
// positive operator (StringEquals, StringLike, ArnEquals, ArnLike, their
// IgnoreCase forms, IpAddress; ForAnyValue allowed; not IfExists, not
// ForAllValues, both of which hold when the key is absent) on one of
// aws:SourceIp, aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
// aws:SourceOwner, aws:SourceAccount, aws:PrincipalAccount,
// aws:PrincipalOrgID, aws:PrincipalArn, aws:userid,
// s3:DataAccessPointArn, s3:DataAccessPointAccount and
// s3:x-amz-server-side-encryption-aws-kms-key-id, with values holding no
// wildcard and no policy variable (aws:userid may end in ":*", a role's
// sessions). For aws:SourceIp every CIDR must be at least /8 (IPv4) or /32
// (IPv6) (**Coffer**: a wider range admits a large share of the internet).
// Deny statements never make a policy public. A policy of another kind
// (identity) is never public.
func (p *Policy) IsPublic() bool {
	if p.kind != ResourcePolicy {
		return false
	}
	for i := range p.statements {
		s := &p.statements[i]
		if s.effect != Allow || !grantsEveryone(s) {
			continue
		}
		if !narrowed(s.view.Conditions, p.version == Version2012) {
			return true
		}
	}
	return false
}

// grantsEveryone: Principal "*", or a NotPrincipal that leaves someone in
// (NotPrincipal "*" leaves no one).
func grantsEveryone(s *statement) bool {
	return s.principals.anyone != s.notPrincipal
}

// pinningKeys are the condition keys (lower-case) that restrict a grant
// to everyone to known callers or origins when given fixed values.
var pinningKeys = map[string]bool{
	"aws:sourceip":              true,
	"aws:sourcearn":             true,
	"aws:sourcevpc":             true,
	"aws:sourcevpce":            true,
	"aws:sourceowner":           true,
	"aws:sourceaccount":         true,
	"aws:principalaccount":      true,
	"aws:principalorgid":        true,
	"aws:principalarn":          true,
	"aws:userid":                true,
	"s3:dataaccesspointarn":     true,
	"s3:dataaccesspointaccount": true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
}

// pinningOperators are the operators that hold only for the values given
// (after removing a ForAnyValue: qualifier).
var pinningOperators = map[string]bool{
	"StringEquals": true, "StringEqualsIgnoreCase": true, "StringLike": true,
	"ArnEquals": true, "ArnLike": true, "IpAddress": true,
}

// narrowed reports whether one of the statement's conditions pins it.
// Conditions are ANDed, so one pinning condition is enough.
func narrowed(conditions []Condition, variables bool) bool {
	for _, c := range conditions {
		op := strings.TrimPrefix(c.Operator, "ForAnyValue:")
		key := strings.ToLower(c.Key)
		if !pinningOperators[op] || !pinningKeys[key] || len(c.Values) == 0 {
			continue
		}
		if key == "aws:sourceip" {
			if op == "IpAddress" && narrowRanges(c.Values) {
				return true
			}
			continue
		}
		if op == "IpAddress" {
			continue
		}
		if fixedValues(c.Values, key == "aws:userid", variables) {
			return true
		}
	}
	return false
}

func fixedValues(values []string, roleSessions, variables bool) bool {
	for _, v := range values {
		if roleSessions {
			v = strings.TrimSuffix(v, ":*")
		}
		if v == "" || strings.ContainsAny(v, "*?") || variables && strings.Contains(v, "${") {
			return false
		}
	}
	return true
}

func narrowRanges(values []string) bool {
	for _, v := range values {
		prefix, ok := parsePrefix(v)
		if !ok {
			return false
		}
		min := 32
		if prefix.Addr().Is4() {
			min = 8
		}
		if prefix.Bits() < min {
			return false
		}
	}
	return true
}
