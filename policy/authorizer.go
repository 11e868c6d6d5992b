package policy

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cofferlabs/coffer"
)

// Authorizer decides requests for one account with the callers' identity
// policies (from a coffer.Identities) and the resource's own policy (a
// bucket policy, a key policy). It implements coffer.Authorizer for the
// front ends, and kms.KeyPolicy for the KMS (without importing it).
// Parsed documents are cached by their text (see docCache). It is safe
// for concurrent use.
//
// The rules, on top of Combine (LANGUAGE.md, "Authorizer"):
//   - any document that fails to parse fails the request closed: the
//     decision is not Allowed and the error says which document, since a
//     Deny it may hold cannot be honoured (one exception below);
//   - an explicit Deny in any policy wins, naming its statement;
//   - the account's root user is allowed whatever no policy explicitly
//     denies, and may always get, put and delete a bucket policy, so that
//     a policy that locks everyone out can be removed;
//   - a user of the account is allowed by an Allow in one of its identity
//     policies, or by a resource-policy Allow that names it (or everyone);
//     a resource-policy Allow that names only the account delegates to
//     identity policies and grants nothing by itself;
//   - callers of other accounts and anonymous callers have no identity
//     policies here: only a resource-policy Allow naming them, or
//     everyone ("*"), lets them in;
//   - kms: actions on a key (a key policy given) follow the KMS rules: the
//     key policy is the authority, root gets no bypass, and identity
//     policies count only where a key-policy Allow names the account
//     (AWS: "Without permission from the key policy, IAM policies that
//     allow permissions have no effect"). A Deny in an identity policy
//     still denies.
type Authorizer struct {
	identities coffer.Identities
	accountID  string
	rootARN    string
	docs       *docCache
	now        func() time.Time
}

var _ coffer.Authorizer = (*Authorizer)(nil)

// NewAuthorizer returns an authorizer for account accountID (12 digits)
// whose users, and their identity policies, are in identities; nil means
// the account has no users (only root, other accounts and anonymous
// callers exist).
func NewAuthorizer(identities coffer.Identities, accountID string) *Authorizer {
	a := &Authorizer{identities: identities, accountID: accountID, docs: newDocCache(), now: time.Now}
	if accountID != "" {
		a.rootARN = "arn:aws:iam::" + accountID + ":root"
	}
	return a
}

// NewKeyPolicies returns an authorizer for KMS key policies in an account
// without users: the KMS's policy engine for servers and tests that have
// no identity directory. Key-policy rules do not depend on the account
// (the KMS checks the caller's account itself).
func NewKeyPolicies() *Authorizer { return NewAuthorizer(nil, "") }

// Authorize decides req for the principal in ctx (none, or an anonymous
// one: an anonymous caller) arriving as coffer.RequestInfoFrom(ctx) says.
// The condition keys are GlobalConditions' aws: keys merged with
// req.Conditions: services add their own keys (s3:..., kms:...) and may
// add aws: keys the authorizer cannot know (aws:SourceArn,
// aws:ResourceTag/...), but a key GlobalConditions sets is always the
// context's (a service cannot override what authentication established).
// The error is non-nil only when a policy does not parse; the decision is
// then a denial.
func (a *Authorizer) Authorize(ctx context.Context, req coffer.AccessRequest) (coffer.AccessDecision, error) {
	p, ok := coffer.PrincipalFrom(ctx)
	if !ok || p.Anonymous || p.ARN == "" {
		p = coffer.Principal{Anonymous: true}
	}
	conditions := mergeConditions(GlobalConditions(p, coffer.RequestInfoFrom(ctx), a.now()), req.Conditions)
	keyRules := req.ResourcePolicy != nil && hasPrefixFold(req.Action, "kms:")
	return a.decide(p, req.Action, req.Resource, conditions, req.ResourcePolicy, keyRules)
}

// Validate refuses a malformed key policy with its public message, for
// the KMS's MalformedPolicyDocumentException.
func (a *Authorizer) Validate(doc []byte) error {
	_, err := a.docs.get(doc, ResourcePolicy)
	return publicError(err)
}

// Allowed decides one KMS request (kms.KeyPolicy): principal doing action
// on resource (a key ARN) under the key policy doc together with the
// principal's identity policies, with the KMS's own condition keys (it
// builds the aws: ones too, so none are added). A nil doc is an action on
// no key (CreateKey, ListKeys, ...): identity policies alone decide, and
// the account's root user, when the authorizer knows the account, is
// allowed.
func (a *Authorizer) Allowed(doc []byte, principal coffer.Principal, action, resource string, conditions map[string][]string) (coffer.AccessDecision, error) {
	if principal.Anonymous || principal.ARN == "" {
		principal = coffer.Principal{Anonymous: true}
	}
	return a.decide(principal, action, resource, lowerKeysIfNeeded(conditions), doc, doc != nil)
}

// decide evaluates the documents that apply to the request; see the
// type's documentation for the rules. The keys of conditions are
// lower-case.
func (a *Authorizer) decide(p coffer.Principal, action, resource string, conditions map[string][]string, resourcePolicy []byte, keyRules bool) (coffer.AccessDecision, error) {
	root := a.isRoot(p)
	if root && !keyRules && isBucketPolicyAction(action) {
		return coffer.AccessDecision{Allowed: true}, nil
	}
	var rp *Policy
	if resourcePolicy != nil {
		var err error
		if rp, err = a.docs.get(resourcePolicy, ResourcePolicy); err != nil {
			return coffer.AccessDecision{}, fmt.Errorf("policy: the resource policy does not parse: %w", err)
		}
	}
	var identity [][]byte
	if a.identities != nil && !root && !p.Anonymous && p.AccountID == a.accountID {
		identity = a.identities.IdentityPolicies(p)
	}
	ips := make([]*Policy, 0, 4)
	for i, doc := range identity {
		ip, err := a.docs.get(doc, IdentityPolicy)
		if err != nil {
			return coffer.AccessDecision{}, fmt.Errorf("policy: identity policy %d of %s does not parse: %w", i, p.ARN, err)
		}
		ips = append(ips, ip)
	}

	req := Request{Principal: p, Action: action, Resource: resource, Conditions: conditions}
	resourceDecision := Decision{Statement: -1}
	if rp != nil {
		if resourceDecision = rp.evaluateLower(req); resourceDecision.Effect == Deny {
			return denied(resourceDecision), nil
		}
	}
	identityAllow := Decision{Statement: -1}
	for _, ip := range ips {
		d := ip.evaluateLower(req)
		if d.Effect == Deny {
			return denied(d), nil
		}
		if d.Effect == Allow && identityAllow.Effect != Allow {
			identityAllow = d
		}
	}

	if keyRules {
		// The key policy decides; identity policies only where it
		// delegates to the account.
		switch {
		case resourceDecision.Effect != Allow:
			return coffer.AccessDecision{}, nil
		case resourceDecision.Principal != MatchAccount:
			return coffer.AccessDecision{Allowed: true}, nil
		}
		allowed := identityAllow.Effect == Allow
		return coffer.AccessDecision{Allowed: allowed, Delegated: !allowed}, nil
	}
	if root {
		return coffer.AccessDecision{Allowed: true}, nil
	}
	return coffer.AccessDecision{Allowed: Combine(identityAllow, resourceDecision).Allowed()}, nil
}

// isRoot reports whether p is this account's root user.
func (a *Authorizer) isRoot(p coffer.Principal) bool {
	return a.rootARN != "" && p.IsRoot() && p.AccountID == a.accountID && p.ARN == a.rootARN
}

// denied turns an explicit Deny into the decision callers audit.
func denied(d Decision) coffer.AccessDecision {
	return coffer.AccessDecision{DenySid: DenySid(d), DeniedBy: d.Kind.String()}
}

// DenySid names the statement of an explicit Deny for the audit trail: its
// Sid, or "statement N" (N counting from 0 in the Statement array) when it
// has none; "" for decisions that are not Deny.
func DenySid(d Decision) string {
	switch {
	case d.Effect != Deny:
		return ""
	case d.Sid != "":
		return d.Sid
	}
	return "statement " + strconv.Itoa(d.Statement)
}

// bucketPolicyActions are those the account's root user may always
// perform, whatever the bucket policy says: AWS lets root remove a bucket
// policy that denies everyone, itself included.
var bucketPolicyActions = []string{"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}

func isBucketPolicyAction(action string) bool {
	for _, a := range bucketPolicyActions {
		if strings.EqualFold(action, a) {
			return true
		}
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// mergeConditions adds the service's keys to the global ones (lower-case,
// as GlobalConditions returns them). A service key that only differs in
// case from a global key does not replace it; keys of the service that
// differ only in case are merged.
func mergeConditions(global, service map[string][]string) map[string][]string {
	for k, v := range service {
		lk := k
		if !isLower(k) {
			lk = strings.ToLower(k)
		}
		if _, isGlobal := globalKeys[lk]; isGlobal {
			continue
		}
		if have, ok := global[lk]; ok {
			global[lk] = append(have[:len(have):len(have)], v...)
			continue
		}
		global[lk] = v
	}
	return global
}

// globalKeys are the keys GlobalConditions may set.
var globalKeys = map[string]struct{}{
	KeyCurrentTime: {}, KeyEpochTime: {}, KeySecureTransport: {}, KeySourceIP: {}, KeyUserAgent: {},
	KeyPrincipalType: {}, KeyPrincipalARN: {}, KeyPrincipalAccount: {}, KeyUserID: {}, KeyUserName: {},
}

// lowerKeysIfNeeded returns conditions with lower-case keys, copying only
// when some key is not, so that the several documents of one request do
// not each copy it (Evaluate would).
func lowerKeysIfNeeded(conditions map[string][]string) map[string][]string {
	for k := range conditions {
		if !isLower(k) {
			return lowerKeys(conditions)
		}
	}
	return conditions
}

// publicError turns a parse refusal into an error whose text is the
// public message, for the KMS to show its caller; other errors pass.
func publicError(err error) error {
	var perr *Error
	if errors.As(err, &perr) {
		return errors.New(perr.Public())
	}
	return err
}
