package iam

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

func TestCreateAccessKey(t *testing.T) {
	ctx := context.Background()
	d, _, c := newDirectory(t)
	alice := must[User](t)(d.CreateUser(ctx, "alice", "/team/"))
	c.Advance(90 * time.Minute)
	k := must[NewAccessKey](t)(d.CreateAccessKey(ctx, "ALICE"))
	if !isID(k.ID, "AKIA", 16) || !isSecret(k.Secret) || k.Status != StatusActive || k.UserName != "alice" || !k.Created.Equal(testEpoch.Add(90*time.Minute)) {
		t.Fatalf("CreateAccessKey = %v (id %s, secret of %d characters, created %v)", k, k.ID, len(k.Secret), k.Created)
	}
	p, secret, ok := d.AccessKey(k.ID)
	want := coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::111122223333:user/team/alice", UserName: "alice", UserID: alice.ID, AccessKeyID: k.ID}
	if !ok || secret != k.Secret || p != want {
		t.Fatalf("AccessKey = %+v, ok %v, secret matches %v", p, ok, secret == k.Secret)
	}
	if p.IsRoot() {
		t.Fatal("a user's principal is root")
	}

	second := must[NewAccessKey](t)(d.CreateAccessKey(ctx, "alice"))
	if second.ID == k.ID || second.Secret == k.Secret {
		t.Fatal("two keys share an id or a secret")
	}
	_, err := d.CreateAccessKey(ctx, "alice")
	wantError(t, "third key", err, ErrLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2")

	keys := must[[]AccessKey](t)(d.ListAccessKeys("alice"))
	if len(keys) != 2 || keys[0].ID > keys[1].ID {
		t.Fatalf("ListAccessKeys = %+v", keys)
	}
	for _, listed := range keys {
		if listed.UserName != "alice" || listed.Status != StatusActive {
			t.Fatalf("listed %+v", listed)
		}
	}
	_, err = d.CreateAccessKey(ctx, "bob")
	wantError(t, "key of a missing user", err, ErrNoSuchEntity, "The user with name bob cannot be found.")
	_, err = d.CreateAccessKey(ctx, "")
	wantError(t, "key of no user", err, ErrValidation, "Value null at 'userName'")
}

func TestAccessKeyLifecycle(t *testing.T) {
	ctx := context.Background()
	d, _, _ := newDirectory(t)
	must[User](t)(d.CreateUser(ctx, "alice", ""))
	must[User](t)(d.CreateUser(ctx, "bob", ""))
	k := must[NewAccessKey](t)(d.CreateAccessKey(ctx, "alice"))
	bobs := must[NewAccessKey](t)(d.CreateAccessKey(ctx, "bob"))
	for _, tt := range []struct {
		name       string
		do         func() error
		kind       error
		message    string
		wantActive bool
		wantListed bool
	}{
		{"deactivate", func() error { return d.UpdateAccessKey(ctx, "alice", k.ID, StatusInactive) }, nil, "", false, true},
		{"deactivate twice", func() error { return d.UpdateAccessKey(ctx, "alice", k.ID, StatusInactive) }, nil, "", false, true},
		{"reactivate", func() error { return d.UpdateAccessKey(ctx, "Alice", k.ID, StatusActive) }, nil, "", true, true},
		{"unknown status", func() error { return d.UpdateAccessKey(ctx, "alice", k.ID, "Disabled") }, ErrValidation,
			"Value 'Disabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", true, true},
		{"no status", func() error { return d.UpdateAccessKey(ctx, "alice", k.ID, "") }, ErrValidation, "Value null at 'status'", true, true},
		{"another user's key", func() error { return d.UpdateAccessKey(ctx, "bob", k.ID, StatusInactive) }, ErrNoSuchEntity,
			"The Access Key with id " + k.ID + " cannot be found.", true, true},
		{"delete as another user", func() error { return d.DeleteAccessKey(ctx, "bob", k.ID) }, ErrNoSuchEntity, "cannot be found", true, true},
		{"unknown key", func() error { return d.UpdateAccessKey(ctx, "alice", "AKIAAAAAAAAAAAAAAAAA", StatusInactive) }, ErrNoSuchEntity,
			"The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.", true, true},
		{"malformed key id", func() error { return d.DeleteAccessKey(ctx, "alice", "AKIA-x") }, ErrValidation,
			"Member must have length greater than or equal to 16", true, true},
		{"key id with punctuation", func() error { return d.DeleteAccessKey(ctx, "alice", "AKIAAAAAAAAAAAAA.AAA") }, ErrValidation,
			`Member must satisfy regular expression pattern: [\w]+`, true, true},
		{"missing user", func() error { return d.DeleteAccessKey(ctx, "carol", k.ID) }, ErrNoSuchEntity, "The user with name carol cannot be found.", true, true},
		{"delete", func() error { return d.DeleteAccessKey(ctx, "alice", k.ID) }, nil, "", false, false},
		{"delete again", func() error { return d.DeleteAccessKey(ctx, "alice", k.ID) }, ErrNoSuchEntity, "cannot be found", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if tt.kind != nil {
				wantError(t, tt.name, err, tt.kind, tt.message)
			} else {
				noErr(t, tt.name, err)
			}
			_, secret, ok := d.AccessKey(k.ID)
			if ok != tt.wantActive || (ok && secret != k.Secret) {
				t.Fatalf("AccessKey ok = %v, want %v", ok, tt.wantActive)
			}
			keys := must[[]AccessKey](t)(d.ListAccessKeys("alice"))
			if listed := len(keys) == 1; listed != tt.wantListed {
				t.Fatalf("ListAccessKeys = %+v", keys)
			}
			if tt.wantListed && (keys[0].Status == StatusActive) != tt.wantActive {
				t.Fatalf("listed status %s", keys[0].Status)
			}
			if _, _, ok := d.AccessKey(bobs.ID); !ok {
				t.Fatal("bob's key changed")
			}
		})
	}
}

func TestAccessKeyUnknown(t *testing.T) {
	d, _, _ := newDirectory(t)
	for _, id := range []string{"", "AKIAIOSFODNN7EXAMPLE", "root", strings.Repeat("A", 200)} {
		if p, secret, ok := d.AccessKey(id); ok || secret != "" || p != (coffer.Principal{}) {
			t.Fatalf("AccessKey(%q) = %+v, %v", id, p, ok)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Status
		ok   bool
	}{
		{"Active", StatusActive, true},
		{"Inactive", StatusInactive, true},
		{"active", "", false},
		{"", "", false},
		{"Expired", "", false},
	} {
		got, err := ParseStatus(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseStatus(%q) = %q, %v", tt.in, got, err)
		}
	}
}
