package coffer

import "context"

// Identities is the account's directory of users: who signs with an
// access key, and which identity policies are attached to them. Package
// iam implements it; the root user's credentials are the server's own and
// are not in it.
type Identities interface {
	// AccessKey returns the principal and the secret of an active access
	// key; ok is false for unknown and inactive keys. It is called for
	// every signed request and must answer from memory.
	AccessKey(accessKeyID string) (p Principal, secret string, ok bool)
	// IdentityPolicies returns the JSON documents of the identity policies
	// attached to p (a user's inline policies); none for the root user and
	// anonymous callers. It must answer from memory.
	IdentityPolicies(p Principal) [][]byte
}

// AccessRequest is one request to authorize: what the caller in the
// context wants to do, to what, and the service's facts about it.
type AccessRequest struct {
	Action   string // "s3:PutObject", "kms:Decrypt", "iam:CreateUser"
	Resource string // an ARN, or "*" for actions without a resource
	// Conditions are the service's condition keys for this request
	// ("s3:x-amz-server-side-encryption", "kms:ViaService", ...). The
	// authorizer adds the global aws: keys from the context itself.
	Conditions map[string][]string
	// ResourcePolicy is the resource's own policy (a bucket policy, a key
	// policy); nil when it has none.
	ResourcePolicy []byte
}

// AccessDecision is an Authorizer's answer.
type AccessDecision struct {
	Allowed bool
	// DenySid names the statement that explicitly denied the request (its
	// Sid, or "statement N" when it has none); empty for an implicit deny.
	DenySid string
	// DeniedBy says which policy denied explicitly: "identity" or
	// "resource"; empty for an implicit deny.
	DeniedBy string
	// Delegated marks an implicit deny where the resource policy left the
	// decision to the caller's identity policies (it allows the caller's
	// account, as the default key policy does) and none of them allowed:
	// the missing allow is an identity-based one.
	Delegated bool
}

// Authorizer decides requests with the caller's identity policies and the
// resource's policy: an explicit deny wins; otherwise an allow from
// either; otherwise deny. The account's root user is allowed whatever no
// explicit deny forbids; anonymous callers only what a resource policy
// grants to "*".
type Authorizer interface {
	Authorize(ctx context.Context, req AccessRequest) (AccessDecision, error)
}
