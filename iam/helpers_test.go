package iam

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/internal/testkit"
	"github.com/cofferlabs/coffer/storage/fs"
	"github.com/cofferlabs/coffer/storage/mem"
)

const testAccount = "111122223333"

var testEpoch = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func testKey() []byte { return ramp(0x42, 32) }

// backend is a key store kind the directory is tested on. open returns a
// key store and a function that closes it and opens the same data again,
// as a restart does.
type backend struct {
	name string
	open func(t testing.TB) (ks coffer.KeyStore, reopen func() coffer.KeyStore, dir string)
}

var backends = []backend{
	{"mem", func(testing.TB) (coffer.KeyStore, func() coffer.KeyStore, string) {
		s := mem.New()
		return s, func() coffer.KeyStore { return s }, ""
	}},
	{"fs", func(t testing.TB) (coffer.KeyStore, func() coffer.KeyStore, string) {
		dir := t.TempDir()
		current := openFS(t, dir)
		reopen := func() coffer.KeyStore {
			if err := current.Close(); err != nil {
				t.Fatal(err)
			}
			current = openFS(t, dir)
			return current
		}
		return current, reopen, dir
	}},
}

func openFS(t testing.TB, dir string) *fs.Store {
	t.Helper()
	s, err := fs.Open(dir, fs.Options{NoSync: true})
	if err != nil {
		t.Fatalf("fs.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// clock is the shared settable test clock.
type clock = testkit.Clock

func openDirectory(t testing.TB, ks coffer.KeyStore, c *clock) *Directory {
	t.Helper()
	opts := Options{AccountID: testAccount}
	if c != nil {
		opts.Now = c.Now
	}
	d, err := Open(context.Background(), ks, testKey(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return d
}

// newDirectory is an empty directory over a memory key store.
func newDirectory(t testing.TB) (*Directory, *mem.Store, *clock) {
	t.Helper()
	ks := mem.New()
	c := testkit.NewClock(testEpoch)
	return openDirectory(t, ks, c), ks, c
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func noErr(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantError checks that err is an *Error of kind whose message contains
// text.
func wantError(t testing.TB, what string, err, kind error, text string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, kind) {
		t.Fatalf("%s: error %v, want %v", what, err, kind)
	}
	if !bytes.Contains([]byte(e.Message), []byte(text)) {
		t.Fatalf("%s: message %q does not contain %q", what, e.Message, text)
	}
}

// storedBytes is every value under iam/ in ks, and for a directory-backed
// store every byte of every file under dir.
func storedBytes(t testing.TB, ks coffer.KeyStore, dir string) [][]byte {
	t.Helper()
	ctx := context.Background()
	names, err := ks.ListKeys(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, name := range names {
		v, err := ks.GetKey(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, []byte(name), v)
	}
	if dir != "" {
		err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			out = append(out, b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// failingStore fails every write while fail is set.
type failingStore struct {
	coffer.KeyStore
	mu   sync.Mutex
	fail bool
}

var errInjected = errors.New("injected key store failure")

func (s *failingStore) failing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fail
}

func (s *failingStore) set(fail bool) {
	s.mu.Lock()
	s.fail = fail
	s.mu.Unlock()
}

func (s *failingStore) CreateKey(ctx context.Context, name string, sealed []byte) error {
	if s.failing() {
		return errInjected
	}
	return s.KeyStore.CreateKey(ctx, name, sealed)
}

func (s *failingStore) PutKey(ctx context.Context, name string, sealed []byte) error {
	if s.failing() {
		return errInjected
	}
	return s.KeyStore.PutKey(ctx, name, sealed)
}

func (s *failingStore) DeleteKey(ctx context.Context, name string) error {
	if s.failing() {
		return errInjected
	}
	return s.KeyStore.DeleteKey(ctx, name)
}
