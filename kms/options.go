package kms

import (
	"time"

	"github.com/cofferlabs/coffer"
)

// DefaultQuotaPerSecond is the quota the server should configure: AWS KMS's
// default shared quota for cryptographic operations on symmetric keys in
// most Regions (10,000 requests per second).
const DefaultQuotaPerSecond = 10000

// KeyPolicy evaluates key policy documents, together with the identity
// (IAM) policies of the caller. The server wires the policy engine
// (policy.Authorizer, which knows the account's users); the KMS calls it
// on every operation.
type KeyPolicy interface {
	// Validate refuses a malformed key policy with a public message
	// (MalformedPolicyDocumentException).
	Validate(doc []byte) error
	// Allowed decides principal doing action ("kms:Decrypt") on resource
	// (the key ARN) under the key policy doc and the principal's identity
	// policies, with the condition keys in conditions (e.g.
	// "kms:EncryptionContext:aws:s3:arn", "kms:ViaService",
	// "kms:CallerAccount", "aws:SecureTransport", "aws:SourceIp",
	// "aws:PrincipalArn"). The key policy is the authority: identity
	// policies count only where it allows the account (the default key
	// policy's "Enable IAM User Permissions"), the root user included
	// gets nothing it does not grant, and an explicit deny in either wins
	// (DenySid and DeniedBy name it). A nil doc is an operation on no key
	// (CreateKey, ListKeys, ...): identity policies alone decide. err is
	// non-nil only when a document cannot be evaluated; the call must
	// then fail.
	Allowed(doc []byte, principal coffer.Principal, action, resource string, conditions map[string][]string) (coffer.AccessDecision, error)
}

// Options configure a KMS.
type Options struct {
	// Region and AccountID make the ARNs: arn:aws:kms:<Region>:<AccountID>:key/<id>.
	// AccountID is 12 digits. Both are required.
	Region    string
	AccountID string
	// Policy evaluates key policies; required (there is no fail-open mode).
	Policy KeyPolicy
	// Auditor records every operation; nil records nothing.
	Auditor coffer.Auditor
	// QuotaPerSecond is the request rate shared by the cryptographic
	// operations (Encrypt, Decrypt, GenerateDataKey*, ReEncrypt,
	// GenerateRandom); 0 means unlimited. See DefaultQuotaPerSecond.
	QuotaPerSecond int
	// Now is the clock (deletion windows, rotation schedules, quota);
	// nil means time.Now.
	Now func() time.Time
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}
