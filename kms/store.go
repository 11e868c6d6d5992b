package kms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cofferlabs/coffer"
)

// Key store names (FORMAT.md §3).
const (
	keyNamePrefix   = "kms/key/"
	aliasNamePrefix = "kms/alias/"
)

func keyStoreName(id string) string { return keyNamePrefix + id }
func aliasStoreName(alias string) string {
	return aliasNamePrefix + strings.TrimPrefix(alias, aliasPrefix)
}

// load opens every stored key and alias.
func (k *KMS) load(ctx context.Context) error {
	keyNames, err := k.store.ListKeys(ctx, keyNamePrefix)
	if err != nil {
		return fmt.Errorf("kms: listing keys: %w", err)
	}
	aliasNames, err := k.store.ListKeys(ctx, aliasNamePrefix)
	if err != nil {
		return fmt.Errorf("kms: listing aliases: %w", err)
	}
	var failed []string
	for _, name := range keyNames {
		var rec keyRecord
		if err := k.readRecord(ctx, name, &rec); errors.Is(err, errEnvelope) {
			failed = append(failed, name)
			continue
		} else if err != nil {
			return err
		}
		if keyStoreName(rec.ID) != name {
			return fmt.Errorf("kms: record %s holds key %q", name, rec.ID)
		}
		kk, err := k.newKey(rec)
		if err != nil {
			return err
		}
		k.keys[rec.ID] = kk
	}
	for _, name := range aliasNames {
		var rec aliasRecord
		if err := k.readRecord(ctx, name, &rec); errors.Is(err, errEnvelope) {
			failed = append(failed, name)
			continue
		} else if err != nil {
			return err
		}
		if aliasStoreName(rec.Name) != name {
			return fmt.Errorf("kms: record %s holds alias %q", name, rec.Name)
		}
		k.aliases[rec.Name] = rec
	}
	switch {
	case len(failed) > 0 && len(failed) == len(keyNames)+len(aliasNames):
		return ErrWrongRootKey
	case len(failed) > 0:
		return fmt.Errorf("kms: records %v do not open with the root key (key store corrupt?): %w", failed, coffer.ErrSealedKeyInvalid)
	}
	return nil
}

func (k *KMS) readRecord(ctx context.Context, name string, into any) error {
	envelope, err := k.store.GetKey(ctx, name)
	if err != nil {
		return fmt.Errorf("kms: reading %s: %w", name, err)
	}
	plaintext, err := openRecord(k.kek, name, envelope)
	if err != nil {
		return err
	}
	defer clear(plaintext)
	if err := json.Unmarshal(plaintext, into); err != nil {
		return fmt.Errorf("kms: record %s is not valid: %w", name, err)
	}
	return nil
}

// storeMode says whether a write must create the record.
type storeMode int

const (
	createRecord storeMode = iota + 1
	replaceRecord
)

func (k *KMS) writeRecord(ctx context.Context, name string, value any, mode storeMode) error {
	plaintext, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("kms: encoding %s: %w", name, err)
	}
	defer clear(plaintext)
	nonce := make([]byte, gcmNonceSize)
	if err := k.readRandom(nonce); err != nil {
		return err
	}
	envelope := sealRecord(k.kek, name, plaintext, nonce)
	if mode == createRecord {
		err = k.store.CreateKey(ctx, name, envelope)
	} else {
		err = k.store.PutKey(ctx, name, envelope)
	}
	if err != nil {
		return fmt.Errorf("kms: storing %s: %w", name, err)
	}
	return nil
}

// saveKey persists rec and publishes it. The caller holds writeMu.
func (k *KMS) saveKey(ctx context.Context, rec keyRecord, mode storeMode) (*key, error) {
	kk, err := k.newKey(rec)
	if err != nil {
		return nil, err
	}
	if err := k.writeRecord(ctx, keyStoreName(rec.ID), rec, mode); err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.keys[rec.ID] = kk
	k.mu.Unlock()
	return kk, nil
}

// saveAlias persists an alias and publishes it. The caller holds writeMu.
func (k *KMS) saveAlias(ctx context.Context, rec aliasRecord, mode storeMode) error {
	if err := k.writeRecord(ctx, aliasStoreName(rec.Name), rec, mode); err != nil {
		return err
	}
	k.mu.Lock()
	k.aliases[rec.Name] = rec
	k.mu.Unlock()
	return nil
}

// removeAlias deletes an alias. The caller holds writeMu.
func (k *KMS) removeAlias(ctx context.Context, name string) error {
	if err := k.store.DeleteKey(ctx, aliasStoreName(name)); err != nil && !errors.Is(err, coffer.ErrKeyNotFound) {
		return fmt.Errorf("kms: deleting alias %s: %w", name, err)
	}
	k.mu.Lock()
	delete(k.aliases, name)
	k.mu.Unlock()
	return nil
}

// removeKey deletes a key record, and with it every version of its key
// material. The caller holds writeMu.
func (k *KMS) removeKey(ctx context.Context, id string) error {
	if err := k.store.DeleteKey(ctx, keyStoreName(id)); err != nil && !errors.Is(err, coffer.ErrKeyNotFound) {
		return fmt.Errorf("kms: deleting key %s: %w", id, err)
	}
	k.mu.Lock()
	delete(k.keys, id)
	k.mu.Unlock()
	return nil
}

// errUnchanged is returned by an updateKey change that decides, on the
// latest record, that there is nothing to do; updateKey passes it on
// without writing.
var errUnchanged = errors.New("kms: nothing to change")

// updateKey applies change to the latest record of key id and persists it.
// change sees the current key (for state checks made atomically with the
// change) and edits a copy of its record.
func (k *KMS) updateKey(ctx context.Context, id string, change func(cur *key, rec *keyRecord) error) (*key, error) {
	k.writeMu.Lock()
	defer k.writeMu.Unlock()
	cur := k.lookupKey(id)
	if cur == nil {
		return nil, errKeyNotFound(k.keyARN(id))
	}
	rec := cur.edit()
	if err := change(cur, &rec); err != nil {
		return nil, err
	}
	return k.saveKey(ctx, rec, replaceRecord)
}
