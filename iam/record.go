package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// KeyStore names of the records (FORMAT.md §1).
const (
	// Prefix is the KeyStore prefix of every record this package writes.
	Prefix     = "iam/"
	userPrefix = Prefix + "user/"
	keyPrefix  = Prefix + "key/"
)

func userRecordName(folded string) string { return userPrefix + folded }
func keyRecordName(id string) string      { return keyPrefix + id }

// userRecord is a user as stored (inside the envelope only).
type userRecord struct {
	Name     string         `json:"name"`
	Path     string         `json:"path"`
	ID       string         `json:"id"`
	Created  time.Time      `json:"created"`
	Policies []policyRecord `json:"policies,omitempty"`
}

type policyRecord struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// keyRecord is an access key as stored (inside the envelope only). It
// holds the secret: it is never logged or formatted, only marshalled into
// an envelope.
type keyRecord struct {
	ID       string    `json:"id"`
	UserName string    `json:"userName"`
	UserID   string    `json:"userId"`
	Secret   string    `json:"secret"`
	Status   Status    `json:"status"`
	Created  time.Time `json:"created"`
}

// String leaves the secret out.
func (r keyRecord) String() string {
	return fmt.Sprintf("access key %s of %s (%s), %s", r.ID, r.UserName, r.UserID, r.Status)
}

// GoString leaves the secret out of %#v too.
func (r keyRecord) GoString() string { return r.String() }

// user is a user in memory. It is immutable once published: a change
// publishes a new value.
type user struct {
	name     string
	path     string
	id       string
	arn      string
	created  time.Time
	policies []policyRecord // sorted by name
}

func (u *user) public() User {
	return User{Name: u.name, Path: u.path, ID: u.id, ARN: u.arn, Created: u.created}
}

func (u *user) record() userRecord {
	return userRecord{Name: u.name, Path: u.path, ID: u.id, Created: u.created, Policies: u.policies}
}

func (u *user) policy(name string) (policyRecord, bool) {
	for _, p := range u.policies {
		if p.Name == name {
			return p, true
		}
	}
	return policyRecord{}, false
}

// accessKey is an access key in memory; immutable once published.
type accessKey struct {
	id      string
	user    string // the owner's folded name
	userID  string // and unique id: a key never outlives its user's id
	secret  string
	status  Status
	created time.Time
}

// String leaves the secret out.
func (k accessKey) String() string { return "access key " + k.id + " (" + string(k.status) + ")" }

// GoString leaves the secret out of %#v too.
func (k accessKey) GoString() string { return k.String() }

func (k *accessKey) public(userName string) AccessKey {
	return AccessKey{ID: k.id, UserName: userName, Status: k.status, Created: k.created}
}

func (k *accessKey) record(u *user) keyRecord {
	return keyRecord{ID: k.id, UserName: u.name, UserID: u.id, Secret: k.secret, Status: k.status, Created: k.created}
}

// decodeUser reads and checks a user record stored under name.
func decodeUser(name string, plaintext []byte, accountID string) (*user, error) {
	var rec userRecord
	if err := strictUnmarshal(plaintext, &rec); err != nil {
		return nil, fmt.Errorf("iam: user record %s: %w", name, err)
	}
	var v violations
	v.name("userName", rec.Name, maxUserNameLength)
	v.path("path", rec.Path)
	for _, p := range rec.Policies {
		v.name("policyName", p.Name, maxPolicyNameLength)
		v.policyDocument("policyDocument", p.Document)
	}
	if err := v.err(); err != nil {
		return nil, fmt.Errorf("iam: user record %s: %w", name, err)
	}
	if userRecordName(foldName(rec.Name)) != name || !isID(rec.ID, userIDPrefix, userIDRandom) || rec.Created.IsZero() {
		return nil, fmt.Errorf("iam: user record %s is inconsistent", name)
	}
	u := &user{name: rec.Name, path: rec.Path, id: rec.ID, arn: UserARN(accountID, rec.Path, rec.Name), created: rec.Created.UTC()}
	for i, p := range rec.Policies {
		if i > 0 && rec.Policies[i-1].Name >= p.Name {
			return nil, fmt.Errorf("iam: user record %s: policies are not sorted and unique", name)
		}
		u.policies = append(u.policies, p)
	}
	return u, nil
}

// decodeKey reads and checks an access key record stored under name.
func decodeKey(name string, plaintext []byte) (*accessKey, string, error) {
	var rec keyRecord
	if err := strictUnmarshal(plaintext, &rec); err != nil {
		// Not the decoder's text: it may quote a character of the secret.
		return nil, "", fmt.Errorf("iam: access key record %s does not decode", name)
	}
	if keyRecordName(rec.ID) != name || !isID(rec.ID, accessKeyIDPrefix, accessKeyIDRandom) ||
		!isID(rec.UserID, userIDPrefix, userIDRandom) || !isSecret(rec.Secret) ||
		(rec.Status != StatusActive && rec.Status != StatusInactive) || rec.Created.IsZero() {
		return nil, "", fmt.Errorf("iam: access key record %s is inconsistent", name)
	}
	k := &accessKey{id: rec.ID, user: foldName(rec.UserName), userID: rec.UserID, secret: rec.Secret, status: rec.Status, created: rec.Created.UTC()}
	return k, rec.UserName, nil
}

// strictUnmarshal refuses unknown members and trailing data: a record is
// exactly what this version wrote.
func strictUnmarshal(b []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the record")
	}
	return nil
}
