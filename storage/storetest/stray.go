package storetest

import (
	"context"
	"testing"

	"github.com/cofferlabs/coffer"
)

// testStrayState covers writers and uploads that outlive their bucket or
// upload: their commits fail and leave nothing behind.
func testStrayState(t *testing.T, open func(t *testing.T) coffer.Store) {
	t.Run("ObjectWriterOutlivesBucket", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		w, err := s.NewObjectWriter(ctx, b, "k")
		noErr(t, "NewObjectWriter", err)
		w.Write(payload(31, 200<<10))
		noErr(t, "DeleteBucket with an open writer", s.DeleteBucket(ctx, b))
		rec := sampleRecord(nil)
		wantErr(t, "Commit into a deleted bucket", w.Commit(ctx, coffer.CommitRecord{Object: &rec}), coffer.ErrNoSuchBucket)
		noErr(t, "CreateBucket again", s.CreateBucket(ctx, coffer.BucketRecord{Name: b, Created: stamp}))
		assertEmptyBucket(t, s, b)
	})
	t.Run("PartWriterOutlivesBucket", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		w, err := s.NewPartWriter(ctx, b, "k", "u1", 1)
		noErr(t, "NewPartWriter", err)
		w.Write([]byte("part"))
		noErr(t, "AbortUpload", s.AbortUpload(ctx, b, "k", "u1"))
		noErr(t, "DeleteBucket", s.DeleteBucket(ctx, b))
		noErr(t, "CreateBucket again", s.CreateBucket(ctx, coffer.BucketRecord{Name: b, Created: stamp}))
		part := coffer.PartRecord{Size: 4}
		err = w.Commit(ctx, coffer.CommitRecord{Part: &part})
		wantErr(t, "part Commit after bucket was remade", err, coffer.ErrNoSuchUpload)
		assertEmptyBucket(t, s, b)
	})
	t.Run("UploadIDsDoNotCrossUploads", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		p := putPart(t, s, b, "k", "u1", 1, []byte("from u1"))
		createUpload(t, s, b, "k", "u2")
		err := s.CompleteUpload(ctx, "u2", completed(b, "k", p), nil)
		wantErr(t, "completing u2 with u1's part", err, coffer.ErrInvalidPart)
		parts, err := s.ListParts(ctx, b, "k", "u2")
		noErr(t, "ListParts", err)
		if len(parts) != 0 {
			t.Fatalf("u2 lists u1's parts")
		}
	})
	t.Run("CanceledCommit", func(t *testing.T) {
		s := open(t)
		b := newBucket(t, s)
		old := put(t, s, b, "k", []byte("old"))
		w, err := s.NewObjectWriter(t.Context(), b, "k")
		noErr(t, "NewObjectWriter", err)
		w.Write([]byte("new"))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		rec := sampleRecord([]byte("new"))
		if err := w.Commit(ctx, coffer.CommitRecord{Object: &rec}); err == nil {
			t.Fatalf("Commit with a canceled context succeeded")
		}
		got, err := s.GetObject(t.Context(), b, "k")
		noErr(t, "GetObject", err)
		sameRecord(t, "record after canceled commit", got, old)
		w.Abort()
	})
}
