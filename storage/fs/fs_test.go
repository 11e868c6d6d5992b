package fs

import (
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/keystoretest"
	"github.com/cofferlabs/coffer/storage/storetest"
)

func openTest(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// openChecked opens a store for the conformance suite and checks its
// integrity when the test ends, so every suite test also proves it leaked
// no data and left no record without data.
func openChecked(t *testing.T, opts Options) *Store {
	s := openTest(t, t.TempDir(), opts)
	t.Cleanup(func() {
		if err := integrity(s); err != nil && !t.Failed() {
			t.Errorf("integrity after test: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	cases := []struct {
		name string
		opts Options
	}{
		{"Durable", Options{}},
		{"AllFiles", Options{InlineThreshold: -1, NoSync: true}},
		{"AllFilesBuffered", Options{InlineThreshold: -1, NoSync: true, BufferedIO: true}},
		{"SmallInline", Options{InlineThreshold: 1000, NoSync: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && !tc.opts.NoSync {
				t.Skip("fsyncs are slow")
			}
			storetest.Run(t, func(t *testing.T) coffer.Store { return openChecked(t, tc.opts) })
		})
	}
}

func TestKeyStore(t *testing.T) {
	keystoretest.Run(t, func(t *testing.T) coffer.KeyStore { return openTest(t, t.TempDir(), Options{}) })
}
