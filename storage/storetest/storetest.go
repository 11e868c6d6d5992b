package storetest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open func(t *testing.T) coffer.Store) {
	t.Run("Buckets", func(t *testing.T) { testBuckets(t, open) })
	t.Run("Objects", func(t *testing.T) { testObjects(t, open) })
	t.Run("Ranges", func(t *testing.T) { testRanges(t, open) })
	t.Run("UpdateObject", func(t *testing.T) { testUpdateObject(t, open) })
	t.Run("List", func(t *testing.T) { testList(t, open) })
	t.Run("Multipart", func(t *testing.T) { testMultipart(t, open) })
	t.Run("CompleteCheck", func(t *testing.T) { testCompleteCheck(t, open) })
	t.Run("UpdateUpload", func(t *testing.T) { testUpdateUpload(t, open) })
	t.Run("Walk", func(t *testing.T) { testWalk(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
	t.Run("Aliasing", func(t *testing.T) { testAliasing(t, open) })
	t.Run("StrayState", func(t *testing.T) { testStrayState(t, open) })
}

var bucketSeq atomic.Int64

// newBucket creates a bucket with a unique name.
func newBucket(t *testing.T, s coffer.Store) string {
	t.Helper()
	name := fmt.Sprintf("bucket-%d", bucketSeq.Add(1))
	if err := s.CreateBucket(t.Context(), coffer.BucketRecord{Name: name, Created: stamp}); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
	return name
}

// stamp is a fixed time; JSON-backed stores return UTC times unchanged.
var stamp = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// sampleRecord is a record with every caller-set field filled.
func sampleRecord(data []byte) coffer.ObjectRecord {
	sum := md5.Sum(data)
	return coffer.ObjectRecord{
		Size:     int64(len(data)),
		ETag:     hex.EncodeToString(sum[:]),
		Modified: stamp,
		Meta: coffer.ObjectMeta{
			ContentType: "application/octet-stream",
			User:        map[string]string{"color": "blue", "empty": ""},
		},
		Checksum:   coffer.Checksum{Algorithm: coffer.ChecksumCRC32, Type: coffer.ChecksumFullObject, Value: "AAAAAA=="},
		Encryption: coffer.EncryptionInfo{Type: coffer.SSES3},
		SealedKey:  []byte("sealed:" + hex.EncodeToString(sum[:4])),
	}
}

// put writes data as bucket/key in chunks and commits rec.
func put(t *testing.T, s coffer.Store, bucket, key string, data []byte) coffer.ObjectRecord {
	t.Helper()
	rec := sampleRecord(data)
	if err := tryPut(t.Context(), s, bucket, key, data, &rec, nil); err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
	return rec
}

func tryPut(ctx context.Context, s coffer.Store, bucket, key string, data []byte, rec *coffer.ObjectRecord, check func(*coffer.ObjectRecord) error) error {
	w, err := s.NewObjectWriter(ctx, bucket, key)
	if err != nil {
		return err
	}
	if err := writeChunks(w, data, 7919); err != nil {
		w.Abort()
		return err
	}
	return w.Commit(ctx, coffer.CommitRecord{Object: rec, Check: check})
}

func writeChunks(w io.Writer, data []byte, chunk int) error {
	for len(data) > 0 {
		n := min(chunk, len(data))
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// read returns length bytes of one stream of rec from offset.
func read(ctx context.Context, s coffer.Store, rec coffer.ObjectRecord, stream int, offset, length int64) ([]byte, error) {
	r, err := s.OpenObjectData(ctx, rec, stream, offset, length)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func mustRead(t *testing.T, s coffer.Store, rec coffer.ObjectRecord, stream int, offset, length int64) []byte {
	t.Helper()
	b, err := read(t.Context(), s, rec, stream, offset, length)
	if err != nil {
		t.Fatalf("read %s/%s stream %d [%d+%d]: %v", rec.Bucket, rec.Key, stream, offset, length, err)
	}
	return b
}

// payload returns n deterministic pseudo-random bytes.
func payload(seed uint64, n int) []byte {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	b := make([]byte, n)
	rand.NewChaCha8(key).Read(b)
	return b
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

func sameBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes, want %d bytes (contents differ)", what, len(got), len(want))
	}
}

// sameRecord compares records, treating nil and empty slices and maps alike
// and times by instant.
func sameRecord(t *testing.T, what string, got, want coffer.ObjectRecord) {
	t.Helper()
	g, w := normObject(got), normObject(want)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

func normObject(r coffer.ObjectRecord) coffer.ObjectRecord {
	r.Modified = r.Modified.UTC()
	r.Meta = normMeta(r.Meta)
	if len(r.SealedKey) == 0 {
		r.SealedKey = nil
	}
	if len(r.Parts) == 0 {
		r.Parts = nil
	}
	parts := make([]coffer.PartRecord, len(r.Parts))
	for i, p := range r.Parts {
		parts[i] = normPart(p)
	}
	if r.Parts != nil {
		r.Parts = parts
	}
	return r
}

func normPart(p coffer.PartRecord) coffer.PartRecord {
	p.Modified = p.Modified.UTC()
	if len(p.Nonce) == 0 {
		p.Nonce = nil
	}
	return p
}

func normMeta(m coffer.ObjectMeta) coffer.ObjectMeta {
	if len(m.User) == 0 {
		m.User = nil
	}
	return m
}

func normUpload(u coffer.UploadRecord) coffer.UploadRecord {
	u.Initiated = u.Initiated.UTC()
	u.Meta = normMeta(u.Meta)
	if len(u.SealedKey) == 0 {
		u.SealedKey = nil
	}
	return u
}

func normBucket(b coffer.BucketRecord) coffer.BucketRecord {
	b.Created = b.Created.UTC()
	if len(b.Config) == 0 {
		b.Config = nil
		return b
	}
	cfg := make(map[string][]byte, len(b.Config))
	for k, v := range b.Config {
		if len(v) > 0 {
			cfg[k] = v
		} else {
			cfg[k] = nil
		}
	}
	b.Config = cfg
	return b
}
