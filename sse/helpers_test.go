package sse

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/internal/testkit"
)

// ramp returns the n bytes a, a+1, ... (test vector inputs).
func ramp(a byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = a + byte(i)
	}
	return b
}

// fakeClock is the settable clock of keyrings and services under test.
type fakeClock = testkit.Clock

func newFakeClock() *fakeClock { return testkit.NewClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) }

var testRootKey = ramp(0x10, 32)

func newTestKeyring(t testing.TB, ks coffer.KeyStore) *Keyring {
	t.Helper()
	k, err := NewKeyring(context.Background(), ks, testRootKey)
	if err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	return k
}

// patterned returns n bytes that differ from package to package, so that
// misplaced packages or parts show as wrong bytes.
func patterned(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/65536) ^ seed
	}
	return b
}

func mustEqualBytes(t testing.TB, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("bytes differ: got %d bytes, want %d (first difference at %d)", len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
