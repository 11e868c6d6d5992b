package iam

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/cofferlabs/coffer/policy"
)

// PutUserPolicy adds or replaces the inline policy policyName (1-128
// characters of [\w+=,.@-]) of the user named userName. The document must
// be a valid identity policy (policy.ParseWith with IdentityPolicy: no
// Principal) of tab, line feed, carriage return and U+0020..U+00FF, and
// the user's inline policies together may not exceed MaxInlinePolicySize
// characters, white space not counted. The document is kept exactly as
// sent. ErrValidation, ErrMalformedPolicy (with the parser's explanation),
// ErrNoSuchEntity, ErrLimitExceeded.
func (d *Directory) PutUserPolicy(ctx context.Context, userName, policyName, document string) error {
	var v violations
	v.name("userName", userName, maxUserNameLength)
	v.name("policyName", policyName, maxPolicyNameLength)
	v.policyDocument("policyDocument", document)
	if err := v.err(); err != nil {
		return err
	}
	if err := CheckPolicyDocument(document); err != nil {
		return err
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	u, err := d.lookupUser(userName)
	if err != nil {
		return err
	}
	size := policySize(document)
	for _, p := range u.policies {
		if p.Name != policyName {
			size += policySize(p.Document)
		}
	}
	if size > MaxInlinePolicySize {
		return newError(ErrLimitExceeded, "Maximum policy size of %d bytes exceeded for user %s", MaxInlinePolicySize, u.name)
	}
	updated := *u
	updated.policies = slices.DeleteFunc(slices.Clone(u.policies), func(p policyRecord) bool { return p.Name == policyName })
	updated.policies = append(updated.policies, policyRecord{Name: policyName, Document: document})
	slices.SortFunc(updated.policies, func(a, b policyRecord) int { return strings.Compare(a.Name, b.Name) })
	return d.replaceUser(ctx, &updated)
}

// CheckPolicyDocument parses document as an identity policy and returns an
// ErrMalformedPolicy *Error saying what is wrong, or nil. It does not
// check the characters or the size IAM allows (PutUserPolicy does).
func CheckPolicyDocument(document string) error {
	_, err := policy.ParseWith([]byte(document), policy.Options{Kind: policy.IdentityPolicy, MaxSize: maxPolicyDocumentLength * 2})
	if err == nil {
		return nil
	}
	var pe *policy.Error
	if errors.As(err, &pe) {
		return newError(ErrMalformedPolicy, "%s", pe.Public())
	}
	return newError(ErrMalformedPolicy, "The policy document could not be parsed.")
}

// GetUserPolicy returns the document of the inline policy policyName of
// the user named userName, exactly as it was put. ErrValidation,
// ErrNoSuchEntity.
func (d *Directory) GetUserPolicy(userName, policyName string) (string, error) {
	var v violations
	v.name("userName", userName, maxUserNameLength)
	v.name("policyName", policyName, maxPolicyNameLength)
	if err := v.err(); err != nil {
		return "", err
	}
	u, err := d.readUser(userName)
	if err != nil {
		return "", err
	}
	p, ok := u.policy(policyName)
	if !ok {
		return "", noSuchPolicy(policyName)
	}
	return p.Document, nil
}

// ListUserPolicies returns the names of the inline policies of the user
// named userName, sorted. ErrValidation, ErrNoSuchEntity.
func (d *Directory) ListUserPolicies(userName string) ([]string, error) {
	var v violations
	v.name("userName", userName, maxUserNameLength)
	if err := v.err(); err != nil {
		return nil, err
	}
	u, err := d.readUser(userName)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(u.policies))
	for _, p := range u.policies {
		names = append(names, p.Name)
	}
	return names, nil
}

// DeleteUserPolicy removes the inline policy policyName of the user named
// userName. ErrValidation, ErrNoSuchEntity.
func (d *Directory) DeleteUserPolicy(ctx context.Context, userName, policyName string) error {
	var v violations
	v.name("userName", userName, maxUserNameLength)
	v.name("policyName", policyName, maxPolicyNameLength)
	if err := v.err(); err != nil {
		return err
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	u, err := d.lookupUser(userName)
	if err != nil {
		return err
	}
	if _, ok := u.policy(policyName); !ok {
		return noSuchPolicy(policyName)
	}
	updated := *u
	updated.policies = slices.DeleteFunc(slices.Clone(u.policies), func(p policyRecord) bool { return p.Name == policyName })
	return d.replaceUser(ctx, &updated)
}

// replaceUser writes and publishes a changed user; callers hold writeMu.
func (d *Directory) replaceUser(ctx context.Context, u *user) error {
	if err := d.writeUser(ctx, u, false); err != nil {
		return err
	}
	d.publish(func() { d.users[foldName(u.name)] = u })
	return nil
}
