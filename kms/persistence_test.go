package kms

import (
	"bytes"
	"errors"
	"github.com/cofferlabs/coffer/policy"
	"os"
	"path/filepath"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/internal/testkit"
	"github.com/cofferlabs/coffer/storage/fs"
)

func TestPersistenceAcrossNew(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/kept", TargetKeyId: key.KeyId})
	f.must(err)
	_, err = f.api.TagResource(f.ctx, &TagResourceInput{KeyId: key.KeyId, Tags: []Tag{{TagKey: "a", TagValue: "b"}}})
	f.must(err)
	old := f.encrypt(key.KeyId, []byte("before"), map[string]string{"x": "y"})
	_, err = f.api.RotateKeyOnDemand(f.ctx, &RotateKeyOnDemandInput{KeyId: key.KeyId})
	f.must(err)
	fresh := f.encrypt("alias/kept", []byte("after"), nil)

	again := f.open().API()
	for _, tc := range []struct {
		blob []byte
		ec   map[string]string
		want string
	}{{old, map[string]string{"x": "y"}, "before"}, {fresh, nil, "after"}} {
		dec, err := again.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: tc.blob, EncryptionContext: tc.ec, KeyId: "alias/kept"})
		f.must(err)
		if string(dec.Plaintext) != tc.want {
			t.Fatalf("decrypted %q, want %q", dec.Plaintext, tc.want)
		}
	}
	tags, err := again.ListResourceTags(f.ctx, &ListResourceTagsInput{KeyId: key.KeyId})
	f.must(err)
	rotations, err := again.ListKeyRotations(f.ctx, &ListKeyRotationsInput{KeyId: key.KeyId})
	f.must(err)
	if len(tags.Tags) != 1 || len(rotations.Rotations) != 1 {
		t.Fatalf("reloaded key has tags %v and rotations %v", tags.Tags, rotations.Rotations)
	}
}

func TestWrongRootKey(t *testing.T) {
	f := newFixture(t)
	f.newKey()
	_, err := New(f.store, ramp(0x80, 32), Options{Region: testRegion, AccountID: testAccount, Policy: policy.NewKeyPolicies()})
	if !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("New with another root key: %v, want ErrWrongRootKey", err)
	}
}

func TestTamperedOrMovedRecords(t *testing.T) {
	cases := []struct {
		name   string
		damage func(f *fixture, keyID string)
	}{
		{"flipped bit", func(f *fixture, keyID string) {
			env, _ := f.store.GetKey(f.ctx, keyStoreName(keyID))
			env[len(env)/2] ^= 0x10
			f.must(f.store.PutKey(f.ctx, keyStoreName(keyID), env))
		}},
		{"record moved to another key's name", func(f *fixture, keyID string) {
			env, _ := f.store.GetKey(f.ctx, keyStoreName(keyID))
			f.must(f.store.PutKey(f.ctx, keyStoreName("00000000-0000-4000-8000-000000000000"), env))
		}},
		{"alias record moved", func(f *fixture, keyID string) {
			env, _ := f.store.GetKey(f.ctx, aliasStoreName("alias/a"))
			f.must(f.store.PutKey(f.ctx, aliasStoreName("alias/b"), env))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			key := f.newKey()
			_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/a", TargetKeyId: key.KeyId})
			f.must(err)
			tc.damage(f, key.KeyId)
			_, err = New(f.store, testRootKey, Options{Region: testRegion, AccountID: testAccount, Policy: policy.NewKeyPolicies()})
			if !errors.Is(err, coffer.ErrSealedKeyInvalid) {
				t.Fatalf("New over a damaged store: %v, want ErrSealedKeyInvalid", err)
			}
		})
	}
}

// TestNoKeyMaterialAtRest looks for every version of a key's material, and
// for data keys handed out, in the bytes of the key store and on disk.
func TestNoKeyMaterialAtRest(t *testing.T) {
	dir := t.TempDir()
	store, err := fs.Open(dir, fs.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, clock: testkit.NewClock(testEpoch), audit: &recorder{}, ctx: asPrincipal(rootPrincipal())}
	k, err := New(store, testRootKey, Options{Region: testRegion, AccountID: testAccount, Policy: policy.NewKeyPolicies(), Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.kms, f.api = k, k.API()
	key := f.newKey()
	_, err = f.api.RotateKeyOnDemand(f.ctx, &RotateKeyOnDemandInput{KeyId: key.KeyId})
	f.must(err)
	gdk, err := f.api.GenerateDataKey(f.ctx, &GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: DataKeyAES256})
	f.must(err)
	secrets := [][]byte{gdk.Plaintext}
	for _, m := range k.lookupKey(key.KeyId).rec.Materials {
		secrets = append(secrets, m.Secret)
	}
	names, err := store.ListKeys(f.ctx, "")
	f.must(err)
	for _, name := range names {
		env, err := store.GetKey(f.ctx, name)
		f.must(err)
		for _, s := range secrets {
			if bytes.Contains(env, s) {
				t.Fatalf("record %s holds key material in plaintext", name)
			}
		}
	}
	// Reopened from disk, the key still works.
	f.must(store.Close())
	store, err = fs.Open(dir, fs.Options{NoSync: true})
	f.must(err)
	defer store.Close()
	k, err = New(store, testRootKey, Options{Region: testRegion, AccountID: testAccount, Policy: policy.NewKeyPolicies()})
	f.must(err)
	dec, err := k.API().Decrypt(f.ctx, &DecryptInput{CiphertextBlob: gdk.CiphertextBlob})
	f.must(err)
	if !bytes.Equal(dec.Plaintext, gdk.Plaintext) {
		t.Fatal("data key changed across a reopen")
	}
	f.must(filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(raw, s) {
				t.Errorf("%s holds key material in plaintext", path)
			}
		}
		return nil
	}))
}

func TestNewRefusesBadOptions(t *testing.T) {
	good := Options{Region: testRegion, AccountID: testAccount, Policy: policy.NewKeyPolicies()}
	cases := []struct {
		name    string
		rootKey []byte
		opts    func(o *Options)
	}{
		{"short root key", ramp(0, 16), func(*Options) {}},
		{"no policy engine", testRootKey, func(o *Options) { o.Policy = nil }},
		{"bad account", testRootKey, func(o *Options) { o.AccountID = "12345" }},
		{"bad region", testRootKey, func(o *Options) { o.Region = "US East" }},
		{"negative quota", testRootKey, func(o *Options) { o.QuotaPerSecond = -1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.opts(&o)
			if _, err := New(newFixture(t).store, tc.rootKey, o); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}
