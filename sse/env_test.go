package sse

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/checksum"
	"github.com/cofferlabs/coffer/storage/fs"
	"github.com/cofferlabs/coffer/storage/mem"
)

// backend opens a fresh store and key store for one test.
type backend struct {
	name string
	open func(t testing.TB) (coffer.Store, coffer.KeyStore)
}

var backends = []backend{
	{"mem", func(testing.TB) (coffer.Store, coffer.KeyStore) { s := mem.New(); return s, s }},
	{"fs", openFS(fs.Options{NoSync: true})},
	{"fs-files", openFS(fs.Options{NoSync: true, InlineThreshold: -1})},
}

// openFS opens storage/fs in a temporary directory; fsync is off because
// durability is storage/fs's to test, not sse's.
func openFS(opts fs.Options) func(testing.TB) (coffer.Store, coffer.KeyStore) {
	return func(t testing.TB) (coffer.Store, coffer.KeyStore) {
		s, err := fs.Open(t.TempDir(), opts)
		if err != nil {
			t.Fatalf("fs.Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s, s
	}
}

// env is a Service under test with its store, key store and clock, and an
// existing bucket named "bucket".
type env struct {
	t     testing.TB
	ctx   context.Context
	svc   *Service
	store coffer.Store
	keys  coffer.KeyStore
	ring  *Keyring
	clock *fakeClock
}

const testBucket = "bucket"

func newEnv(t testing.TB, b backend) *env {
	t.Helper()
	store, keys := b.open(t)
	return newEnvOn(t, store, keys)
}

func newEnvOn(t testing.TB, store coffer.Store, keys coffer.KeyStore) *env {
	t.Helper()
	clock := newFakeClock()
	ring := newTestKeyring(t, keys)
	e := &env{
		t: t, ctx: context.Background(), store: store, keys: keys, ring: ring, clock: clock,
		svc: New(store, ring, Options{Region: "eu-test-1", AccountID: "123456789012", Now: clock.Now}),
	}
	if err := e.svc.CreateBucket(e.ctx, testBucket); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	return e
}

// forEachBackend runs fn against every backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

func (e *env) put(key string, data []byte) coffer.ObjectInfo {
	e.t.Helper()
	info, err := e.svc.PutObject(e.ctx, testBucket, key, bytes.NewReader(data), coffer.PutOptions{Check: coffer.BodyCheck{Size: int64(len(data))}})
	if err != nil {
		e.t.Fatalf("PutObject %s: %v", key, err)
	}
	return info
}

// read returns what GetObject delivers for key, or the error of the call
// or of reading.
func (e *env) read(key string, opts coffer.GetOptions) ([]byte, *coffer.ObjectReader, error) {
	e.t.Helper()
	_, r, err := e.svc.GetObject(e.ctx, testBucket, key, opts)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	return got, r, err
}

func (e *env) mustRead(key string) []byte {
	e.t.Helper()
	got, _, err := e.read(key, coffer.GetOptions{})
	if err != nil {
		e.t.Fatalf("reading %s: %v", key, err)
	}
	return got
}

func (e *env) record(key string) coffer.ObjectRecord {
	e.t.Helper()
	rec, err := e.store.GetObject(e.ctx, testBucket, key)
	if err != nil {
		e.t.Fatalf("store.GetObject %s: %v", key, err)
	}
	return rec
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func md5Raw(b []byte) []byte {
	sum := md5.Sum(b)
	return sum[:]
}

func checksumOf(alg coffer.ChecksumAlgorithm, b []byte) string {
	h := checksum.New(alg)
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// multipartUpload creates an upload of key, uploads parts (numbered from
// 1) and completes it.
func (e *env) multipartUpload(key string, opts coffer.UploadOptions, parts ...[]byte) coffer.ObjectInfo {
	e.t.Helper()
	up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, key, opts)
	if err != nil {
		e.t.Fatalf("CreateMultipartUpload: %v", err)
	}
	var list []coffer.CompletePart
	for i, data := range parts {
		info, err := e.svc.UploadPart(e.ctx, testBucket, key, up.UploadID, i+1, bytes.NewReader(data), coffer.PartOptions{Check: coffer.BodyCheck{Size: int64(len(data))}})
		if err != nil {
			e.t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		list = append(list, coffer.CompletePart{Number: i + 1, ETag: `"` + info.ETag + `"`})
	}
	info, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, key, up.UploadID, coffer.CompleteOptions{Parts: list})
	if err != nil {
		e.t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	return info
}
