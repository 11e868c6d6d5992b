package keystoretest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cofferlabs/coffer"
)

// Run runs the whole suite against key stores made by open.
func Run(t *testing.T, open func(t *testing.T) coffer.KeyStore) {
	t.Run("CreateGet", func(t *testing.T) {
		ks := open(t)
		ctx := t.Context()
		for name, sealed := range map[string][]byte{
			"master/1":     {0, 1, 2, 0xfe, 0xff},
			"kms/key-a":    bytes.Repeat([]byte{0xab}, 4096),
			"empty-value":  {},
			"unicode/ключ": []byte("sealed"),
		} {
			noErr(t, "CreateKey "+name, ks.CreateKey(ctx, name, sealed))
			got, err := ks.GetKey(ctx, name)
			noErr(t, "GetKey "+name, err)
			if !bytes.Equal(got, sealed) {
				t.Fatalf("GetKey(%s) = %x, want %x", name, got, sealed)
			}
		}
	})
	t.Run("CreateExisting", func(t *testing.T) {
		ks := open(t)
		ctx := t.Context()
		noErr(t, "CreateKey", ks.CreateKey(ctx, "k", []byte("first")))
		wantErr(t, "second CreateKey", ks.CreateKey(ctx, "k", []byte("second")), coffer.ErrKeyExists)
		assertKey(t, ks, "k", "first")
	})
	t.Run("Put", func(t *testing.T) {
		ks := open(t)
		ctx := t.Context()
		noErr(t, "PutKey creates", ks.PutKey(ctx, "k", []byte("one")))
		assertKey(t, ks, "k", "one")
		noErr(t, "PutKey replaces", ks.PutKey(ctx, "k", []byte("two")))
		assertKey(t, ks, "k", "two")
		wantErr(t, "CreateKey after PutKey", ks.CreateKey(ctx, "k", []byte("three")), coffer.ErrKeyExists)
	})
	t.Run("Missing", func(t *testing.T) {
		ks := open(t)
		ctx := t.Context()
		_, err := ks.GetKey(ctx, "nope")
		wantErr(t, "GetKey", err, coffer.ErrKeyNotFound)
		wantErr(t, "DeleteKey", ks.DeleteKey(ctx, "nope"), coffer.ErrKeyNotFound)
	})
	t.Run("Delete", func(t *testing.T) {
		ks := open(t)
		ctx := t.Context()
		noErr(t, "CreateKey", ks.CreateKey(ctx, "k", []byte("v")))
		noErr(t, "CreateKey", ks.CreateKey(ctx, "k2", []byte("v2")))
		noErr(t, "DeleteKey", ks.DeleteKey(ctx, "k"))
		_, err := ks.GetKey(ctx, "k")
		wantErr(t, "GetKey after delete", err, coffer.ErrKeyNotFound)
		wantErr(t, "second DeleteKey", ks.DeleteKey(ctx, "k"), coffer.ErrKeyNotFound)
		assertKey(t, ks, "k2", "v2")
		noErr(t, "CreateKey after delete", ks.CreateKey(ctx, "k", []byte("again")))
		assertKey(t, ks, "k", "again")
	})
	t.Run("List", testList(open))
	t.Run("Aliasing", func(t *testing.T) {
		ks := open(t)
		ctx := t.Context()
		in := []byte("sealed")
		noErr(t, "CreateKey", ks.CreateKey(ctx, "a", in))
		in[0] = 'X'
		assertKey(t, ks, "a", "sealed")
		put := []byte("put")
		noErr(t, "PutKey", ks.PutKey(ctx, "b", put))
		put[0] = 'X'
		assertKey(t, ks, "b", "put")
		out, err := ks.GetKey(ctx, "a")
		noErr(t, "GetKey", err)
		out[0] = 'Y'
		assertKey(t, ks, "a", "sealed")
	})
	t.Run("ConcurrentCreate", func(t *testing.T) {
		ks := open(t)
		ctx := t.Context()
		const workers = 8
		var won atomic.Int32
		var wg sync.WaitGroup
		for g := range workers {
			wg.Go(func() {
				err := ks.CreateKey(ctx, "master/1", []byte(fmt.Sprint(g)))
				switch {
				case err == nil:
					won.Add(1)
				case !errors.Is(err, coffer.ErrKeyExists):
					t.Errorf("CreateKey: %v", err)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d concurrent CreateKey calls won, want 1", won.Load())
		}
	})
	t.Run("ConcurrentPuts", func(t *testing.T) {
		ks := open(t)
		ctx := t.Context()
		const workers, rounds = 8, 10
		var wg sync.WaitGroup
		for g := range workers {
			wg.Go(func() {
				for i := range rounds {
					name := fmt.Sprintf("w%d/%d", g, i)
					if err := ks.PutKey(ctx, name, []byte(name)); err != nil {
						t.Errorf("PutKey: %v", err)
						return
					}
					if got, err := ks.GetKey(ctx, name); err != nil || string(got) != name {
						t.Errorf("GetKey(%s) = %q, %v", name, got, err)
						return
					}
				}
			})
		}
		wg.Wait()
		names, err := ks.ListKeys(ctx, "w")
		noErr(t, "ListKeys", err)
		if len(names) != workers*rounds {
			t.Fatalf("ListKeys found %d keys, want %d", len(names), workers*rounds)
		}
	})
}

func testList(open func(t *testing.T) coffer.KeyStore) func(t *testing.T) {
	return func(t *testing.T) {
		ks := open(t)
		ctx := t.Context()
		names, err := ks.ListKeys(ctx, "")
		noErr(t, "ListKeys on an empty store", err)
		if len(names) != 0 {
			t.Fatalf("new key store lists %q", names)
		}
		for _, name := range []string{"master/2", "kms/b", "master/10", "master/1", "kms/a", "masterful", "Z"} {
			noErr(t, "PutKey", ks.PutKey(ctx, name, []byte(name)))
		}
		cases := []struct {
			prefix string
			want   []string
		}{
			{"", []string{"Z", "kms/a", "kms/b", "master/1", "master/10", "master/2", "masterful"}},
			{"master/", []string{"master/1", "master/10", "master/2"}},
			{"master", []string{"master/1", "master/10", "master/2", "masterful"}},
			{"master/1", []string{"master/1", "master/10"}},
			{"kms/b", []string{"kms/b"}},
			{"none", nil},
		}
		for _, tc := range cases {
			got, err := ks.ListKeys(ctx, tc.prefix)
			noErr(t, "ListKeys", err)
			if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
				t.Errorf("ListKeys(%q) = %q, want %q", tc.prefix, got, tc.want)
			}
		}
	}
}

func assertKey(t *testing.T, ks coffer.KeyStore, name, want string) {
	t.Helper()
	got, err := ks.GetKey(t.Context(), name)
	noErr(t, "GetKey "+name, err)
	if string(got) != want {
		t.Fatalf("GetKey(%s) = %q, want %q", name, got, want)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
