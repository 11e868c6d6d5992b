package kms

import (
	"context"
	"regexp"
	"slices"
	"time"
)

// CreateKeyInput is the request of CreateKey.
type CreateKeyInput struct {
	Policy                         string     `json:"Policy"`
	Description                    string     `json:"Description"`
	KeyUsage                       KeyUsage   `json:"KeyUsage"`
	CustomerMasterKeySpec          KeySpec    `json:"CustomerMasterKeySpec"`
	KeySpec                        KeySpec    `json:"KeySpec"`
	Origin                         OriginType `json:"Origin"`
	CustomKeyStoreId               string     `json:"CustomKeyStoreId"`
	BypassPolicyLockoutSafetyCheck bool       `json:"BypassPolicyLockoutSafetyCheck"`
	Tags                           []Tag      `json:"Tags"`
	MultiRegion                    bool       `json:"MultiRegion"`
	XksKeyId                       string     `json:"XksKeyId"`
}

// CreateKeyOutput is the response of CreateKey.
type CreateKeyOutput struct {
	KeyMetadata *KeyMetadata `json:"KeyMetadata"`
}

var policyPattern = regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+$`)

const (
	maxPolicyLength      = 131072
	maxDescriptionLength = 8192
)

// CreateKey creates a symmetric encryption key (SYMMETRIC_DEFAULT,
// ENCRYPT_DECRYPT, origin AWS_KMS) with fresh key material, the default key
// policy unless one is given, and the given tags.
func (a *API) CreateKey(ctx context.Context, in *CreateKeyInput) (out *CreateKeyOutput, err error) {
	c, err := a.k.begin(ctx, "CreateKey", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("description", in.Description)
	c.param("keyUsage", string(in.KeyUsage))
	c.param("keySpec", string(in.KeySpec))
	c.param("origin", string(in.Origin))
	c.param("policy", in.Policy)
	c.param("bypassPolicyLockoutSafetyCheck", in.BypassPolicyLockoutSafetyCheck)
	if err := validateCreateKey(in); err != nil {
		return nil, err
	}
	if err := c.authorizeAccount("kms:CreateKey"); err != nil {
		return nil, err
	}
	id, err := a.k.newKeyID()
	if err != nil {
		return nil, err
	}
	policy := a.k.defaultPolicy()
	if in.Policy != "" {
		if err := c.checkNewPolicy(in.Policy, a.k.keyARN(id), in.BypassPolicyLockoutSafetyCheck); err != nil {
			return nil, err
		}
		policy = in.Policy
	}
	kk, err := a.k.createKey(ctx, keyRecord{
		ID:          id,
		Description: in.Description,
		Manager:     KeyManagerCustomer,
		Policy:      policy,
		Tags:        slices.Clone(in.Tags),
	})
	if err != nil {
		return nil, err
	}
	c.resource(kk.arn)
	return &CreateKeyOutput{KeyMetadata: a.k.metadata(kk)}, nil
}

func validateCreateKey(in *CreateKeyInput) error {
	var v violations
	if in.Policy != "" {
		v.length("policy", in.Policy, 1, maxPolicyLength)
		v.pattern("policy", in.Policy, policyPattern)
	}
	v.length("description", in.Description, 0, maxDescriptionLength)
	enum(&v, "keyUsage", in.KeyUsage, KeyUsageSignVerify, KeyUsageEncryptDecrypt, KeyUsageGenerateVerifyMAC, KeyUsageKeyAgreement)
	enum(&v, "customerMasterKeySpec", in.CustomerMasterKeySpec, modelCustomerMasterKeySpecs...)
	enum(&v, "keySpec", in.KeySpec, modelKeySpecs...)
	enum(&v, "origin", in.Origin, modelOrigins...)
	v.length("customKeyStoreId", in.CustomKeyStoreId, 0, 64)
	v.length("xksKeyId", in.XksKeyId, 0, 128)
	v.tags(in.Tags)
	if err := v.err(); err != nil {
		return err
	}
	spec := in.KeySpec
	switch {
	case in.KeySpec != "" && in.CustomerMasterKeySpec != "":
		return kmsError(CodeValidation, "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.")
	case spec == "":
		spec = in.CustomerMasterKeySpec
	}
	switch {
	case spec != "" && spec != KeySpecSymmetricDefault:
		return errUnsupported("KeySpec %s is not supported: Coffer's KMS keys are SYMMETRIC_DEFAULT.", spec)
	case in.KeyUsage != "" && in.KeyUsage != KeyUsageEncryptDecrypt:
		return errUnsupported("KeyUsage %s is not supported: Coffer's KMS keys are ENCRYPT_DECRYPT.", in.KeyUsage)
	case in.Origin != "" && in.Origin != OriginAWSKMS:
		return errUnsupported("Origin %s is not supported: Coffer's KMS keys have origin AWS_KMS.", in.Origin)
	case in.CustomKeyStoreId != "":
		return kmsError(CodeCustomKeyStoreNotFound, "Custom key store %s does not exist: Coffer's KMS has no custom key stores.", clip(in.CustomKeyStoreId))
	case in.XksKeyId != "":
		return errUnsupported("External key stores are not supported.")
	case in.MultiRegion:
		return errUnsupported("Multi-Region keys are not supported.")
	}
	return checkTags(in.Tags, nil)
}

// newKeyID draws a random (version 4) UUID.
func (k *KMS) newKeyID() (string, error) {
	var b [16]byte
	if err := k.readRandom(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return uuidString(b), nil
}

// newMaterial draws fresh key material.
func (k *KMS) newMaterial(now time.Time, rotation RotationType) (materialRecord, error) {
	secret := make([]byte, materialSize)
	if err := k.readRandom(secret); err != nil {
		return materialRecord{}, err
	}
	return materialRecord{ID: deriveMaterialID(secret).String(), Secret: secret, Created: now, Rotation: rotation}, nil
}

// createKey completes rec (creation time, state, first material) and
// stores it as a new key.
func (k *KMS) createKey(ctx context.Context, rec keyRecord) (*key, error) {
	k.writeMu.Lock()
	defer k.writeMu.Unlock()
	return k.createKeyLocked(ctx, rec)
}

func (k *KMS) createKeyLocked(ctx context.Context, rec keyRecord) (*key, error) {
	now := k.opts.now().UTC()
	m, err := k.newMaterial(now, "")
	if err != nil {
		return nil, err
	}
	rec.Created, rec.State, rec.Materials = now, KeyStateEnabled, []materialRecord{m}
	return k.saveKey(ctx, rec, createRecord)
}

// DescribeKeyInput is the request of DescribeKey.
type DescribeKeyInput struct {
	KeyId       string   `json:"KeyId"`
	GrantTokens []string `json:"GrantTokens"`
}

// DescribeKeyOutput is the response of DescribeKey.
type DescribeKeyOutput struct {
	KeyMetadata *KeyMetadata `json:"KeyMetadata"`
}

// DescribeKey describes a key named by id, ARN, alias or alias ARN, in any
// state.
func (a *API) DescribeKey(ctx context.Context, in *DescribeKeyInput) (out *DescribeKeyOutput, err error) {
	c, err := a.k.begin(ctx, "DescribeKey", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	v := c.keyIDViolations(in.KeyId)
	v.grantTokens(in.GrantTokens)
	kk, err := c.operandKey(v, in.KeyId, keysOrAliases, anyState)
	if err != nil {
		return nil, err
	}
	return &DescribeKeyOutput{KeyMetadata: a.k.metadata(kk)}, nil
}

// ListKeysInput is the request of ListKeys.
type ListKeysInput struct {
	Limit  *int32 `json:"Limit"`
	Marker string `json:"Marker"`
}

// KeyListEntry is one key in ListKeys.
type KeyListEntry struct {
	KeyId  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

// ListKeysOutput is the response of ListKeys.
type ListKeysOutput struct {
	Keys       []KeyListEntry `json:"Keys"`
	NextMarker string         `json:"NextMarker,omitempty"`
	Truncated  bool           `json:"Truncated"`
}

// ListKeys lists every key of the account, in key id order.
func (a *API) ListKeys(ctx context.Context, in *ListKeysInput) (out *ListKeysOutput, err error) {
	c, err := a.k.begin(ctx, "ListKeys", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	var v violations
	v.limit(in.Limit)
	v.marker(in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := c.authorizeAccount("kms:ListKeys"); err != nil {
		return nil, err
	}
	a.k.mu.RLock()
	ids := make([]string, 0, len(a.k.keys))
	for id := range a.k.keys {
		ids = append(ids, id)
	}
	a.k.mu.RUnlock()
	slices.Sort(ids)
	page, next, err := paginate(ids, func(id string) string { return id }, "keys", in.Marker, keysLimits.size(in.Limit))
	if err != nil {
		return nil, err
	}
	out = &ListKeysOutput{Keys: make([]KeyListEntry, len(page)), NextMarker: next, Truncated: next != ""}
	for i, id := range page {
		out.Keys[i] = KeyListEntry{KeyId: id, KeyArn: a.k.keyARN(id)}
	}
	return out, nil
}

// EnableKeyInput is the request of EnableKey.
type EnableKeyInput struct {
	KeyId string `json:"KeyId"`
}

// EnableKeyOutput is the (empty) response of EnableKey.
type EnableKeyOutput struct{}

// EnableKey makes a Disabled key Enabled.
func (a *API) EnableKey(ctx context.Context, in *EnableKeyInput) (out *EnableKeyOutput, err error) {
	in = orEmpty(in)
	if err := a.setEnabled(ctx, "EnableKey", in.KeyId, KeyStateEnabled); err != nil {
		return nil, err
	}
	return &EnableKeyOutput{}, nil
}

// DisableKeyInput is the request of DisableKey.
type DisableKeyInput struct {
	KeyId string `json:"KeyId"`
}

// DisableKeyOutput is the (empty) response of DisableKey.
type DisableKeyOutput struct{}

// DisableKey makes a key Disabled: it can no longer encrypt or decrypt
// until it is enabled again.
func (a *API) DisableKey(ctx context.Context, in *DisableKeyInput) (out *DisableKeyOutput, err error) {
	in = orEmpty(in)
	if err := a.setEnabled(ctx, "DisableKey", in.KeyId, KeyStateDisabled); err != nil {
		return nil, err
	}
	return &DisableKeyOutput{}, nil
}

func (a *API) setEnabled(ctx context.Context, op, keyID string, state KeyState) (err error) {
	c, err := a.k.begin(ctx, op, writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return err
	}
	kk, err := c.operandKey(c.keyIDViolations(keyID), keyID, keysOnly, notPending)
	if err != nil {
		return err
	}
	_, err = c.changeKey(kk, notPending, func(_ *key, rec *keyRecord) error {
		rec.State = state
		return nil
	})
	return err
}

// UpdateKeyDescriptionInput is the request of UpdateKeyDescription.
type UpdateKeyDescriptionInput struct {
	KeyId       string  `json:"KeyId"`
	Description *string `json:"Description"`
}

// UpdateKeyDescriptionOutput is the (empty) response of UpdateKeyDescription.
type UpdateKeyDescriptionOutput struct{}

// UpdateKeyDescription replaces a key's description.
func (a *API) UpdateKeyDescription(ctx context.Context, in *UpdateKeyDescriptionInput) (out *UpdateKeyDescriptionOutput, err error) {
	c, err := a.k.begin(ctx, "UpdateKeyDescription", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	v := c.keyIDViolations(in.KeyId)
	if in.Description == nil {
		v.add("null", "description", "not be null")
	} else {
		c.param("description", *in.Description)
		v.length("description", *in.Description, 0, maxDescriptionLength)
	}
	kk, err := c.operandKey(v, in.KeyId, keysOnly, notPending)
	if err != nil {
		return nil, err
	}
	_, err = c.changeKey(kk, notPending, func(_ *key, rec *keyRecord) error {
		rec.Description = *in.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UpdateKeyDescriptionOutput{}, nil
}
