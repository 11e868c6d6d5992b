package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	bolt "go.etcd.io/bbolt"
)

func TestOpenTwice(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir, Options{NoSync: true})
	_, err := Open(dir, Options{LockTimeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open of a data dir: %v, want an in-use error", err)
	}
}

func TestOpenRefusesOtherFormat(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{NoSync: true})
	noErr(t, err)
	noErr(t, s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyFormat, []byte("2")) }))
	noErr(t, s.Close())
	if _, err := Open(dir, Options{NoSync: true}); err == nil || !strings.Contains(err.Error(), "format") {
		t.Fatalf("Open of a format-2 meta.db: %v", err)
	}
}

func TestClosed(t *testing.T) {
	ctx := t.Context()
	s, err := Open(t.TempDir(), Options{NoSync: true})
	noErr(t, err)
	noErr(t, s.CreateBucket(ctx, coffer.BucketRecord{Name: "b"}))
	w, err := s.NewObjectWriter(ctx, "b", "k")
	noErr(t, err)
	noErr(t, s.Close())
	noErr(t, s.Close())
	rec := coffer.ObjectRecord{}
	if err := w.Commit(ctx, coffer.CommitRecord{Object: &rec}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Commit after Close: %v", err)
	}
	if _, err := s.GetObject(ctx, "b", "k"); !errors.Is(err, ErrClosed) {
		t.Fatalf("GetObject after Close: %v", err)
	}
	if err := s.PutKey(ctx, "k", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("PutKey after Close: %v", err)
	}
}

// TestReopen checks that everything committed is there after Close and
// Open: records, inline and file data, uploads, parts and keys.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	noErr(t, err)
	noErr(t, s.CreateBucket(ctx, coffer.BucketRecord{Name: "b", Config: map[string][]byte{"policy": []byte("p")}}))
	noErr(t, putObject(ctx, s, "b", "small", 1, oldSmall))
	noErr(t, putObject(ctx, s, "b", "large", 1, oldLarge))
	noErr(t, s.CreateUpload(ctx, coffer.UploadRecord{Bucket: "b", Key: "mp", ID: "u1"}))
	_, err = putPart(ctx, s, "b", "mp", "u1", 1, newLarge)
	noErr(t, err)
	noErr(t, s.PutKey(ctx, "master/1", []byte("sealed")))
	noErr(t, s.Close())

	s = openTest(t, dir, Options{})
	b, err := s.GetBucket(ctx, "b")
	noErr(t, err)
	if string(b.Config["policy"]) != "p" {
		t.Fatalf("bucket config after reopen: %q", b.Config)
	}
	noErr(t, objectHolds(ctx, s, "small", oldSmall))
	noErr(t, objectHolds(ctx, s, "large", oldLarge))
	parts, err := s.ListParts(ctx, "b", "mp", "u1")
	noErr(t, err)
	noErr(t, s.CompleteUpload(ctx, "u1", coffer.ObjectRecord{Bucket: "b", Key: "mp", ETag: sha256Hex(newLarge), Parts: parts}, nil))
	noErr(t, objectHolds(ctx, s, "mp", newLarge))
	key, err := s.GetKey(ctx, "master/1")
	noErr(t, err)
	if string(key) != "sealed" {
		t.Fatalf("key after reopen: %q", key)
	}
	checkIntegrity(t, s)
}

// TestReaderOutlivesReplace: a stream opened before the object was
// replaced keeps reading the old data (the file is unlinked, not gone).
func TestReaderOutlivesReplace(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, t.TempDir(), Options{NoSync: true})
	noErr(t, s.CreateBucket(ctx, coffer.BucketRecord{Name: "b"}))
	noErr(t, putObject(ctx, s, "b", "k", 1, oldLarge))
	rec, err := s.GetObject(ctx, "b", "k")
	noErr(t, err)
	r, err := s.OpenObjectData(ctx, rec, 0, 100, rec.StoredSize-100)
	noErr(t, err)
	defer r.Close()
	noErr(t, putObject(ctx, s, "b", "k", 2, newLarge))
	got, err := io.ReadAll(r)
	noErr(t, err)
	if string(got) != string(oldLarge[100:]) {
		t.Fatalf("reader opened before the overwrite read other bytes")
	}
	if _, err := s.OpenObjectData(ctx, rec, 0, 0, 1); !errors.Is(err, coffer.ErrConcurrentUpdate) {
		t.Fatalf("opening replaced data: %v", err)
	}
}

// TestInlineThreshold checks where data lands: inline up to the
// threshold, a file beyond it.
func TestInlineThreshold(t *testing.T) {
	cases := []struct {
		name      string
		threshold int
		size      int
		file      bool
	}{
		{"Empty", 0, 0, false},
		{"Small", 0, 4 << 10, false},
		{"AtThreshold", 0, DefaultInlineThreshold, false},
		{"PastThreshold", 0, DefaultInlineThreshold + 1, true},
		{"CustomThreshold", 100, 101, true},
		{"NeverInlineEmpty", -1, 0, true},
		{"NeverInline", -1, 10, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			s := openTest(t, t.TempDir(), Options{NoSync: true, InlineThreshold: tc.threshold})
			noErr(t, s.CreateBucket(ctx, coffer.BucketRecord{Name: "b"}))
			data := testData(9, tc.size)
			noErr(t, putObject(ctx, s, "b", "k", 1, data))
			rec, err := s.GetObject(ctx, "b", "k")
			noErr(t, err)
			_, statErr := os.Stat(filepath.Join(s.dir, objectsDir, rec.DataID[:2], rec.DataID))
			if isFile := statErr == nil; isFile != tc.file {
				t.Fatalf("%d bytes with threshold %d: file %v, want %v", tc.size, tc.threshold, isFile, tc.file)
			}
			noErr(t, objectHolds(ctx, s, "k", data))
			checkIntegrity(t, s)
		})
	}
}

// TestWriterMemoryConstant streams 64 MiB through a writer and checks the
// heap it allocated stays at the buffers' size, in both write modes.
func TestWriterMemoryConstant(t *testing.T) {
	for _, buffered := range []bool{false, true} {
		t.Run(fmt.Sprintf("BufferedIO=%v", buffered), func(t *testing.T) {
			ctx := t.Context()
			s := openTest(t, t.TempDir(), Options{NoSync: true, BufferedIO: buffered})
			noErr(t, s.CreateBucket(ctx, coffer.BucketRecord{Name: "b"}))
			<-s.Swept() // nothing else may allocate while we measure
			chunk := testData(10, 1<<20)
			w, err := s.NewObjectWriter(ctx, "b", "big")
			noErr(t, err)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range 64 {
				_, err := w.Write(chunk)
				noErr(t, err)
			}
			runtime.ReadMemStats(&after)
			rec := coffer.ObjectRecord{}
			noErr(t, w.Commit(ctx, coffer.CommitRecord{Object: &rec}))
			// Two chunks if the pool had none to give, and 1 MiB for
			// everything else (a background write's goroutine and channel
			// per chunk, the file).
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 2*(chunkSize+blockSize)+1<<20 {
				t.Fatalf("writing 64 MiB allocated %d bytes", grew)
			}
			if rec.StoredSize != 64<<20 {
				t.Fatalf("StoredSize = %d", rec.StoredSize)
			}
		})
	}
}

// TestCommitterIsolatesFailures: a request that fails inside a shared
// transaction gets its error; the others in the batch still commit.
func TestCommitterIsolatesFailures(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{NoSync: true})
	refuse := errors.New("refused")
	var reqs []*commitReq
	for i := range 6 {
		reqs = append(reqs, &commitReq{done: make(chan error, 1), fn: func(tx *bolt.Tx) error {
			if i%3 == 1 {
				return refuse
			}
			return tx.Bucket(bucketKeys).Put([]byte(fmt.Sprint(i)), []byte{recordVersion})
		}})
	}
	s.commits.run(reqs)
	for i, r := range reqs {
		err := <-r.done
		if i%3 == 1 {
			if !errors.Is(err, refuse) {
				t.Errorf("request %d: %v, want refused", i, err)
			}
			continue
		}
		noErr(t, err)
	}
	names, err := s.ListKeys(context.Background(), "")
	noErr(t, err)
	if strings.Join(names, ",") != "0,2,3,5" {
		t.Fatalf("committed %q, want 0,2,3,5", names)
	}
}
