package sse

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/mem"
)

func TestKeyringCreatesAndReloadsVersionOne(t *testing.T) {
	ctx := context.Background()
	ks := mem.New()
	clock := newFakeClock()
	k, err := newKeyring(ctx, ks, testRootKey, clock.Now, bytes.NewReader(ramp(0x20, 64)))
	if err != nil {
		t.Fatal(err)
	}
	if got := k.CurrentVersion(); got != 1 {
		t.Fatalf("CurrentVersion = %d, want 1", got)
	}
	names, err := ks.ListKeys(ctx, "sse/")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0] != "sse/master/00000001" {
		t.Fatalf("key store holds %q, want [sse/master/00000001]", names)
	}
	envelope, err := ks.GetKey(ctx, names[0])
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(envelope, ramp(0x20, 32)) {
		t.Fatal("the stored envelope holds the master key in the clear")
	}
	again, err := NewKeyring(ctx, ks, testRootKey)
	if err != nil {
		t.Fatalf("reloading: %v", err)
	}
	want := []MasterKeyInfo{{Version: 1, Created: clock.Now()}}
	if got := again.Versions(); len(got) != 1 || got[0] != want[0] {
		t.Fatalf("Versions = %v, want %v", got, want)
	}
}

func TestKeyringRefusesBadRootKeys(t *testing.T) {
	ctx := context.Background()
	ks := mem.New()
	newTestKeyring(t, ks)
	wrong := bytes.Clone(testRootKey)
	wrong[31] ^= 1
	tests := []struct {
		name    string
		root    []byte
		wantErr error
	}{
		{"wrong root key", wrong, ErrWrongRootKey},
		{"short root key", testRootKey[:31], nil},
		{"long root key", append(bytes.Clone(testRootKey), 0), nil},
		{"no root key", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewKeyring(ctx, ks, tc.root)
			if err == nil || k != nil {
				t.Fatalf("NewKeyring = %v, %v; want an error", k, err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
	_, err := NewKeyring(ctx, ks, wrong)
	if !errors.Is(err, coffer.ErrSealedKeyInvalid) {
		t.Fatalf("wrong root key: %v does not wrap ErrSealedKeyInvalid", err)
	}
	if bytes.Contains([]byte(err.Error()), []byte("\x10\x11\x12")) {
		t.Fatal("error text holds root key bytes")
	}
}

func TestKeyringDetectsTamperedEnvelopes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		tamper func(t *testing.T, ks *mem.Store)
	}{
		{"flipped bit in version 2", func(t *testing.T, ks *mem.Store) {
			b, _ := ks.GetKey(ctx, "sse/master/00000002")
			b[20] ^= 0x04
			putKey(t, ks, "sse/master/00000002", b)
		}},
		{"truncated version 2", func(t *testing.T, ks *mem.Store) {
			b, _ := ks.GetKey(ctx, "sse/master/00000002")
			putKey(t, ks, "sse/master/00000002", b[:len(b)-1])
		}},
		{"version 1 copied over version 2", func(t *testing.T, ks *mem.Store) {
			b, _ := ks.GetKey(ctx, "sse/master/00000001")
			putKey(t, ks, "sse/master/00000002", b)
		}},
		{"unknown format byte", func(t *testing.T, ks *mem.Store) {
			b, _ := ks.GetKey(ctx, "sse/master/00000002")
			b[0] = 2
			putKey(t, ks, "sse/master/00000002", b)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks := mem.New()
			k := newTestKeyring(t, ks)
			if _, err := k.Rotate(ctx); err != nil {
				t.Fatal(err)
			}
			tc.tamper(t, ks)
			_, err := NewKeyring(ctx, ks, testRootKey)
			if !errors.Is(err, coffer.ErrSealedKeyInvalid) || errors.Is(err, ErrWrongRootKey) {
				t.Fatalf("err = %v, want a corrupt key store error (ErrSealedKeyInvalid, not ErrWrongRootKey)", err)
			}
		})
	}
}

func TestKeyringRefusesForeignEntries(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"sse/master/1", "sse/master/0000000x", "sse/master/00000000", "sse/master/000000001"} {
		t.Run(name, func(t *testing.T) {
			ks := mem.New()
			putKey(t, ks, name, []byte("x"))
			if _, err := NewKeyring(ctx, ks, testRootKey); err == nil {
				t.Fatalf("NewKeyring accepted a key store holding %q", name)
			}
		})
	}
}

func TestKeyringRotate(t *testing.T) {
	ctx := context.Background()
	ks := mem.New()
	k := newTestKeyring(t, ks)
	for want := uint32(2); want <= 4; want++ {
		got, err := k.Rotate(ctx)
		if err != nil || got != want || k.CurrentVersion() != want {
			t.Fatalf("Rotate = %d, %v (current %d); want %d", got, err, k.CurrentVersion(), want)
		}
	}
	again := newTestKeyring(t, ks)
	if again.CurrentVersion() != 4 || len(again.Versions()) != 4 {
		t.Fatalf("reloaded keyring: current %d, versions %v", again.CurrentVersion(), again.Versions())
	}
}

func TestKeyringRotateRace(t *testing.T) {
	ctx := context.Background()
	ks := mem.New()
	a := newTestKeyring(t, ks)
	b := newTestKeyring(t, ks)
	va, err := a.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vb, err := b.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if va != 2 || vb != 2 {
		t.Fatalf("two keyrings rotating from 1 got %d and %d; want both to settle on 2", va, vb)
	}
	names, _ := ks.ListKeys(ctx, masterKeyNamePrefix)
	if len(names) != 2 {
		t.Fatalf("key store holds %v", names)
	}
}

func TestKeyringRotateIfOlder(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	k, err := newKeyring(ctx, mem.New(), testRootKey, clock.Now, bytes.NewReader(make([]byte, 1024)))
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name        string
		advance     time.Duration
		wantVersion uint32
		wantRotated bool
	}{
		{"fresh key", 0, 1, false},
		{"just younger", 24*time.Hour - time.Second, 1, false},
		{"exactly old enough", time.Second, 2, true},
		{"new key is fresh", time.Hour, 2, false},
		{"new key old enough", 23 * time.Hour, 3, true},
	}
	for _, st := range steps {
		clock.Advance(st.advance)
		v, rotated, err := k.RotateIfOlder(ctx, 24*time.Hour)
		if err != nil || v != st.wantVersion || rotated != st.wantRotated {
			t.Fatalf("%s: RotateIfOlder = %d, %v, %v; want %d, %v", st.name, v, rotated, err, st.wantVersion, st.wantRotated)
		}
	}
}

func TestKeyringLoadsVersionsCreatedElsewhere(t *testing.T) {
	ctx := context.Background()
	ks := mem.New()
	a := newTestKeyring(t, ks)
	b := newTestKeyring(t, ks)
	if _, err := b.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.aead(ctx, 2); err != nil {
		t.Fatalf("keyring a cannot use version 2 created by b: %v", err)
	}
	if _, err := a.aead(ctx, 3); !errors.Is(err, coffer.ErrSealedKeyInvalid) {
		t.Fatalf("missing version 3: err = %v, want ErrSealedKeyInvalid", err)
	}
}

func putKey(t *testing.T, ks coffer.KeyStore, name string, b []byte) {
	t.Helper()
	if err := ks.PutKey(context.Background(), name, b); err != nil {
		t.Fatal(err)
	}
}
