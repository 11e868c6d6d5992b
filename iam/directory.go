package iam

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cofferlabs/coffer"
)

// Options configure a Directory.
type Options struct {
	// AccountID is the 12-digit account the users belong to; it is in
	// every ARN and principal. Required.
	AccountID string
	// Now is the clock for creation dates; nil means time.Now.
	Now func() time.Time
}

// Directory is the account's users, access keys and inline policies. It is
// safe for concurrent use: reads answer from memory under a read lock;
// changes are serialized, written through to the key store, then published.
type Directory struct {
	ks        coffer.KeyStore
	aead      cipher.AEAD
	accountID string
	now       func() time.Time
	random    io.Reader

	// writeMu serializes changes from validation to publication, so that
	// each sees the effects of the previous one. Key store I/O happens
	// under writeMu only, never under mu, so that a slow write never
	// holds up the AccessKey lookups of signed requests.
	writeMu sync.Mutex
	mu      sync.RWMutex          // guards the maps (not the values: they are immutable)
	users   map[string]*user      // by folded name
	keys    map[string]*accessKey // by access key id
}

var _ coffer.Identities = (*Directory)(nil)

// Open loads every record under Prefix from ks, opening each with key (32
// bytes, KeySize; the caller derives it from the root key and may clear it
// after Open returns). A key that opens none of the records fails with
// ErrWrongKey; a record that alone does not open or does not decode (it
// was altered, or moved to another name) fails Open with an error wrapping
// coffer.ErrSealedKeyInvalid: the directory is never half loaded.
func Open(ctx context.Context, ks coffer.KeyStore, key []byte, opts Options) (*Directory, error) {
	if !validAccountID(opts.AccountID) {
		return nil, fmt.Errorf("iam: the account id must be 12 digits, not %q", opts.AccountID)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	d := &Directory{
		ks:        ks,
		aead:      aead,
		accountID: opts.AccountID,
		now:       opts.Now,
		random:    rand.Reader,
		users:     map[string]*user{},
		keys:      map[string]*accessKey{},
	}
	if d.now == nil {
		d.now = time.Now
	}
	if err := d.load(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

func validAccountID(id string) bool {
	if len(id) != 12 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// load reads every record: users first, then the access keys, each of
// which must name a user by name and unique id.
func (d *Directory) load(ctx context.Context) error {
	names, err := d.ks.ListKeys(ctx, Prefix)
	if err != nil {
		return fmt.Errorf("iam: listing the directory: %w", err)
	}
	type opened struct {
		name      string
		plaintext []byte
	}
	var users, keys []opened
	failed := ""
	for _, name := range names {
		sealed, err := d.ks.GetKey(ctx, name)
		if err != nil {
			return fmt.Errorf("iam: reading %s: %w", name, err)
		}
		plaintext, err := open(d.aead, name, sealed)
		if err != nil {
			if failed == "" {
				failed = name
			}
			continue
		}
		switch {
		case strings.HasPrefix(name, userPrefix):
			users = append(users, opened{name, plaintext})
		case strings.HasPrefix(name, keyPrefix):
			keys = append(keys, opened{name, plaintext})
		default:
			return fmt.Errorf("%w: unknown IAM record %s (written by a newer version?)", coffer.ErrSealedKeyInvalid, name)
		}
	}
	if failed != "" {
		if len(users)+len(keys) == 0 {
			return ErrWrongKey
		}
		return fmt.Errorf("%w: IAM record %s does not open (altered, or moved from another name)", coffer.ErrSealedKeyInvalid, failed)
	}
	byID := map[string]*user{}
	for _, r := range users {
		u, err := decodeUser(r.name, r.plaintext, d.accountID)
		if err != nil {
			return fmt.Errorf("%w: %w", coffer.ErrSealedKeyInvalid, err)
		}
		if byID[u.id] != nil {
			return fmt.Errorf("%w: two users have the id %s", coffer.ErrSealedKeyInvalid, u.id)
		}
		byID[u.id] = u
		d.users[foldName(u.name)] = u
	}
	for _, r := range keys {
		k, userName, err := decodeKey(r.name, r.plaintext)
		clear(r.plaintext)
		if err != nil {
			return fmt.Errorf("%w: %w", coffer.ErrSealedKeyInvalid, err)
		}
		if u := d.users[k.user]; u == nil || u.id != k.userID || u.name != userName {
			return fmt.Errorf("%w: access key %s belongs to no user", coffer.ErrSealedKeyInvalid, k.id)
		}
		d.keys[k.id] = k
	}
	return nil
}

// AccountID is the account the directory's users belong to.
func (d *Directory) AccountID() string { return d.accountID }

// AccessKey returns the principal and secret of an active access key of a
// user; ok is false for unknown and inactive keys (coffer.Identities).
func (d *Directory) AccessKey(accessKeyID string) (p coffer.Principal, secret string, ok bool) {
	d.mu.RLock()
	k := d.keys[accessKeyID]
	var u *user
	if k != nil {
		u = d.users[k.user]
	}
	d.mu.RUnlock()
	if k == nil || k.status != StatusActive || u == nil || u.id != k.userID {
		return coffer.Principal{}, "", false
	}
	return d.principal(u, k.id), k.secret, true
}

func (d *Directory) principal(u *user, accessKeyID string) coffer.Principal {
	return coffer.Principal{AccountID: d.accountID, ARN: u.arn, UserName: u.name, UserID: u.id, AccessKeyID: accessKeyID}
}

// IdentityPolicies returns the documents of p's inline policies, in policy
// name order, when p is a user of this directory (same account, name and
// unique id: a principal of a deleted user gets nothing from a new user of
// the same name); none otherwise (coffer.Identities). The slices are the
// caller's.
func (d *Directory) IdentityPolicies(p coffer.Principal) [][]byte {
	if p.Anonymous || p.UserName == "" || p.AccountID != d.accountID {
		return nil
	}
	d.mu.RLock()
	u := d.users[foldName(p.UserName)]
	d.mu.RUnlock()
	if u == nil || u.id != p.UserID || len(u.policies) == 0 {
		return nil
	}
	docs := make([][]byte, len(u.policies))
	for i, pol := range u.policies {
		docs[i] = []byte(pol.Document)
	}
	return docs
}

// lookupUser returns the user named name (any case); callers hold mu or
// writeMu.
func (d *Directory) lookupUser(name string) (*user, error) {
	u := d.users[foldName(name)]
	if u == nil {
		return nil, noSuchUser(name)
	}
	return u, nil
}

// readUser looks a user up under the read lock.
func (d *Directory) readUser(name string) (*user, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.lookupUser(name)
}

// keysOf returns the access keys of u, sorted by id; callers hold mu or
// writeMu.
func (d *Directory) keysOf(u *user) []*accessKey {
	var out []*accessKey
	for _, k := range d.keys {
		if k.userID == u.id {
			out = append(out, k)
		}
	}
	sortKeys(out)
	return out
}

// writeUser seals and stores u's record; create refuses to replace one.
func (d *Directory) writeUser(ctx context.Context, u *user, create bool) error {
	plaintext, err := json.Marshal(u.record())
	if err != nil {
		return err
	}
	return d.write(ctx, userRecordName(foldName(u.name)), plaintext, create)
}

// writeKey seals and stores k's record.
func (d *Directory) writeKey(ctx context.Context, k *accessKey, u *user, create bool) error {
	plaintext, err := json.Marshal(k.record(u))
	if err != nil {
		return errors.New("iam: encoding an access key record failed")
	}
	defer clear(plaintext)
	return d.write(ctx, keyRecordName(k.id), plaintext, create)
}

func (d *Directory) write(ctx context.Context, name string, plaintext []byte, create bool) error {
	sealed, err := seal(d.aead, d.random, name, plaintext)
	if err != nil {
		return err
	}
	if create {
		err = d.ks.CreateKey(ctx, name, sealed)
	} else {
		err = d.ks.PutKey(ctx, name, sealed)
	}
	if err != nil {
		return fmt.Errorf("iam: writing %s: %w", name, err)
	}
	return nil
}

func (d *Directory) remove(ctx context.Context, name string) error {
	if err := d.ks.DeleteKey(ctx, name); err != nil {
		return fmt.Errorf("iam: deleting %s: %w", name, err)
	}
	return nil
}

// publish applies a change to the maps once the key store holds it.
func (d *Directory) publish(fn func()) {
	d.mu.Lock()
	fn()
	d.mu.Unlock()
}

// creationTime is now, to the second, as IAM reports creation dates.
func (d *Directory) creationTime() time.Time {
	return d.now().UTC().Truncate(time.Second)
}

// UserARN is the ARN of the user name with path in accountID:
// arn:aws:iam::<account>:user<path><name>.
func UserARN(accountID, path, name string) string {
	return "arn:aws:iam::" + accountID + ":user" + path + name
}
