package iam

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/cofferlabs/coffer"
)

// Status is an access key's state: only Active keys sign requests.
type Status string

const (
	StatusActive   Status = "Active"
	StatusInactive Status = "Inactive"
)

// ParseStatus reads "Active" or "Inactive" (IAM's statusType). ErrValidation.
func ParseStatus(s string) (Status, error) {
	switch Status(s) {
	case StatusActive, StatusInactive:
		return Status(s), nil
	}
	var v violations
	if s == "" {
		v.add("null", "status", "not be null")
	} else {
		v.add(quoted(s), "status", "satisfy enum value set: [Active, Inactive]")
	}
	return "", v.err()
}

// AccessKey describes an access key without its secret (IAM's
// AccessKeyMetadata).
type AccessKey struct {
	ID       string // AKIA + 16 characters
	UserName string
	Status   Status
	Created  time.Time
}

// NewAccessKey is an access key just created, with its secret: the only
// time the secret is shown.
type NewAccessKey struct {
	AccessKey
	Secret string
}

// String leaves the secret out.
func (k NewAccessKey) String() string {
	return "access key " + k.ID + " of " + k.UserName + " (" + string(k.Status) + ")"
}

// GoString leaves the secret out of %#v too.
func (k NewAccessKey) GoString() string { return k.String() }

// CreateAccessKey makes a new active access key for the user named
// userName: an id of AKIA and 16 random upper-case letters and digits and
// a 40-character secret. A user has at most MaxAccessKeysPerUser keys.
// ErrValidation, ErrNoSuchEntity, ErrLimitExceeded.
func (d *Directory) CreateAccessKey(ctx context.Context, userName string) (NewAccessKey, error) {
	var v violations
	v.name("userName", userName, maxUserNameLength)
	if err := v.err(); err != nil {
		return NewAccessKey{}, err
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	u, err := d.lookupUser(userName)
	if err != nil {
		return NewAccessKey{}, err
	}
	if len(d.keysOf(u)) >= MaxAccessKeysPerUser {
		return NewAccessKey{}, newError(ErrLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d", MaxAccessKeysPerUser)
	}
	secret, err := randomString(d.random, secretAlphabet, secretLength)
	if err != nil {
		return NewAccessKey{}, err
	}
	k := &accessKey{user: foldName(u.name), userID: u.id, secret: secret, status: StatusActive, created: d.creationTime()}
	// A collision with a record that is not loaded (36^16 draws) fails
	// CreateKey; draw again rather than replace it.
	for attempt := 0; ; attempt++ {
		suffix, err := randomString(d.random, idAlphabet, accessKeyIDRandom)
		if err != nil {
			return NewAccessKey{}, err
		}
		k.id = accessKeyIDPrefix + suffix
		if d.keys[k.id] != nil {
			continue
		}
		err = d.writeKey(ctx, k, u, true)
		if err == nil {
			break
		}
		if !errors.Is(err, coffer.ErrKeyExists) || attempt >= 3 {
			return NewAccessKey{}, err
		}
	}
	d.publish(func() { d.keys[k.id] = k })
	return NewAccessKey{AccessKey: k.public(u.name), Secret: secret}, nil
}

// ListAccessKeys describes the access keys of the user named userName,
// sorted by id. ErrValidation, ErrNoSuchEntity.
func (d *Directory) ListAccessKeys(userName string) ([]AccessKey, error) {
	var v violations
	v.name("userName", userName, maxUserNameLength)
	if err := v.err(); err != nil {
		return nil, err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	u, err := d.lookupUser(userName)
	if err != nil {
		return nil, err
	}
	out := []AccessKey{}
	for _, k := range d.keysOf(u) {
		out = append(out, k.public(u.name))
	}
	return out, nil
}

// UpdateAccessKey sets the status of the access key keyID of the user
// named userName; an Inactive key authenticates nothing until it is made
// Active again. ErrValidation, ErrNoSuchEntity (no such user, or the key is
// not theirs).
func (d *Directory) UpdateAccessKey(ctx context.Context, userName, keyID string, status Status) error {
	var v violations
	v.name("userName", userName, maxUserNameLength)
	v.accessKeyID("accessKeyId", keyID)
	if err := v.err(); err != nil {
		return err
	}
	if _, err := ParseStatus(string(status)); err != nil {
		return err
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	u, k, err := d.lookupKey(userName, keyID)
	if err != nil {
		return err
	}
	if k.status == status {
		return nil
	}
	updated := *k
	updated.status = status
	if err := d.writeKey(ctx, &updated, u, false); err != nil {
		return err
	}
	d.publish(func() { d.keys[k.id] = &updated })
	return nil
}

// DeleteAccessKey deletes the access key keyID of the user named userName.
// ErrValidation, ErrNoSuchEntity.
func (d *Directory) DeleteAccessKey(ctx context.Context, userName, keyID string) error {
	var v violations
	v.name("userName", userName, maxUserNameLength)
	v.accessKeyID("accessKeyId", keyID)
	if err := v.err(); err != nil {
		return err
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	_, k, err := d.lookupKey(userName, keyID)
	if err != nil {
		return err
	}
	if err := d.remove(ctx, keyRecordName(k.id)); err != nil {
		return err
	}
	d.publish(func() { delete(d.keys, k.id) })
	return nil
}

// lookupKey finds the user named userName and their key keyID; callers
// hold writeMu.
func (d *Directory) lookupKey(userName, keyID string) (*user, *accessKey, error) {
	u, err := d.lookupUser(userName)
	if err != nil {
		return nil, nil, err
	}
	k := d.keys[keyID]
	if k == nil || k.userID != u.id {
		return nil, nil, noSuchAccessKey(keyID)
	}
	return u, k, nil
}

func sortKeys(keys []*accessKey) {
	slices.SortFunc(keys, func(a, b *accessKey) int { return strings.Compare(a.id, b.id) })
}
