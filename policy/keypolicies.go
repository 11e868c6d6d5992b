package policy

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cofferlabs/coffer"
)

// KeyPolicies evaluates KMS key policies for the KMS (it satisfies
// kms.KeyPolicy without importing it). Key policies are evaluated on every
// KMS call and parsing one costs far more than evaluating it, so parsed
// documents are kept, keyed by their text, in a bounded cache.
type KeyPolicies struct {
	mu     sync.Mutex
	parsed map[string]*Policy
}

const maxCachedKeyPolicies = 4096

// NewKeyPolicies returns an evaluator with an empty cache.
func NewKeyPolicies() *KeyPolicies { return &KeyPolicies{parsed: map[string]*Policy{}} }

// Validate refuses a malformed key policy with its public message.
func (k *KeyPolicies) Validate(doc []byte) error {
	_, err := k.parse(doc)
	return err
}

// Allowed decides one KMS request against the key's policy. The key policy
// is the only policy until identities get their own, so Combine refuses an
// Allow that names only the caller's account (that delegates to identity
// policies): users gain nothing from the default key policy by themselves.
// denySid names the denying statement, by Sid or by position.
func (k *KeyPolicies) Allowed(doc []byte, principal coffer.Principal, action, resource string, conditions map[string][]string) (allowed bool, denySid string, err error) {
	p, err := k.parse(doc)
	if err != nil {
		return false, "", err
	}
	d := Combine(p.Evaluate(Request{Principal: principal, Action: action, Resource: resource, Conditions: conditions}))
	switch {
	case d.Allowed():
		return true, "", nil
	case d.Effect == Deny && d.Sid == "":
		return false, fmt.Sprintf("statement %d", d.Statement), nil
	}
	return false, d.Sid, nil
}

func (k *KeyPolicies) parse(doc []byte) (*Policy, error) {
	k.mu.Lock()
	p, ok := k.parsed[string(doc)]
	k.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := ParseWith(doc, Options{Kind: ResourcePolicy, MaxSize: MaxKeyPolicySize})
	if err != nil {
		var perr *Error
		if errors.As(err, &perr) {
			return nil, errors.New(perr.Public())
		}
		return nil, err
	}
	k.mu.Lock()
	if len(k.parsed) >= maxCachedKeyPolicies {
		clear(k.parsed)
	}
	k.parsed[string(doc)] = p
	k.mu.Unlock()
	return p, nil
}
