package main

import (
	"errors"
	"sync"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/policy"
)

// keyPolicies adapts the policy engine to the KMS's KeyPolicy interface.
// Key policies are evaluated on every KMS call and parsing one costs far
// more than evaluating it, so parsed documents are kept, keyed by their
// text, in a cache bounded by maxCachedPolicies.
type keyPolicies struct {
	mu     sync.Mutex
	parsed map[string]*policy.Policy
}

const maxCachedPolicies = 4096

func newKeyPolicies() *keyPolicies { return &keyPolicies{parsed: map[string]*policy.Policy{}} }

func (k *keyPolicies) Validate(doc []byte) error {
	_, err := k.parse(doc)
	return err
}

func (k *keyPolicies) Allowed(doc []byte, principal coffer.Principal, action, resource string, conditions map[string][]string) (bool, string, error) {
	p, err := k.parse(doc)
	if err != nil {
		return false, "", err
	}
	// The key policy is the only policy until identities get their own:
	// Combine still refuses an Allow that names only the caller's account
	// (that delegates to identity policies), so users gain nothing from the
	// default key policy by themselves.
	d := policy.Combine(p.Evaluate(policy.Request{Principal: principal, Action: action, Resource: resource, Conditions: conditions}))
	if d.Allowed() {
		return true, "", nil
	}
	return false, d.Sid, nil
}

func (k *keyPolicies) parse(doc []byte) (*policy.Policy, error) {
	k.mu.Lock()
	p, ok := k.parsed[string(doc)]
	k.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.ParseWith(doc, policy.Options{Kind: policy.ResourcePolicy, MaxSize: policy.MaxKeyPolicySize})
	if err != nil {
		var perr *policy.Error
		if errors.As(err, &perr) {
			return nil, errors.New(perr.Public())
		}
		return nil, err
	}
	k.mu.Lock()
	if len(k.parsed) >= maxCachedPolicies {
		clear(k.parsed)
	}
	k.parsed[string(doc)] = p
	k.mu.Unlock()
	return p, nil
}
