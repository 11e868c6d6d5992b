package iam

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cofferlabs/coffer/policy"
)

// FuzzPutUserPolicy feeds arbitrary names and documents to PutUserPolicy:
// it answers nil or a client error (never a panic or another error), a
// document it keeps is a valid identity policy returned byte for byte, and
// one it refuses is not kept.
func FuzzPutUserPolicy(f *testing.F) {
	for _, seed := range []struct{ name, doc string }{
		{"all", allowAll}, {"read", allowRead}, {"p", `{"Statement":{"Effect":"Deny","NotAction":"s3:*","NotResource":"*"}}`},
		{"p", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`},
		{"p", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`},
		{"a/b", allowAll}, {"", ""}, {"p", "{"}, {"p", "\xff"}, {"p", `{"Statement":[]}`}, {"p", "{\"Statement\":\"\u00e9\"}"},
	} {
		f.Add(seed.name, seed.doc)
	}
	ctx := context.Background()
	d, _, _ := newDirectory(f)
	if _, err := d.CreateUser(ctx, "fuzz", ""); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name, doc string) {
		_ = d.DeleteUserPolicy(ctx, "fuzz", name)
		err := d.PutUserPolicy(ctx, "fuzz", name, doc)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("PutUserPolicy(%q, %q): not a client error: %v", name, doc, err)
			}
			if got, err := d.GetUserPolicy("fuzz", name); err == nil {
				t.Fatalf("a refused policy is kept: %q", got)
			}
			return
		}
		if _, err := policy.ParseWith([]byte(doc), policy.Options{Kind: policy.IdentityPolicy}); err != nil {
			t.Fatalf("kept a policy the parser refuses: %v", err)
		}
		if got, err := d.GetUserPolicy("fuzz", name); err != nil || got != doc {
			t.Fatalf("GetUserPolicy = %q, %v", got, err)
		}
		if policySize(doc) > MaxInlinePolicySize {
			t.Fatalf("kept a policy of %d characters", policySize(doc))
		}
	})
}

// FuzzDecodeRecords feeds arbitrary plaintext to the record decoders (what
// a record that opened could hold): no panics, and an accepted record
// encodes back to a record that decodes alike.
func FuzzDecodeRecords(f *testing.F) {
	f.Add(vectorUserName, vectorUserRecord)
	f.Add(vectorKeyName, vectorKeyRecord)
	f.Add("iam/user/bob", `{"name":"bob","path":"/x/","id":"AIDAJQABLZS4A3QDU576Q","created":"2026-03-04T05:06:07Z"}`)
	f.Add("iam/user/alice", `{"name":"alice","path":"/","id":"AIDAJQABLZS4A3QDU576Q","created":"2026-03-04T05:06:07Z","extra":1}`)
	f.Add("iam/key/x", `{"id":"x"} {}`)
	f.Add("iam/user/alice", `null`)
	f.Fuzz(func(t *testing.T, name, plaintext string) {
		if u, err := decodeUser(name, []byte(plaintext), testAccount); err == nil {
			encoded, err := json.Marshal(u.record())
			if err != nil {
				t.Fatal(err)
			}
			again, err := decodeUser(name, encoded, testAccount)
			if err != nil || again.public() != u.public() || len(again.policies) != len(u.policies) {
				t.Fatalf("user record does not round-trip: %v", err)
			}
		}
		if k, owner, err := decodeKey(name, []byte(plaintext)); err == nil {
			encoded, err := json.Marshal(keyRecord{ID: k.id, UserName: owner, UserID: k.userID, Secret: k.secret, Status: k.status, Created: k.created})
			if err != nil {
				t.Fatal(err)
			}
			again, _, err := decodeKey(name, encoded)
			if err != nil || *again != *k {
				t.Fatalf("key record does not round-trip: %v", err)
			}
		}
	})
}

// FuzzOpen feeds arbitrary envelopes to open: no panics, and nothing but
// a genuine envelope opens.
func FuzzOpen(f *testing.F) {
	aead, err := newAEAD(ramp(0, 32))
	if err != nil {
		f.Fatal(err)
	}
	genuine := sealWithNonce(aead, ramp(0x60, 12), vectorKeyName, []byte(vectorKeyRecord))
	f.Add(vectorKeyName, genuine)
	f.Add(vectorKeyName, []byte{1})
	f.Add("", []byte{})
	f.Fuzz(func(t *testing.T, name string, sealed []byte) {
		plaintext, err := open(aead, name, sealed)
		if err == nil && (name != vectorKeyName || string(sealed) != string(genuine) || string(plaintext) != vectorKeyRecord) {
			t.Fatalf("opened a forged envelope under %q", name)
		}
	})
}

// FuzzValidation feeds arbitrary values to the name checks: no panics, and
// an accepted user name is one CreateUser keeps and finds.
func FuzzValidation(f *testing.F) {
	for _, seed := range []string{"alice", "a b", "", "/", "/a/", "ALICE", "\x00", "é", "AKIAIOSFODNN7EXAMPLE"} {
		f.Add(seed, seed)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, name, path string) {
		var v violations
		v.name("userName", name, maxUserNameLength)
		v.path("path", path)
		v.pathPrefix("pathPrefix", path)
		v.accessKeyID("accessKeyId", name)
		v.policyDocument("policyDocument", name)
		_ = v.err()
		d, _, _ := newDirectory(t)
		u, err := d.CreateUser(ctx, name, path)
		if err != nil {
			if !errors.Is(err, ErrValidation) {
				t.Fatalf("CreateUser(%q, %q): %v", name, path, err)
			}
			return
		}
		if got, err := d.GetUser(name); err != nil || got != u {
			t.Fatalf("GetUser(%q) = %+v, %v", name, got, err)
		}
	})
}
