package iam

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/internal/testkit"
	"github.com/cofferlabs/coffer/storage/keystoretest"
	"github.com/cofferlabs/coffer/storage/mem"
)

// snapshot is everything the directory answers, for comparing a
// directory with the one reopened from its key store.
func snapshot(t *testing.T, d *Directory, keyIDs []string) string {
	t.Helper()
	var b strings.Builder
	users := must[[]User](t)(d.ListUsers(""))
	for _, u := range users {
		fmt.Fprintf(&b, "user %+v\n", u)
		for _, k := range must[[]AccessKey](t)(d.ListAccessKeys(u.Name)) {
			fmt.Fprintf(&b, "  key %+v\n", k)
		}
		for _, name := range must[[]string](t)(d.ListUserPolicies(u.Name)) {
			fmt.Fprintf(&b, "  policy %s %q\n", name, must[string](t)(d.GetUserPolicy(u.Name, name)))
		}
	}
	for _, id := range keyIDs {
		p, secret, ok := d.AccessKey(id)
		fmt.Fprintf(&b, "AccessKey %s: %+v %x %v\n", id, p, sha(secret), ok)
		fmt.Fprintf(&b, "IdentityPolicies %q\n", d.IdentityPolicies(p))
	}
	return b.String()
}

func sha(s string) string { return hex.EncodeToString([]byte(s)) }

// populate makes a directory with users, keys in both states and policies.
func populate(t *testing.T, d *Directory) (keyIDs, secrets []string) {
	t.Helper()
	ctx := context.Background()
	must[User](t)(d.CreateUser(ctx, "Alice", "/eng/"))
	must[User](t)(d.CreateUser(ctx, "bob", ""))
	must[User](t)(d.CreateUser(ctx, "gone", ""))
	noErr(t, "DeleteUser", d.DeleteUser(ctx, "gone"))
	for _, owner := range []string{"alice", "alice", "bob"} {
		k := must[NewAccessKey](t)(d.CreateAccessKey(ctx, owner))
		keyIDs, secrets = append(keyIDs, k.ID), append(secrets, k.Secret)
	}
	deleted := must[NewAccessKey](t)(d.CreateAccessKey(ctx, "bob"))
	noErr(t, "DeleteAccessKey", d.DeleteAccessKey(ctx, "bob", deleted.ID))
	keyIDs, secrets = append(keyIDs, deleted.ID), append(secrets, deleted.Secret)
	noErr(t, "UpdateAccessKey", d.UpdateAccessKey(ctx, "alice", keyIDs[1], StatusInactive))
	noErr(t, "PutUserPolicy", d.PutUserPolicy(ctx, "alice", "read", allowRead))
	noErr(t, "PutUserPolicy", d.PutUserPolicy(ctx, "alice", "all", allowAll))
	noErr(t, "PutUserPolicy", d.PutUserPolicy(ctx, "bob", "tmp", allowAll))
	noErr(t, "DeleteUserPolicy", d.DeleteUserPolicy(ctx, "bob", "tmp"))
	return keyIDs, secrets
}

// TestPersistence: a directory reopened from its key store answers
// exactly as the one that wrote it, on every backend.
func TestPersistence(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ks, reopen, _ := b.open(t)
			c := testkit.NewClock(testEpoch)
			d := openDirectory(t, ks, c)
			keyIDs, secrets := populate(t, d)
			before := snapshot(t, d, keyIDs)
			if _, secret, ok := d.AccessKey(keyIDs[0]); !ok || secret != secrets[0] {
				t.Fatal("the first key does not authenticate")
			}
			ks = reopen()
			again := openDirectory(t, ks, c)
			if after := snapshot(t, again, keyIDs); after != before {
				t.Fatalf("reopened directory answers\n%s\nwant\n%s", after, before)
			}
			if _, secret, ok := again.AccessKey(keyIDs[0]); !ok || secret != secrets[0] {
				t.Fatal("the reopened directory lost the first key's secret")
			}
			if _, _, ok := again.AccessKey(keyIDs[1]); ok {
				t.Fatal("the inactive key authenticates after reopening")
			}
			names, err := ks.ListKeys(context.Background(), "")
			noErr(t, "ListKeys", err)
			if got := strings.Join(names, " "); strings.Count(got, "iam/user/") != 2 || strings.Count(got, "iam/key/") != 3 || !strings.Contains(got, "iam/user/alice") {
				t.Fatalf("stored names: %s", got)
			}
		})
	}
}

// TestSecretNeverStored: no secret appears in what the key store holds, in
// any encoding, nor in the files of the fs backend.
func TestSecretNeverStored(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ks, reopen, dir := b.open(t)
			d := openDirectory(t, ks, nil)
			_, secrets := populate(t, d)
			stored := storedBytes(t, reopen(), dir)
			// The scan sees what is stored: the record names are there.
			if !slices.ContainsFunc(stored, func(v []byte) bool { return bytes.Contains(v, []byte("iam/user/alice")) }) {
				t.Fatal("the scan does not see the stored records")
			}
			for _, secret := range secrets {
				for _, form := range []string{secret, base64.StdEncoding.EncodeToString([]byte(secret)), hex.EncodeToString([]byte(secret)), secret[:16]} {
					for _, v := range stored {
						if bytes.Contains(v, []byte(form)) {
							t.Fatalf("a secret (%d characters of it) is stored in the clear", len(form))
						}
					}
				}
			}
		})
	}
}

func TestOpenRefusals(t *testing.T) {
	ctx := context.Background()
	// written is a key store holding a populated directory.
	written := func(t *testing.T) (*mem.Store, []string) {
		ks := mem.New()
		d := openDirectory(t, ks, nil)
		ids, _ := populate(t, d)
		return ks, ids
	}
	for _, tt := range []struct {
		name   string
		change func(t *testing.T, ks *mem.Store, ids []string)
		key    []byte
		want   error
		text   string
	}{
		{"another key", func(*testing.T, *mem.Store, []string) {}, ramp(0, 32), ErrWrongKey, ""},
		{"a short key", func(*testing.T, *mem.Store, []string) {}, ramp(0, 16), nil, "must be 32 bytes"},
		{"an altered record", func(t *testing.T, ks *mem.Store, ids []string) {
			v, _ := ks.GetKey(ctx, keyRecordName(ids[0]))
			v[len(v)/2] ^= 1
			noErr(t, "PutKey", ks.PutKey(ctx, keyRecordName(ids[0]), v))
		}, nil, coffer.ErrSealedKeyInvalid, keyRecordName("")},
		{"a key record under another key id", func(t *testing.T, ks *mem.Store, ids []string) {
			v, _ := ks.GetKey(ctx, keyRecordName(ids[0]))
			noErr(t, "PutKey", ks.PutKey(ctx, keyRecordName("AKIAAAAAAAAAAAAAAAAA"), v))
		}, nil, coffer.ErrSealedKeyInvalid, "AKIAAAAAAAAAAAAAAAAA"},
		{"a user record under another name", func(t *testing.T, ks *mem.Store, ids []string) {
			v, _ := ks.GetKey(ctx, userRecordName("bob"))
			noErr(t, "PutKey", ks.PutKey(ctx, userRecordName("alice"), v))
		}, nil, coffer.ErrSealedKeyInvalid, "iam/user/alice"},
		{"a key whose user is gone", func(t *testing.T, ks *mem.Store, ids []string) {
			noErr(t, "DeleteKey", ks.DeleteKey(ctx, userRecordName("bob")))
		}, nil, coffer.ErrSealedKeyInvalid, "belongs to no user"},
		{"an unknown record", func(t *testing.T, ks *mem.Store, ids []string) {
			noErr(t, "PutKey", ks.PutKey(ctx, "iam/group/admins", []byte("x")))
		}, nil, coffer.ErrSealedKeyInvalid, "iam/group/admins"},
		{"a read failure", nil, nil, errInjected, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ks, ids := written(t)
			var store coffer.KeyStore = ks
			if tt.change != nil {
				tt.change(t, ks, ids)
			} else {
				store = unreadable{ks}
			}
			key := testKey()
			if tt.key != nil {
				key = tt.key
			}
			d, err := Open(ctx, store, key, Options{AccountID: testAccount})
			if err == nil || d != nil {
				t.Fatalf("Open succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Open: %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("Open: %v, want it to mention %q", err, tt.text)
			}
		})
	}
	for _, account := range []string{"", "12345678901", "1234567890123", "12345678901a"} {
		if _, err := Open(ctx, mem.New(), testKey(), Options{AccountID: account}); err == nil {
			t.Errorf("Open with account id %q succeeded", account)
		}
	}
	// Records of other packages are none of the directory's business.
	ks := mem.New()
	noErr(t, "PutKey", ks.PutKey(ctx, "kms/key/x", []byte("sealed elsewhere")))
	noErr(t, "PutKey", ks.PutKey(ctx, "master/1", []byte("sealed elsewhere")))
	if _, err := Open(ctx, ks, testKey(), Options{AccountID: testAccount}); err != nil {
		t.Fatalf("Open beside other records: %v", err)
	}
}

type unreadable struct{ coffer.KeyStore }

func (unreadable) GetKey(context.Context, string) ([]byte, error) { return nil, errInjected }

// TestWriteFailures: a change the key store refuses is not made, in
// memory or in the store, and the error says nothing secret.
func TestWriteFailures(t *testing.T) {
	ctx := context.Background()
	ks := &failingStore{KeyStore: mem.New()}
	d := openDirectory(t, ks, nil)
	keyIDs, secrets := populate(t, d)
	must[User](t)(d.CreateUser(ctx, "idle", ""))
	before := snapshot(t, d, keyIDs)
	ks.set(true)
	for _, tt := range []struct {
		name string
		do   func() error
	}{
		{"CreateUser", func() error { _, err := d.CreateUser(ctx, "carol", ""); return err }},
		{"DeleteUser", func() error { return d.DeleteUser(ctx, "idle") }},
		{"CreateAccessKey", func() error { _, err := d.CreateAccessKey(ctx, "bob"); return err }},
		{"UpdateAccessKey", func() error { return d.UpdateAccessKey(ctx, "alice", keyIDs[0], StatusInactive) }},
		{"DeleteAccessKey", func() error { return d.DeleteAccessKey(ctx, "alice", keyIDs[0]) }},
		{"PutUserPolicy", func() error { return d.PutUserPolicy(ctx, "alice", "new", allowAll) }},
		{"DeleteUserPolicy", func() error { return d.DeleteUserPolicy(ctx, "alice", "read") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if !errors.Is(err, errInjected) {
				t.Fatalf("%s: %v, want the key store's failure", tt.name, err)
			}
			var e *Error
			if errors.As(err, &e) {
				t.Fatalf("%s: a key store failure is a client error: %v", tt.name, err)
			}
			for _, secret := range secrets {
				if strings.Contains(err.Error(), secret) {
					t.Fatal("the error carries a secret")
				}
			}
			if after := snapshot(t, d, keyIDs); after != before {
				t.Fatalf("a failed %s changed the directory:\n%s", tt.name, after)
			}
		})
	}
	ks.set(false)
	if after := snapshot(t, openDirectory(t, ks, nil), keyIDs); after != before {
		t.Fatalf("the key store changed:\n%s", after)
	}
}

// TestSecretsNotFormatted: the types that hold a secret print without it.
func TestSecretsNotFormatted(t *testing.T) {
	d, _, _ := newDirectory(t)
	ctx := context.Background()
	must[User](t)(d.CreateUser(ctx, "alice", ""))
	k := must[NewAccessKey](t)(d.CreateAccessKey(ctx, "alice"))
	u := d.users["alice"]
	mem := d.keys[k.ID]
	for _, v := range []any{k, &k, mem, *mem, mem.record(u)} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, k.Secret) {
				t.Fatalf("%s of %T shows the secret: %s", verb, v, s)
			}
		}
	}
}

// TestConcurrentUse runs changes and the per-request lookups together
// (meaningful under -race).
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	d, _, _ := newDirectory(t)
	must[User](t)(d.CreateUser(ctx, "shared", ""))
	shared := must[NewAccessKey](t)(d.CreateAccessKey(ctx, "shared"))
	noErr(t, "PutUserPolicy", d.PutUserPolicy(ctx, "shared", "p", allowAll))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				p, secret, ok := d.AccessKey(shared.ID)
				if ok && secret != shared.Secret {
					t.Error("AccessKey answered another secret")
					return
				}
				_ = d.IdentityPolicies(p)
				_, _ = d.ListUsers("")
			}
		}()
	}
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 20 {
				name := fmt.Sprintf("user%d-%d", w, i)
				if _, err := d.CreateUser(ctx, name, ""); err != nil {
					t.Error(err)
					return
				}
				k, err := d.CreateAccessKey(ctx, name)
				if err != nil {
					t.Error(err)
					return
				}
				if _, _, ok := d.AccessKey(k.ID); !ok {
					t.Error("a new key does not authenticate")
				}
				_ = d.UpdateAccessKey(ctx, "shared", shared.ID, StatusInactive)
				_ = d.UpdateAccessKey(ctx, "shared", shared.ID, StatusActive)
				_ = d.PutUserPolicy(ctx, "shared", "p", allowRead)
				_ = d.DeleteAccessKey(ctx, name, k.ID)
				_ = d.DeleteUser(ctx, name)
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	if users := must[[]User](t)(d.ListUsers("")); len(users) != 1 {
		t.Fatalf("%d users left", len(users))
	}
}

// TestKeyStoreConformance: the key stores the directory is tested on pass
// the conformance suite (a guard on this file's helpers, not a test of
// the stores).
func TestKeyStoreConformance(t *testing.T) {
	keystoretest.Run(t, func(t *testing.T) coffer.KeyStore { return &failingStore{KeyStore: mem.New()} })
}
