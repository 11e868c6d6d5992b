package kms

import (
	"context"
	"slices"
	"strings"
	"time"
)

// aliasNameShape checks an AliasName member against the model.
func aliasNameShape(v *violations, name string) {
	if v.required("aliasName", name) {
		v.length("aliasName", name, 1, 256)
		v.pattern("aliasName", name, aliasNamePattern)
	}
}

// checkAliasName applies the rules of CreateAlias, UpdateAlias and
// DeleteAlias to a well-formed name: the alias/ prefix, and callers may not
// touch the reserved alias/aws/ names.
func checkAliasName(name string) error {
	switch {
	case !strings.HasPrefix(name, aliasPrefix):
		return kmsError(CodeValidation, `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	case name == aliasPrefix:
		return kmsError(CodeInvalidAliasName, "Alias name must have at least one character after the prefix \"alias/\".")
	case strings.HasPrefix(name, reservedAliasPrefix):
		return kmsError(CodeNotAuthorized, "Alias names beginning with alias/aws/ are reserved for AWS managed keys.")
	}
	return nil
}

// aliasNameViolations starts validating a request on one alias: it records
// the AliasName for the audit event and checks its shape first, where AWS
// lists it.
func (c *call) aliasNameViolations(name string) violations {
	c.param("aliasName", name)
	var v violations
	aliasNameShape(&v, name)
	return v
}

// checkAliasRequest ends validating a request on alias name (v: every
// member's violations) with the rules of the names callers may use.
func checkAliasRequest(v violations, name string) error {
	if err := v.err(); err != nil {
		return err
	}
	return checkAliasName(name)
}

// checkRetargetRequest validates the members of CreateAlias and
// UpdateAlias, which point an alias at a key.
func (c *call) checkRetargetRequest(name, target string) error {
	c.param("targetKeyId", target)
	v := c.aliasNameViolations(name)
	v.requiredLength("targetKeyId", target, 1, 2048)
	return checkAliasRequest(v, name)
}

// currentAlias finds an existing alias and authorizes the operation
// (kms:<op>) on the key it points to now.
func (c *call) currentAlias(name string) (aliasRecord, error) {
	current, ok := c.k.lookupAlias(name)
	if !ok {
		return aliasRecord{}, errAliasNotFound(c.k.aliasARN(name))
	}
	if kk := c.k.lookupKey(current.TargetKeyID); kk != nil {
		if err := c.authorize(kk, "kms:"+c.op, nil); err != nil {
			return aliasRecord{}, err
		}
	}
	return current, nil
}

// aliasTarget resolves the TargetKeyId of CreateAlias and UpdateAlias: a
// key id or key ARN, never an alias.
func (c *call) aliasTarget(target, action string) (*key, error) {
	if strings.HasPrefix(target, aliasPrefix) || strings.Contains(target, ":"+aliasPrefix) {
		return nil, kmsError(CodeValidation, "Aliases must refer to keys. Not aliases")
	}
	return c.useKey(target, keysOnly, action, notPending, nil)
}

// CreateAliasInput is the request of CreateAlias.
type CreateAliasInput struct {
	AliasName   string `json:"AliasName"`
	TargetKeyId string `json:"TargetKeyId"`
}

// CreateAliasOutput is the (empty) response of CreateAlias.
type CreateAliasOutput struct{}

// CreateAlias gives a key a new alias.
func (a *API) CreateAlias(ctx context.Context, in *CreateAliasInput) (out *CreateAliasOutput, err error) {
	c, err := a.k.begin(ctx, "CreateAlias", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	if err := c.checkRetargetRequest(in.AliasName, in.TargetKeyId); err != nil {
		return nil, err
	}
	kk, err := c.aliasTarget(in.TargetKeyId, "kms:CreateAlias")
	if err != nil {
		return nil, err
	}
	k := a.k
	k.writeMu.Lock()
	defer k.writeMu.Unlock()
	if _, exists := k.lookupAlias(in.AliasName); exists {
		return nil, kmsError(CodeAlreadyExists, "An alias with the name %s already exists", k.aliasARN(in.AliasName))
	}
	if err := k.targetStillValid(kk.rec.ID); err != nil {
		return nil, err
	}
	now := k.opts.now().UTC()
	rec := aliasRecord{Name: in.AliasName, TargetKeyID: kk.rec.ID, Created: now, Updated: now}
	if err := k.saveAlias(ctx, rec, createRecord); err != nil {
		return nil, err
	}
	return &CreateAliasOutput{}, nil
}

// targetStillValid re-checks, under writeMu, that an alias target was not
// deleted or scheduled for deletion since it was authorized.
func (k *KMS) targetStillValid(id string) error {
	cur := k.lookupKey(id)
	if cur == nil {
		return errKeyNotFound(k.keyARN(id))
	}
	return notPending.check(cur)
}

// UpdateAliasInput is the request of UpdateAlias.
type UpdateAliasInput struct {
	AliasName   string `json:"AliasName"`
	TargetKeyId string `json:"TargetKeyId"`
}

// UpdateAliasOutput is the (empty) response of UpdateAlias.
type UpdateAliasOutput struct{}

// UpdateAlias points an existing alias at another key. The caller needs
// kms:UpdateAlias on both the old and the new key.
func (a *API) UpdateAlias(ctx context.Context, in *UpdateAliasInput) (out *UpdateAliasOutput, err error) {
	c, err := a.k.begin(ctx, "UpdateAlias", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	if err := c.checkRetargetRequest(in.AliasName, in.TargetKeyId); err != nil {
		return nil, err
	}
	current, err := c.currentAlias(in.AliasName)
	if err != nil {
		return nil, err
	}
	kk, err := c.aliasTarget(in.TargetKeyId, "kms:UpdateAlias")
	if err != nil {
		return nil, err
	}
	k := a.k
	k.writeMu.Lock()
	defer k.writeMu.Unlock()
	latest, ok := k.lookupAlias(in.AliasName)
	if !ok || latest.TargetKeyID != current.TargetKeyID {
		return nil, kmsError(CodeNotFound, "Alias %s changed during the update; retry.", k.aliasARN(in.AliasName))
	}
	if err := k.targetStillValid(kk.rec.ID); err != nil {
		return nil, err
	}
	latest.TargetKeyID, latest.Updated = kk.rec.ID, k.opts.now().UTC()
	if err := k.saveAlias(ctx, latest, replaceRecord); err != nil {
		return nil, err
	}
	return &UpdateAliasOutput{}, nil
}

// DeleteAliasInput is the request of DeleteAlias.
type DeleteAliasInput struct {
	AliasName string `json:"AliasName"`
}

// DeleteAliasOutput is the (empty) response of DeleteAlias.
type DeleteAliasOutput struct{}

// DeleteAlias deletes an alias; its key is unaffected.
func (a *API) DeleteAlias(ctx context.Context, in *DeleteAliasInput) (out *DeleteAliasOutput, err error) {
	c, err := a.k.begin(ctx, "DeleteAlias", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	if err := checkAliasRequest(c.aliasNameViolations(in.AliasName), in.AliasName); err != nil {
		return nil, err
	}
	if _, err := c.currentAlias(in.AliasName); err != nil {
		return nil, err
	}
	k := a.k
	k.writeMu.Lock()
	defer k.writeMu.Unlock()
	if err := k.removeAlias(ctx, in.AliasName); err != nil {
		return nil, err
	}
	return &DeleteAliasOutput{}, nil
}

// ListAliasesInput is the request of ListAliases.
type ListAliasesInput struct {
	KeyId  string `json:"KeyId"`
	Limit  *int32 `json:"Limit"`
	Marker string `json:"Marker"`
}

// AliasListEntry is one alias in ListAliases. The predefined alias
// alias/aws/s3 is listed without a target until its key exists.
type AliasListEntry struct {
	AliasName       string    `json:"AliasName"`
	AliasArn        string    `json:"AliasArn"`
	TargetKeyId     string    `json:"TargetKeyId,omitempty"`
	CreationDate    time.Time `json:"CreationDate,omitzero"`
	LastUpdatedDate time.Time `json:"LastUpdatedDate,omitzero"`
}

// ListAliasesOutput is the response of ListAliases.
type ListAliasesOutput struct {
	Aliases    []AliasListEntry `json:"Aliases"`
	NextMarker string           `json:"NextMarker,omitempty"`
	Truncated  bool             `json:"Truncated"`
}

// ListAliases lists the account's aliases in name order, or those of one
// key (KeyId: key id or key ARN).
func (a *API) ListAliases(ctx context.Context, in *ListAliasesInput) (out *ListAliasesOutput, err error) {
	c, err := a.k.begin(ctx, "ListAliases", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("keyId", in.KeyId)
	var v violations
	v.length("keyId", in.KeyId, 0, 2048)
	v.limit(in.Limit)
	v.marker(in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := c.authorizeAccount("kms:ListAliases"); err != nil {
		return nil, err
	}
	targetID := ""
	if in.KeyId != "" {
		kk, err := c.resolve(in.KeyId, keysOnly)
		if err != nil {
			return nil, err
		}
		targetID = kk.rec.ID
		c.resource(kk.arn)
	}
	entries := a.k.aliasEntries(targetID)
	page, next, err := paginate(entries, func(e AliasListEntry) string { return e.AliasName }, "aliases", in.Marker, aliasesLimits.size(in.Limit))
	if err != nil {
		return nil, err
	}
	return &ListAliasesOutput{Aliases: page, NextMarker: next, Truncated: next != ""}, nil
}

// aliasEntries lists the aliases of targetID ("" for all, then with the
// predefined alias/aws/s3 even before its key exists), sorted by name.
func (k *KMS) aliasEntries(targetID string) []AliasListEntry {
	k.mu.RLock()
	entries := make([]AliasListEntry, 0, len(k.aliases)+1)
	for _, a := range k.aliases {
		if targetID != "" && a.TargetKeyID != targetID {
			continue
		}
		entries = append(entries, AliasListEntry{AliasName: a.Name, AliasArn: k.aliasARN(a.Name), TargetKeyId: a.TargetKeyID, CreationDate: a.Created, LastUpdatedDate: a.Updated})
	}
	_, managed := k.aliases[s3ManagedAlias]
	k.mu.RUnlock()
	if targetID == "" && !managed {
		entries = append(entries, AliasListEntry{AliasName: s3ManagedAlias, AliasArn: k.aliasARN(s3ManagedAlias)})
	}
	slices.SortFunc(entries, func(x, y AliasListEntry) int { return strings.Compare(x.AliasName, y.AliasName) })
	return entries
}
