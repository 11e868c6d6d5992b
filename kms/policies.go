package kms

import (
	"context"
	"fmt"
	"regexp"
)

// defaultPolicyName is the only key policy name.
const defaultPolicyName = "default"

// defaultPolicy is the key policy of a key created without one (spec
// §1.5): the account's root, and through it the account's IAM policies,
// may do everything with the key.
func (k *KMS) defaultPolicy() string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		k.opts.AccountID + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

// checkNewPolicy validates a policy document for key arn, and unless the
// caller bypasses it, runs AWS's lockout safety check: the caller must be
// allowed to change the policy again under the new one.
func (c *call) checkNewPolicy(doc, arn string, bypassLockoutCheck bool) error {
	if err := c.k.opts.Policy.Validate([]byte(doc)); err != nil {
		return kmsError(CodeMalformedPolicyDocument, "%s", err.Error())
	}
	if bypassLockoutCheck {
		return nil
	}
	d, err := c.k.opts.Policy.Allowed([]byte(doc), c.principal, "kms:PutKeyPolicy", arn, c.conditions(nil))
	if err != nil {
		return fmt.Errorf("kms: evaluating a new key policy for %s: %w", arn, err)
	}
	if !d.Allowed {
		return kmsError(CodeMalformedPolicyDocument, "The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}

var policyNamePattern = regexp.MustCompile(`^[\w]+$`)

// policyName validates an optional PolicyName and checks it names the
// only policy there is.
func policyName(v *violations, name string) {
	v.length("policyName", name, 0, 128)
	v.pattern("policyName", name, policyNamePattern)
}

func errNoSuchPolicy(name string) error {
	return kmsError(CodeNotFound, "No such policy exists: %s. The only key policy name is \"default\".", clip(name))
}

// GetKeyPolicyInput is the request of GetKeyPolicy.
type GetKeyPolicyInput struct {
	KeyId      string `json:"KeyId"`
	PolicyName string `json:"PolicyName"`
}

// GetKeyPolicyOutput is the response of GetKeyPolicy.
type GetKeyPolicyOutput struct {
	Policy     string `json:"Policy"`
	PolicyName string `json:"PolicyName"`
}

// GetKeyPolicy returns a key's policy document.
func (a *API) GetKeyPolicy(ctx context.Context, in *GetKeyPolicyInput) (out *GetKeyPolicyOutput, err error) {
	c, err := a.k.begin(ctx, "GetKeyPolicy", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("policyName", in.PolicyName)
	v := c.keyIDViolations(in.KeyId)
	policyName(&v, in.PolicyName)
	kk, err := c.operandKey(v, in.KeyId, keysOnly, anyState)
	if err != nil {
		return nil, err
	}
	if in.PolicyName != "" && in.PolicyName != defaultPolicyName {
		return nil, errNoSuchPolicy(in.PolicyName)
	}
	return &GetKeyPolicyOutput{Policy: kk.rec.Policy, PolicyName: defaultPolicyName}, nil
}

// PutKeyPolicyInput is the request of PutKeyPolicy.
type PutKeyPolicyInput struct {
	KeyId                          string `json:"KeyId"`
	PolicyName                     string `json:"PolicyName"`
	Policy                         string `json:"Policy"`
	BypassPolicyLockoutSafetyCheck bool   `json:"BypassPolicyLockoutSafetyCheck"`
}

// PutKeyPolicyOutput is the (empty) response of PutKeyPolicy.
type PutKeyPolicyOutput struct{}

// PutKeyPolicy replaces a key's policy after validating it.
func (a *API) PutKeyPolicy(ctx context.Context, in *PutKeyPolicyInput) (out *PutKeyPolicyOutput, err error) {
	c, err := a.k.begin(ctx, "PutKeyPolicy", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("policyName", in.PolicyName)
	c.param("policy", in.Policy)
	c.param("bypassPolicyLockoutSafetyCheck", in.BypassPolicyLockoutSafetyCheck)
	v := c.keyIDViolations(in.KeyId)
	policyName(&v, in.PolicyName)
	if v.required("policy", in.Policy) {
		v.length("policy", in.Policy, 1, maxPolicyLength)
		v.pattern("policy", in.Policy, policyPattern)
	}
	kk, err := c.operandKey(v, in.KeyId, keysOnly, notPending)
	if err != nil {
		return nil, err
	}
	if in.PolicyName != "" && in.PolicyName != defaultPolicyName {
		return nil, errNoSuchPolicy(in.PolicyName)
	}
	if err := c.checkNewPolicy(in.Policy, kk.arn, in.BypassPolicyLockoutSafetyCheck); err != nil {
		return nil, err
	}
	_, err = c.changeKey(kk, notPending, func(_ *key, rec *keyRecord) error {
		rec.Policy = in.Policy
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PutKeyPolicyOutput{}, nil
}

// ListKeyPoliciesInput is the request of ListKeyPolicies.
type ListKeyPoliciesInput struct {
	KeyId  string `json:"KeyId"`
	Limit  *int32 `json:"Limit"`
	Marker string `json:"Marker"`
}

// ListKeyPoliciesOutput is the response of ListKeyPolicies.
type ListKeyPoliciesOutput struct {
	PolicyNames []string `json:"PolicyNames"`
	NextMarker  string   `json:"NextMarker,omitempty"`
	Truncated   bool     `json:"Truncated"`
}

// ListKeyPolicies lists a key's policy names: always just "default".
func (a *API) ListKeyPolicies(ctx context.Context, in *ListKeyPoliciesInput) (out *ListKeyPoliciesOutput, err error) {
	c, err := a.k.begin(ctx, "ListKeyPolicies", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	v := c.keyIDViolations(in.KeyId)
	v.limit(in.Limit)
	v.marker(in.Marker)
	if _, err := c.operandKey(v, in.KeyId, keysOnly, anyState); err != nil {
		return nil, err
	}
	names, next, err := paginate([]string{defaultPolicyName}, func(s string) string { return s }, "policies", in.Marker, policiesLimits.size(in.Limit))
	if err != nil {
		return nil, err
	}
	return &ListKeyPoliciesOutput{PolicyNames: names, NextMarker: next, Truncated: next != ""}, nil
}
