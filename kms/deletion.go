package kms

import (
	"context"
	"slices"
	"time"
)

// Deletion waiting period bounds, in days (the model allows 1..365; AWS
// enforces 7..30).
const (
	minPendingWindow     = 7
	maxPendingWindow     = 30
	defaultPendingWindow = 30
)

// ScheduleKeyDeletionInput is the request of ScheduleKeyDeletion.
type ScheduleKeyDeletionInput struct {
	KeyId               string `json:"KeyId"`
	PendingWindowInDays *int32 `json:"PendingWindowInDays"`
}

// ScheduleKeyDeletionOutput is the response of ScheduleKeyDeletion.
type ScheduleKeyDeletionOutput struct {
	KeyId               string    `json:"KeyId"`
	DeletionDate        time.Time `json:"DeletionDate"`
	KeyState            KeyState  `json:"KeyState"`
	PendingWindowInDays int32     `json:"PendingWindowInDays"`
}

// ScheduleKeyDeletion puts a key in PendingDeletion for 7 to 30 days
// (default 30). It cannot be used meanwhile; CancelKeyDeletion restores
// it (Disabled). When the window has passed, DeleteExpiredKeys destroys it.
func (a *API) ScheduleKeyDeletion(ctx context.Context, in *ScheduleKeyDeletionInput) (out *ScheduleKeyDeletionOutput, err error) {
	c, err := a.k.begin(ctx, "ScheduleKeyDeletion", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("pendingWindowInDays", in.PendingWindowInDays)
	v := c.keyIDViolations(in.KeyId)
	v.rangeOf("pendingWindowInDays", in.PendingWindowInDays, 1, 365)
	if err := v.err(); err != nil {
		return nil, err
	}
	// Within the model's range, AWS enforces a narrower one.
	v.rangeOf("pendingWindowInDays", in.PendingWindowInDays, minPendingWindow, maxPendingWindow)
	kk, err := c.operandKey(v, in.KeyId, keysOnly, notPending)
	if err != nil {
		return nil, err
	}
	days := int32(defaultPendingWindow)
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
	}
	kk, err = c.changeKey(kk, notPending, func(_ *key, rec *keyRecord) error {
		rec.State = KeyStatePendingDeletion
		rec.DeletionDate = a.k.opts.now().UTC().Add(time.Duration(days) * 24 * time.Hour)
		rec.PendingWindowInDays = days
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ScheduleKeyDeletionOutput{KeyId: kk.arn, DeletionDate: kk.rec.DeletionDate, KeyState: kk.rec.State, PendingWindowInDays: days}, nil
}

// CancelKeyDeletionInput is the request of CancelKeyDeletion.
type CancelKeyDeletionInput struct {
	KeyId string `json:"KeyId"`
}

// CancelKeyDeletionOutput is the response of CancelKeyDeletion.
type CancelKeyDeletionOutput struct {
	KeyId string `json:"KeyId"`
}

// CancelKeyDeletion takes a key out of PendingDeletion; it becomes
// Disabled, as on AWS.
func (a *API) CancelKeyDeletion(ctx context.Context, in *CancelKeyDeletionInput) (out *CancelKeyDeletionOutput, err error) {
	c, err := a.k.begin(ctx, "CancelKeyDeletion", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	kk, err := c.operandKey(c.keyIDViolations(in.KeyId), in.KeyId, keysOnly, pendingOnly)
	if err != nil {
		return nil, err
	}
	kk, err = c.changeKey(kk, pendingOnly, func(_ *key, rec *keyRecord) error {
		rec.State, rec.DeletionDate, rec.PendingWindowInDays = KeyStateDisabled, time.Time{}, 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CancelKeyDeletionOutput{KeyId: kk.arn}, nil
}

// DeleteExpiredKeys deletes every key whose deletion waiting period has
// passed, with all its key material and aliases: whatever it encrypted can
// never be decrypted again (crypto-shredding). The server calls it
// periodically; it returns how many keys it deleted. A failure leaves the
// key pending, to be retried by the next sweep.
func (k *KMS) DeleteExpiredKeys(ctx context.Context) (int, error) {
	now := k.opts.now()
	k.mu.RLock()
	var due []string
	for id, kk := range k.keys {
		if kk.rec.State == KeyStatePendingDeletion && !now.Before(kk.rec.DeletionDate) {
			due = append(due, id)
		}
	}
	k.mu.RUnlock()
	slices.Sort(due)
	deleted := 0
	for _, id := range due {
		gone, err := k.deleteKey(ctx, id, now)
		if gone || err != nil {
			k.internalEvent(ctx, "DeleteKey", k.keyARN(id), err)
		}
		if err != nil {
			return deleted, err
		}
		if gone {
			deleted++
		}
	}
	return deleted, nil
}

// deleteKey removes a key whose window has passed: its aliases first, so
// that an interrupted sweep never leaves an alias to a missing key, then
// the key record holding all its material. It reports false when the
// deletion was cancelled meanwhile.
func (k *KMS) deleteKey(ctx context.Context, id string, now time.Time) (bool, error) {
	k.writeMu.Lock()
	defer k.writeMu.Unlock()
	kk := k.lookupKey(id)
	if kk == nil || kk.rec.State != KeyStatePendingDeletion || now.Before(kk.rec.DeletionDate) {
		return false, nil
	}
	for _, a := range k.aliasEntries(id) {
		if err := k.removeAlias(ctx, a.AliasName); err != nil {
			return false, err
		}
	}
	if err := k.removeKey(ctx, id); err != nil {
		return false, err
	}
	return true, nil
}
