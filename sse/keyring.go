package sse

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/cofferlabs/coffer"
)

// ErrWrongRootKey means the root key opens none of the master keys in the
// key store: the server was started with another root key than the one the
// store was created with. It wraps coffer.ErrSealedKeyInvalid.
var ErrWrongRootKey = fmt.Errorf("sse: the root key does not open the stored master keys (wrong root key?): %w", coffer.ErrSealedKeyInvalid)

// Keyring holds the versioned master keys that seal object data keys. The
// master keys are kept in a coffer.KeyStore sealed under the root key and
// live unsealed in memory only, as ready AES-GCM instances. Versions are
// never deleted, so objects sealed under any version stay readable; the
// highest version is the current one and seals every new data key.
type Keyring struct {
	store coffer.KeyStore
	kek   cipher.AEAD
	// now and random are hooks for tests.
	now    func() time.Time
	random io.Reader

	mu       sync.RWMutex
	versions map[uint32]masterKey
	current  uint32
}

type masterKey struct {
	aead    cipher.AEAD
	created time.Time
}

// MasterKeyInfo describes one master key version; it holds no key material.
type MasterKeyInfo struct {
	Version uint32
	Created time.Time
}

// NewKeyring loads every master key version from ks, opening each with
// rootKey (32 bytes, never stored by sse), and creates version 1 when the
// key store holds none. A root key that opens no version fails with
// ErrWrongRootKey; a version that alone does not open fails with
// coffer.ErrSealedKeyInvalid.
func NewKeyring(ctx context.Context, ks coffer.KeyStore, rootKey []byte) (*Keyring, error) {
	return newKeyring(ctx, ks, rootKey, time.Now, rand.Reader)
}

func newKeyring(ctx context.Context, ks coffer.KeyStore, rootKey []byte, now func() time.Time, random io.Reader) (*Keyring, error) {
	kek, err := rootKEK(rootKey)
	if err != nil {
		return nil, err
	}
	k := &Keyring{store: ks, kek: kek, now: now, random: random, versions: map[uint32]masterKey{}}
	if err := k.reload(ctx); err != nil {
		return nil, err
	}
	if k.current == 0 {
		if _, err := k.Rotate(ctx); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// CurrentVersion is the master key version that seals new data keys.
func (k *Keyring) CurrentVersion() uint32 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current
}

// Versions lists the loaded master key versions, oldest first.
func (k *Keyring) Versions() []MasterKeyInfo {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([]MasterKeyInfo, 0, len(k.versions))
	for v, mk := range k.versions {
		out = append(out, MasterKeyInfo{Version: v, Created: mk.created})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out
}

// Rotate creates master key version current+1 and makes it current. When
// another process rotated first, Rotate adopts that version instead of
// creating a second one.
func (k *Keyring) Rotate(ctx context.Context) (uint32, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	next := k.current + 1
	if next > maxMasterVersionInName {
		return 0, fmt.Errorf("sse: master key versions exhausted at %d", k.current)
	}
	key := make([]byte, masterKeySize)
	nonce := make([]byte, gcmNonceSize)
	if err := readRandom(k.random, key, nonce); err != nil {
		return 0, err
	}
	defer clear(key)
	created := k.now().UTC()
	envelope := sealMasterKey(k.kek, next, created, key, nonce)
	err := k.store.CreateKey(ctx, masterKeyName(next), envelope)
	if errors.Is(err, coffer.ErrKeyExists) {
		if err := k.reloadLocked(ctx); err != nil {
			return 0, err
		}
		return k.current, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sse: storing master key %d: %w", next, err)
	}
	aead, err := newGCM(key)
	if err != nil {
		return 0, err
	}
	k.versions[next] = masterKey{aead: aead, created: created}
	k.current = next
	return next, nil
}

// RotateIfOlder rotates when the current master key was created at least
// maxAge ago (automatic rotation). It returns the current version after the
// call and whether it rotated.
func (k *Keyring) RotateIfOlder(ctx context.Context, maxAge time.Duration) (uint32, bool, error) {
	k.mu.RLock()
	current, created := k.current, k.versions[k.current].created
	k.mu.RUnlock()
	if k.now().Sub(created) < maxAge {
		return current, false, nil
	}
	v, err := k.Rotate(ctx)
	if err != nil {
		return 0, false, err
	}
	return v, v != current, nil
}

// aead returns the unsealed master key of a version, reloading the key
// store once when the version is unknown (another process may have
// rotated).
func (k *Keyring) aead(ctx context.Context, version uint32) (cipher.AEAD, error) {
	k.mu.RLock()
	mk, ok := k.versions[version]
	k.mu.RUnlock()
	if ok {
		return mk.aead, nil
	}
	if err := k.reload(ctx); err != nil {
		return nil, err
	}
	k.mu.RLock()
	mk, ok = k.versions[version]
	k.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("sse: master key version %d does not exist: %w", version, coffer.ErrSealedKeyInvalid)
	}
	return mk.aead, nil
}

// currentAEAD returns the current version and its master key.
func (k *Keyring) currentAEAD() (uint32, cipher.AEAD) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current, k.versions[k.current].aead
}

func (k *Keyring) reload(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.reloadLocked(ctx)
}

// reloadLocked opens every stored version it does not hold yet.
func (k *Keyring) reloadLocked(ctx context.Context) error {
	names, err := k.store.ListKeys(ctx, masterKeyNamePrefix)
	if err != nil {
		return fmt.Errorf("sse: listing master keys: %w", err)
	}
	var failed []uint32
	opened := 0
	for _, name := range names {
		version, err := parseMasterKeyName(name)
		if err != nil {
			return err
		}
		if _, ok := k.versions[version]; ok {
			opened++
			continue
		}
		envelope, err := k.store.GetKey(ctx, name)
		if err != nil {
			return fmt.Errorf("sse: reading master key %d: %w", version, err)
		}
		created, key, err := openMasterKey(k.kek, version, envelope)
		if err != nil {
			failed = append(failed, version)
			continue
		}
		aead, err := newGCM(key)
		clear(key)
		if err != nil {
			return err
		}
		k.versions[version] = masterKey{aead: aead, created: created}
		k.current = max(k.current, version)
		opened++
	}
	switch {
	case len(failed) > 0 && opened == 0:
		return ErrWrongRootKey
	case len(failed) > 0:
		return fmt.Errorf("sse: master key versions %v do not open with the root key (key store corrupt?): %w", failed, coffer.ErrSealedKeyInvalid)
	}
	return nil
}

// readRandom fills each buffer from r.
func readRandom(r io.Reader, bufs ...[]byte) error {
	for _, b := range bufs {
		if _, err := io.ReadFull(r, b); err != nil {
			return fmt.Errorf("sse: reading random bytes: %w", err)
		}
	}
	return nil
}
