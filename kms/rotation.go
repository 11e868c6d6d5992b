package kms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Rotation bounds: the automatic period in days, and on-demand rotations
// per key.
const (
	minRotationPeriod     = 90
	maxRotationPeriod     = 2560
	defaultRotationPeriod = 365
	maxOnDemandRotations  = 25
)

// EnableKeyRotationInput is the request of EnableKeyRotation.
type EnableKeyRotationInput struct {
	KeyId                string `json:"KeyId"`
	RotationPeriodInDays *int32 `json:"RotationPeriodInDays"`
}

// EnableKeyRotationOutput is the (empty) response of EnableKeyRotation.
type EnableKeyRotationOutput struct{}

// EnableKeyRotation turns on automatic rotation every RotationPeriodInDays
// (90..2560, default 365). The first rotation is due a period after
// rotation was first enabled; changing the period keeps that start.
func (a *API) EnableKeyRotation(ctx context.Context, in *EnableKeyRotationInput) (out *EnableKeyRotationOutput, err error) {
	c, err := a.k.begin(ctx, "EnableKeyRotation", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("rotationPeriodInDays", in.RotationPeriodInDays)
	v := c.keyIDViolations(in.KeyId)
	v.rangeOf("rotationPeriodInDays", in.RotationPeriodInDays, minRotationPeriod, maxRotationPeriod)
	kk, err := c.operandKey(v, in.KeyId, keysOnly, enabledOnly)
	if err != nil {
		return nil, err
	}
	period := int32(defaultRotationPeriod)
	if in.RotationPeriodInDays != nil {
		period = *in.RotationPeriodInDays
	}
	_, err = c.changeKey(kk, enabledOnly, func(_ *key, rec *keyRecord) error {
		if !rec.Rotation.Enabled {
			rec.Rotation.Anchor = a.k.opts.now().UTC()
		}
		rec.Rotation.Enabled, rec.Rotation.PeriodInDays = true, period
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &EnableKeyRotationOutput{}, nil
}

// DisableKeyRotationInput is the request of DisableKeyRotation.
type DisableKeyRotationInput struct {
	KeyId string `json:"KeyId"`
}

// DisableKeyRotationOutput is the (empty) response of DisableKeyRotation.
type DisableKeyRotationOutput struct{}

// DisableKeyRotation turns automatic rotation off; material versions made
// so far stay.
func (a *API) DisableKeyRotation(ctx context.Context, in *DisableKeyRotationInput) (out *DisableKeyRotationOutput, err error) {
	c, err := a.k.begin(ctx, "DisableKeyRotation", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	kk, err := c.operandKey(c.keyIDViolations(in.KeyId), in.KeyId, keysOnly, enabledOnly)
	if err != nil {
		return nil, err
	}
	_, err = c.changeKey(kk, enabledOnly, func(_ *key, rec *keyRecord) error {
		rec.Rotation = rotationRecord{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DisableKeyRotationOutput{}, nil
}

// GetKeyRotationStatusInput is the request of GetKeyRotationStatus.
type GetKeyRotationStatusInput struct {
	KeyId string `json:"KeyId"`
}

// GetKeyRotationStatusOutput is the response of GetKeyRotationStatus.
type GetKeyRotationStatusOutput struct {
	KeyRotationEnabled   bool      `json:"KeyRotationEnabled"`
	KeyId                string    `json:"KeyId"`
	RotationPeriodInDays int32     `json:"RotationPeriodInDays,omitempty"`
	NextRotationDate     time.Time `json:"NextRotationDate,omitzero"`
}

// GetKeyRotationStatus reports whether automatic rotation is on, its
// period and when the next rotation is due.
func (a *API) GetKeyRotationStatus(ctx context.Context, in *GetKeyRotationStatusInput) (out *GetKeyRotationStatusOutput, err error) {
	c, err := a.k.begin(ctx, "GetKeyRotationStatus", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	kk, err := c.operandKey(c.keyIDViolations(in.KeyId), in.KeyId, keysOnly, notPending)
	if err != nil {
		return nil, err
	}
	out = &GetKeyRotationStatusOutput{KeyRotationEnabled: kk.rec.Rotation.Enabled, KeyId: kk.arn}
	if kk.rec.Rotation.Enabled {
		out.RotationPeriodInDays = kk.rec.Rotation.PeriodInDays
		out.NextRotationDate = kk.rec.Rotation.next()
	}
	return out, nil
}

// RotateKeyOnDemandInput is the request of RotateKeyOnDemand.
type RotateKeyOnDemandInput struct {
	KeyId string `json:"KeyId"`
}

// RotateKeyOnDemandOutput is the response of RotateKeyOnDemand.
type RotateKeyOnDemandOutput struct {
	KeyId string `json:"KeyId"`
}

// RotateKeyOnDemand adds a new current key material version now (at most
// 25 times per key); the automatic schedule is unchanged.
func (a *API) RotateKeyOnDemand(ctx context.Context, in *RotateKeyOnDemandInput) (out *RotateKeyOnDemandOutput, err error) {
	c, err := a.k.begin(ctx, "RotateKeyOnDemand", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	kk, err := c.operandKey(c.keyIDViolations(in.KeyId), in.KeyId, keysOnly, enabledOnly)
	if err != nil {
		return nil, err
	}
	kk, err = c.changeKey(kk, enabledOnly, func(cur *key, rec *keyRecord) error {
		if rec.OnDemandRotations >= maxOnDemandRotations {
			return kmsError(CodeLimitExceeded, "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s", cur.arn)
		}
		m, err := a.k.newMaterial(a.k.opts.now().UTC(), RotationOnDemand)
		if err != nil {
			return err
		}
		rec.Materials = append(rec.Materials, m)
		rec.OnDemandRotations++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &RotateKeyOnDemandOutput{KeyId: kk.arn}, nil
}

// IncludeKeyMaterial selects what ListKeyRotations lists.
type IncludeKeyMaterial string

const (
	IncludeRotationsOnly  IncludeKeyMaterial = "ROTATIONS_ONLY"
	IncludeAllKeyMaterial IncludeKeyMaterial = "ALL_KEY_MATERIAL"
)

// KeyMaterialState says whether a material version encrypts.
type KeyMaterialState string

const (
	KeyMaterialCurrent    KeyMaterialState = "CURRENT"
	KeyMaterialNonCurrent KeyMaterialState = "NON_CURRENT"
)

// ListKeyRotationsInput is the request of ListKeyRotations.
type ListKeyRotationsInput struct {
	KeyId              string             `json:"KeyId"`
	IncludeKeyMaterial IncludeKeyMaterial `json:"IncludeKeyMaterial"`
	Limit              *int32             `json:"Limit"`
	Marker             string             `json:"Marker"`
}

// RotationsListEntry is one key material version in ListKeyRotations.
type RotationsListEntry struct {
	KeyId            string           `json:"KeyId"`
	KeyMaterialId    string           `json:"KeyMaterialId"`
	KeyMaterialState KeyMaterialState `json:"KeyMaterialState"`
	RotationDate     time.Time        `json:"RotationDate,omitzero"`
	RotationType     RotationType     `json:"RotationType,omitempty"`
}

// ListKeyRotationsOutput is the response of ListKeyRotations.
type ListKeyRotationsOutput struct {
	Rotations  []RotationsListEntry `json:"Rotations"`
	NextMarker string               `json:"NextMarker,omitempty"`
	Truncated  bool                 `json:"Truncated"`
}

// ListKeyRotations lists a key's rotations, oldest first; with
// ALL_KEY_MATERIAL it starts with the key's original material.
func (a *API) ListKeyRotations(ctx context.Context, in *ListKeyRotationsInput) (out *ListKeyRotationsOutput, err error) {
	c, err := a.k.begin(ctx, "ListKeyRotations", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("includeKeyMaterial", string(in.IncludeKeyMaterial))
	v := c.keyIDViolations(in.KeyId)
	enum(&v, "includeKeyMaterial", in.IncludeKeyMaterial, IncludeAllKeyMaterial, IncludeRotationsOnly)
	v.limit(in.Limit)
	v.marker(in.Marker)
	kk, err := c.operandKey(v, in.KeyId, keysOnly, anyState)
	if err != nil {
		return nil, err
	}
	type indexed struct {
		seq   string
		entry RotationsListEntry
	}
	var all []indexed
	last := len(kk.rec.Materials) - 1
	for i, m := range kk.rec.Materials {
		if m.Rotation == "" && in.IncludeKeyMaterial != IncludeAllKeyMaterial {
			continue
		}
		e := RotationsListEntry{KeyId: kk.rec.ID, KeyMaterialId: m.ID, KeyMaterialState: KeyMaterialNonCurrent, RotationType: m.Rotation}
		if m.Rotation != "" {
			e.RotationDate = m.Created
		}
		if i == last {
			e.KeyMaterialState = KeyMaterialCurrent
		}
		all = append(all, indexed{seq: fmt.Sprintf("%08d", i), entry: e})
	}
	page, next, err := paginate(all, func(x indexed) string { return x.seq }, "rotations", in.Marker, rotationsLimits.size(in.Limit))
	if err != nil {
		return nil, err
	}
	out = &ListKeyRotationsOutput{Rotations: make([]RotationsListEntry, len(page)), NextMarker: next, Truncated: next != ""}
	for i, x := range page {
		out.Rotations[i] = x.entry
	}
	return out, nil
}

// RotateDueKeys rotates every Enabled key whose automatic rotation is due
// (AWS managed keys included, yearly). The server calls it periodically;
// it returns how many keys it rotated. Disabled keys are rotated when they
// are enabled again and found due.
func (k *KMS) RotateDueKeys(ctx context.Context) (int, error) {
	now := k.opts.now()
	k.mu.RLock()
	var due []string
	for id, kk := range k.keys {
		if rotationDue(kk, now) {
			due = append(due, id)
		}
	}
	k.mu.RUnlock()
	slices.Sort(due)
	rotated := 0
	for _, id := range due {
		_, err := k.updateKey(ctx, id, func(cur *key, rec *keyRecord) error {
			if !rotationDue(cur, now) {
				return errUnchanged
			}
			m, err := k.newMaterial(now.UTC(), RotationAutomatic)
			if err != nil {
				return err
			}
			rec.Materials = append(rec.Materials, m)
			rec.Rotation.Anchor = now.UTC()
			return nil
		})
		switch {
		case errors.Is(err, errUnchanged) || isCode(err, CodeNotFound):
			continue // disabled, rescheduled or deleted meanwhile
		case err != nil:
			k.internalEvent(ctx, "RotateKey", k.keyARN(id), err)
			return rotated, err
		}
		k.internalEvent(ctx, "RotateKey", k.keyARN(id), nil)
		rotated++
	}
	return rotated, nil
}

func rotationDue(kk *key, now time.Time) bool {
	r := kk.rec.Rotation
	return kk.rec.State == KeyStateEnabled && r.Enabled && !now.Before(r.next())
}
