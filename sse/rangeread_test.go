package sse

import (
	"context"
	"io"
	"sync/atomic"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/dare"
	"github.com/cofferlabs/coffer/storage/mem"
)

// countingStore counts the stored bytes that reads pull from the store.
type countingStore struct {
	coffer.Store
	read atomic.Int64
}

func (s *countingStore) OpenObjectData(ctx context.Context, rec coffer.ObjectRecord, stream int, offset, length int64) (io.ReadCloser, error) {
	rc, err := s.Store.OpenObjectData(ctx, rec, stream, offset, length)
	if err != nil {
		return nil, err
	}
	return &countingReader{ReadCloser: rc, n: &s.read}, nil
}

type countingReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.n.Add(int64(n))
	return n, err
}

// TestRangeGetReadsOnlyOverlappingPackages: a range GET decrypts only the
// packages its bytes lie in, whatever the object's size, so a 1-byte read
// costs one package and a read across a boundary two.
func TestRangeGetReadsOnlyOverlappingPackages(t *testing.T) {
	const pkg = dare.PackageSize + dare.PackageOverhead
	m := mem.New()
	counting := &countingStore{Store: m}
	e := newEnvOn(t, counting, m)
	data := patterned(64<<20, 3)
	e.put("big", data)
	e.multipartUpload("parts", coffer.UploadOptions{}, data[:5<<20], data[5<<20:10<<20], data[10<<20:10<<20+7])

	cases := []struct {
		name         string
		key          string
		start, end   int64
		wantPackages int64
	}{
		{name: "first byte", key: "big", start: 0, end: 0, wantPackages: 1},
		{name: "middle byte", key: "big", start: 33<<20 + 12345, end: 33<<20 + 12345, wantPackages: 1},
		{name: "last byte", key: "big", start: 64<<20 - 1, end: 64<<20 - 1, wantPackages: 1},
		{name: "across a package boundary", key: "big", start: 65535, end: 65536, wantPackages: 2},
		{name: "across a part boundary", key: "parts", start: 5<<20 - 1, end: 5 << 20, wantPackages: 2},
		{name: "last byte of the last part", key: "parts", start: 10<<20 + 6, end: 10<<20 + 6, wantPackages: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			counting.read.Store(0)
			got, _, err := e.read(tc.key, coffer.GetOptions{Range: &coffer.Range{Start: tc.start, End: tc.end}})
			if err != nil {
				t.Fatal(err)
			}
			mustEqualBytes(t, got, data[tc.start:tc.end+1])
			if read := counting.read.Load(); read > tc.wantPackages*pkg {
				t.Fatalf("read %d stored bytes, more than %d packages (%d bytes)", read, tc.wantPackages, tc.wantPackages*pkg)
			}
		})
	}
}
