package kms

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sync"

	"github.com/cofferlabs/coffer"
)

// KMS is the key management service over a coffer.KeyStore. It implements
// coffer.KeyManager; API() gives the AWS operations. It is safe for
// concurrent use by one process (the key store is loaded at New and kept
// in memory; every change is written through before it is visible).
type KMS struct {
	store  coffer.KeyStore
	kek    cipher.AEAD
	opts   Options
	quota  *tokenBucket
	random io.Reader
	api    *API

	// writeMu serializes changes: read the latest record, persist the
	// changed one, then publish it. Readers only take mu, briefly, so
	// cryptographic operations never wait on the key store.
	writeMu sync.Mutex
	mu      sync.RWMutex
	keys    map[string]*key        // by key id
	aliases map[string]aliasRecord // by alias name ("alias/x")
}

var _ coffer.KeyManager = (*KMS)(nil)

var regionPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// New loads the KMS keys and aliases stored in ks, opening them with a key
// derived from rootKey (32 bytes, never stored). A root key that opens none
// of the stored records fails with ErrWrongRootKey.
func New(ks coffer.KeyStore, rootKey []byte, opts Options) (*KMS, error) {
	switch {
	case ks == nil:
		return nil, errors.New("kms: a key store is required")
	case !regionPattern.MatchString(opts.Region):
		return nil, fmt.Errorf("kms: invalid region %q", opts.Region)
	case !isAccountID(opts.AccountID):
		return nil, fmt.Errorf("kms: account id %q is not 12 digits", opts.AccountID)
	case opts.Policy == nil:
		return nil, errors.New("kms: Options.Policy is required: key policies are evaluated on every call")
	case opts.QuotaPerSecond < 0:
		return nil, fmt.Errorf("kms: negative quota %d", opts.QuotaPerSecond)
	}
	kek, err := deriveRecordKEK(rootKey)
	if err != nil {
		return nil, err
	}
	k := &KMS{
		store:   ks,
		kek:     kek,
		opts:    opts,
		random:  rand.Reader,
		keys:    map[string]*key{},
		aliases: map[string]aliasRecord{},
	}
	k.quota = newTokenBucket(opts.QuotaPerSecond, opts.now())
	k.api = &API{k: k}
	if err := k.load(context.Background()); err != nil {
		return nil, err
	}
	return k, nil
}

// API returns the AWS KMS operations of k.
func (k *KMS) API() *API { return k.api }

// API holds the AWS KMS operations, one method per operation with input and
// output shaped like the AWS API (botocore's KMS model). It is a view of a
// KMS; the methods of *KMS named like two of them (GenerateDataKey,
// Decrypt) implement coffer.KeyManager instead.
type API struct{ k *KMS }

// lookupKey returns the published key with id, or nil.
func (k *KMS) lookupKey(id string) *key {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys[id]
}

func (k *KMS) lookupAlias(name string) (aliasRecord, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	a, ok := k.aliases[name]
	return a, ok
}

func (k *KMS) readRandom(bufs ...[]byte) error {
	for _, b := range bufs {
		if _, err := io.ReadFull(k.random, b); err != nil {
			return fmt.Errorf("kms: reading random bytes: %w", err)
		}
	}
	return nil
}
