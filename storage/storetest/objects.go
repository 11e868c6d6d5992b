package storetest

import (
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

func testObjects(t *testing.T, open func(t *testing.T) coffer.Store) {
	t.Run("CommitGet", func(t *testing.T) {
		s := open(t)
		b := newBucket(t, s)
		data := payload(1, 10000)
		rec := put(t, s, b, "dir/key", data)
		if rec.Bucket != b || rec.Key != "dir/key" || rec.DataID == "" || rec.StoredSize != int64(len(data)) {
			t.Fatalf("Commit did not fill the record: bucket %q key %q data %q stored %d", rec.Bucket, rec.Key, rec.DataID, rec.StoredSize)
		}
		got, err := s.GetObject(t.Context(), b, "dir/key")
		noErr(t, "GetObject", err)
		sameRecord(t, "GetObject", got, rec)
		sameBytes(t, "data", mustRead(t, s, got, 0, 0, got.StoredSize), data)
	})
	t.Run("NothingVisibleBeforeCommit", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		w, err := s.NewObjectWriter(ctx, b, "k")
		noErr(t, "NewObjectWriter", err)
		_, err = w.Write([]byte("pending"))
		noErr(t, "Write", err)
		_, err = s.GetObject(ctx, b, "k")
		wantErr(t, "GetObject before Commit", err, coffer.ErrNoSuchKey)
		page, err := s.ListObjects(ctx, b, coffer.ListQuery{})
		noErr(t, "ListObjects", err)
		if len(page.Objects) != 0 {
			t.Fatalf("uncommitted object is listed")
		}
		rec := sampleRecord([]byte("pending"))
		noErr(t, "Commit", w.Commit(ctx, coffer.CommitRecord{Object: &rec}))
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject after Commit", err)
		sameBytes(t, "data", mustRead(t, s, got, 0, 0, got.StoredSize), []byte("pending"))
	})
	t.Run("Abort", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		old := put(t, s, b, "k", []byte("old"))
		w, err := s.NewObjectWriter(ctx, b, "k")
		noErr(t, "NewObjectWriter", err)
		w.Write(payload(2, 300<<10))
		noErr(t, "Abort", w.Abort())
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		sameRecord(t, "record after Abort", got, old)
		sameBytes(t, "data after Abort", mustRead(t, s, got, 0, 0, got.StoredSize), []byte("old"))
		rec := sampleRecord(nil)
		if err := w.Commit(ctx, coffer.CommitRecord{Object: &rec}); err == nil {
			t.Fatalf("Commit after Abort succeeded")
		}
		if _, err := w.Write([]byte("x")); err == nil {
			t.Fatalf("Write after Abort succeeded")
		}
	})
	t.Run("WriterEndsAtCommit", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		w, err := s.NewObjectWriter(ctx, b, "k")
		noErr(t, "NewObjectWriter", err)
		w.Write([]byte("data"))
		rec := sampleRecord([]byte("data"))
		noErr(t, "Commit", w.Commit(ctx, coffer.CommitRecord{Object: &rec}))
		if _, err := w.Write([]byte("more")); err == nil {
			t.Fatalf("Write after Commit succeeded")
		}
		again := sampleRecord([]byte("data"))
		if err := w.Commit(ctx, coffer.CommitRecord{Object: &again}); err == nil {
			t.Fatalf("second Commit succeeded")
		}
		noErr(t, "Abort after Commit", w.Abort())
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		sameBytes(t, "data", mustRead(t, s, got, 0, 0, got.StoredSize), []byte("data"))
	})
	t.Run("Overwrite", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		old := put(t, s, b, "k", payload(3, 200<<10))
		data := []byte("the new version")
		rec := sampleRecord(data)
		rec.Meta.ContentType = "text/plain"
		noErr(t, "overwrite", tryPut(ctx, s, b, "k", data, &rec, nil))
		if rec.DataID == old.DataID {
			t.Fatalf("overwrite reused data id %s", rec.DataID)
		}
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		sameRecord(t, "record after overwrite", got, rec)
		sameBytes(t, "data after overwrite", mustRead(t, s, got, 0, 0, got.StoredSize), data)
		_, err = read(ctx, s, old, 0, 0, old.StoredSize)
		wantErr(t, "reading the replaced version", err, coffer.ErrConcurrentUpdate)
	})
	t.Run("Check", func(t *testing.T) { testCheck(t, open) })
	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		rec := put(t, s, b, "k", []byte("doomed"))
		put(t, s, b, "k2", []byte("stays"))
		noErr(t, "DeleteObject", s.DeleteObject(ctx, b, "k"))
		_, err := s.GetObject(ctx, b, "k")
		wantErr(t, "GetObject after delete", err, coffer.ErrNoSuchKey)
		_, err = read(ctx, s, rec, 0, 0, rec.StoredSize)
		wantErr(t, "reading deleted data", err, coffer.ErrConcurrentUpdate)
		wantErr(t, "second DeleteObject", s.DeleteObject(ctx, b, "k"), coffer.ErrNoSuchKey)
		wantErr(t, "DeleteObject of a key never written", s.DeleteObject(ctx, b, "never"), coffer.ErrNoSuchKey)
		page, err := s.ListObjects(ctx, b, coffer.ListQuery{})
		noErr(t, "ListObjects", err)
		if len(page.Objects) != 1 || page.Objects[0].Key != "k2" {
			t.Fatalf("after delete, listing = %v", keysOf(page.Objects))
		}
	})
	t.Run("Missing", func(t *testing.T) {
		s := open(t)
		b := newBucket(t, s)
		_, err := s.GetObject(t.Context(), b, "nope")
		wantErr(t, "GetObject", err, coffer.ErrNoSuchKey)
	})
	t.Run("InvalidKeys", func(t *testing.T) {
		s := open(t)
		b := newBucket(t, s)
		for name, key := range map[string]string{
			"empty":        "",
			"too long":     strings.Repeat("k", coffer.MaxObjectKeyLength+1),
			"invalid utf8": "bad\xff",
		} {
			if w, err := s.NewObjectWriter(t.Context(), b, key); err == nil {
				w.Abort()
				t.Errorf("NewObjectWriter accepted %s key", name)
			}
		}
		longest := strings.Repeat("k", coffer.MaxObjectKeyLength)
		put(t, s, b, longest, []byte("fits"))
	})
	t.Run("Empty", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		rec := put(t, s, b, "empty", nil)
		if rec.StoredSize != 0 || rec.DataID == "" {
			t.Fatalf("empty object: stored %d, data id %q", rec.StoredSize, rec.DataID)
		}
		got, err := s.GetObject(ctx, b, "empty")
		noErr(t, "GetObject", err)
		sameRecord(t, "empty object", got, rec)
		if data := mustRead(t, s, got, 0, 0, 0); len(data) != 0 {
			t.Fatalf("empty object reads %d bytes", len(data))
		}
		put(t, s, b, "empty", []byte("now full"))
		_, err = read(ctx, s, got, 0, 0, 0)
		wantErr(t, "reading replaced empty object", err, coffer.ErrConcurrentUpdate)
	})
	t.Run("Large", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		const chunk, chunks = 1 << 20, 20
		w, err := s.NewObjectWriter(ctx, b, "large")
		noErr(t, "NewObjectWriter", err)
		sum := sha256.New()
		for i := range chunks {
			data := payload(uint64(100+i), chunk)
			sum.Write(data)
			_, err := w.Write(data)
			noErr(t, "Write", err)
		}
		rec := coffer.ObjectRecord{Size: chunk * chunks, ETag: "large", Modified: stamp}
		noErr(t, "Commit", w.Commit(ctx, coffer.CommitRecord{Object: &rec}))
		if rec.StoredSize != chunk*chunks {
			t.Fatalf("StoredSize = %d, want %d", rec.StoredSize, chunk*chunks)
		}
		r, err := s.OpenObjectData(ctx, rec, 0, 0, rec.StoredSize)
		noErr(t, "OpenObjectData", err)
		got := sha256.New()
		n, err := copyInSmallReads(got, r)
		r.Close()
		noErr(t, "reading large object", err)
		if n != chunk*chunks || string(got.Sum(nil)) != string(sum.Sum(nil)) {
			t.Fatalf("large object read back %d bytes with a different hash", n)
		}
		// A range across the boundary between the 5th and 6th chunk.
		want := append(payload(104, chunk)[chunk-1000:], payload(105, chunk)[:3000]...)
		sameBytes(t, "range across chunks", mustRead(t, s, rec, 0, 5*chunk-1000, 4000), want)
	})
}

// copyInSmallReads copies with an odd buffer size so readers see reads that
// do not line up with anything the store does.
func copyInSmallReads(dst io.Writer, src io.Reader) (int64, error) {
	return io.CopyBuffer(dst, struct{ io.Reader }{src}, make([]byte, 33333))
}

func keysOf(recs []coffer.ObjectRecord) []string {
	keys := make([]string, 0, len(recs))
	for _, r := range recs {
		keys = append(keys, r.Key)
	}
	return keys
}

// testCheck covers conditional commits: the check sees the current record
// (nil when absent) and a rejection leaves the old object untouched.
func testCheck(t *testing.T, open func(t *testing.T) coffer.Store) {
	custom := errors.New("custom rejection")
	cases := []struct {
		name     string
		existing bool
		check    func(old coffer.ObjectRecord) func(*coffer.ObjectRecord) error
		wantErr  error
		alsoErr  error // the check's own error, kept in the chain
	}{
		{"AbsentRequireAbsent", false, func(coffer.ObjectRecord) func(*coffer.ObjectRecord) error { return requireAbsent }, nil, nil},
		{"PresentRequireAbsent", true, func(coffer.ObjectRecord) func(*coffer.ObjectRecord) error { return requireAbsent }, coffer.ErrPreconditionFailed, nil},
		{"PresentMatchingETag", true, requireRecord, nil, nil},
		{"PresentOtherETag", true, func(coffer.ObjectRecord) func(*coffer.ObjectRecord) error {
			return requireRecord(coffer.ObjectRecord{ETag: "other"})
		}, coffer.ErrPreconditionFailed, nil},
		{"AbsentRequirePresent", false, requireRecord, coffer.ErrPreconditionFailed, nil},
		{"CustomErrorStillPreconditionFailed", true, func(coffer.ObjectRecord) func(*coffer.ObjectRecord) error {
			return func(*coffer.ObjectRecord) error { return custom }
		}, coffer.ErrPreconditionFailed, custom},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			b := newBucket(t, s)
			var old coffer.ObjectRecord
			if tc.existing {
				old = put(t, s, b, "k", []byte("old version"))
			}
			data := payload(7, 150<<10)
			rec := sampleRecord(data)
			err := tryPut(ctx, s, b, "k", data, &rec, tc.check(old))
			if tc.wantErr == nil {
				noErr(t, "conditional Commit", err)
				got, err := s.GetObject(ctx, b, "k")
				noErr(t, "GetObject", err)
				sameRecord(t, "new record", got, rec)
				sameBytes(t, "new data", mustRead(t, s, got, 0, 0, got.StoredSize), data)
				return
			}
			wantErr(t, "conditional Commit", err, tc.wantErr)
			if tc.alsoErr != nil && !errors.Is(err, tc.alsoErr) {
				t.Fatalf("Commit error %v lost the check's error", err)
			}
			got, err := s.GetObject(ctx, b, "k")
			if !tc.existing {
				wantErr(t, "GetObject after refused commit", err, coffer.ErrNoSuchKey)
				return
			}
			noErr(t, "GetObject", err)
			sameRecord(t, "record after refused commit", got, old)
			sameBytes(t, "data after refused commit", mustRead(t, s, got, 0, 0, got.StoredSize), []byte("old version"))
		})
	}
}

func requireAbsent(cur *coffer.ObjectRecord) error {
	if cur != nil {
		return coffer.ErrPreconditionFailed
	}
	return nil
}

// requireRecord passes when the current record exists with want's ETag.
func requireRecord(want coffer.ObjectRecord) func(*coffer.ObjectRecord) error {
	return func(cur *coffer.ObjectRecord) error {
		if cur == nil || cur.ETag != want.ETag || cur.ETag == "" {
			return coffer.ErrPreconditionFailed
		}
		return nil
	}
}
