package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

func uploadRecord(bucket, key, id string, initiated time.Time) coffer.UploadRecord {
	return coffer.UploadRecord{
		Bucket: bucket, Key: key, ID: id, Initiated: initiated,
		Meta:         coffer.ObjectMeta{ContentType: "video/mp4", User: map[string]string{"who": "test"}},
		Encryption:   coffer.EncryptionInfo{Type: coffer.SSES3},
		SealedKey:    []byte("sealed upload key " + id),
		Checksum:     coffer.ChecksumCRC32C,
		ChecksumType: coffer.ChecksumComposite,
	}
}

func createUpload(t *testing.T, s coffer.Store, bucket, key, id string) coffer.UploadRecord {
	t.Helper()
	rec := uploadRecord(bucket, key, id, stamp)
	noErr(t, "CreateUpload", s.CreateUpload(t.Context(), rec))
	return rec
}

func putPart(t *testing.T, s coffer.Store, bucket, key, uploadID string, n int, data []byte) coffer.PartRecord {
	t.Helper()
	w, err := s.NewPartWriter(t.Context(), bucket, key, uploadID, n)
	noErr(t, "NewPartWriter", err)
	noErr(t, "Write", writeChunks(w, data, 4099))
	rec := coffer.PartRecord{Size: int64(len(data)), ETag: fmt.Sprintf("etag-%d-%d", n, len(data)), Modified: stamp,
		Nonce: []byte(fmt.Sprintf("nonce-%d", n))}
	noErr(t, "Commit part", w.Commit(t.Context(), coffer.CommitRecord{Part: &rec}))
	if rec.Number != n || rec.DataID == "" || rec.StoredSize != int64(len(data)) {
		t.Fatalf("part Commit did not fill the record: number %d data %q stored %d", rec.Number, rec.DataID, rec.StoredSize)
	}
	return rec
}

// completed makes the object record CompleteUpload is given for parts.
func completed(bucket, key string, parts ...coffer.PartRecord) coffer.ObjectRecord {
	rec := sampleRecord(nil)
	rec.Bucket, rec.Key, rec.ETag = bucket, key, fmt.Sprintf("multipart-%d", len(parts))
	for _, p := range parts {
		rec.Size += p.Size
	}
	rec.Parts = parts
	return rec
}

func testMultipart(t *testing.T, open func(t *testing.T) coffer.Store) {
	t.Run("CreateGet", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		want := createUpload(t, s, b, "video", "u1")
		got, err := s.GetUpload(ctx, b, "video", "u1")
		noErr(t, "GetUpload", err)
		if !reflect.DeepEqual(normUpload(got), normUpload(want)) {
			t.Fatalf("GetUpload = %+v, want %+v", got, want)
		}
		for name, args := range map[string][3]string{
			"WrongID":     {b, "video", "u2"},
			"WrongKey":    {b, "other", "u1"},
			"WrongBucket": {newBucket(t, s), "video", "u1"},
		} {
			_, err := s.GetUpload(ctx, args[0], args[1], args[2])
			wantErr(t, "GetUpload "+name, err, coffer.ErrNoSuchUpload)
			_, err = s.NewPartWriter(ctx, args[0], args[1], args[2], 1)
			wantErr(t, "NewPartWriter "+name, err, coffer.ErrNoSuchUpload)
			_, err = s.ListParts(ctx, args[0], args[1], args[2])
			wantErr(t, "ListParts "+name, err, coffer.ErrNoSuchUpload)
			wantErr(t, "AbortUpload "+name, s.AbortUpload(ctx, args[0], args[1], args[2]), coffer.ErrNoSuchUpload)
		}
		_, err = s.GetObject(ctx, b, "video")
		wantErr(t, "GetObject of an upload's key", err, coffer.ErrNoSuchKey)
	})
	t.Run("PartNumbers", func(t *testing.T) {
		s := open(t)
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		for _, n := range []int{0, -1, coffer.MaxPartNumber + 1} {
			if w, err := s.NewPartWriter(t.Context(), b, "k", "u1", n); err == nil {
				w.Abort()
				t.Errorf("NewPartWriter accepted part number %d", n)
			}
		}
		putPart(t, s, b, "k", "u1", coffer.MaxPartNumber, []byte("last"))
	})
	t.Run("ListPartsOrdered", func(t *testing.T) {
		s := open(t)
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		var want []coffer.PartRecord
		for _, n := range []int{10, 2, 300, 1} {
			want = append(want, putPart(t, s, b, "k", "u1", n, payload(uint64(n), 100*n)))
		}
		want = []coffer.PartRecord{want[3], want[1], want[0], want[2]}
		got, err := s.ListParts(t.Context(), b, "k", "u1")
		noErr(t, "ListParts", err)
		if len(got) != len(want) {
			t.Fatalf("ListParts returned %d parts, want %d", len(got), len(want))
		}
		for i := range got {
			if !reflect.DeepEqual(normPart(got[i]), normPart(want[i])) {
				t.Fatalf("ListParts[%d] = %+v, want %+v", i, got[i], want[i])
			}
		}
	})
	t.Run("Complete", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		sizes := map[int]int{1: 300 << 10, 2: 1000, 3: 0, 4: 5000}
		data := map[int][]byte{}
		parts := map[int]coffer.PartRecord{}
		for n := 1; n <= 4; n++ {
			data[n] = payload(uint64(20+n), sizes[n])
			parts[n] = putPart(t, s, b, "k", "u1", n, data[n])
		}
		// Parts 1, 2 and 4 form the object; part 3 is left out.
		rec := completed(b, "k", parts[1], parts[2], parts[4])
		noErr(t, "CompleteUpload", s.CompleteUpload(ctx, "u1", rec, nil))
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		if got.UploadID != "u1" || got.DataID == "" || len(got.Parts) != 3 {
			t.Fatalf("completed record: upload %q data %q parts %d", got.UploadID, got.DataID, len(got.Parts))
		}
		for i, n := range []int{1, 2, 4} {
			if !reflect.DeepEqual(normPart(got.Parts[i]), normPart(parts[n])) {
				t.Fatalf("Parts[%d] = %+v, want %+v", i, got.Parts[i], parts[n])
			}
			sameBytes(t, fmt.Sprintf("stream %d", i), mustRead(t, s, got, i, 0, got.Parts[i].StoredSize), data[n])
		}
		sameBytes(t, "range inside part 1", mustRead(t, s, got, 0, 1000, 2000), data[1][1000:3000])
		sameBytes(t, "range at the end of part 4", mustRead(t, s, got, 2, 4990, 10), data[4][4990:])
		for _, bad := range [][3]int64{{3, 0, 0}, {0, 0, 300<<10 + 1}, {1, 1001, 0}} {
			if _, err := read(ctx, s, got, int(bad[0]), bad[1], bad[2]); err == nil {
				t.Fatalf("stream %d [%d+%d] of the completed object succeeded", bad[0], bad[1], bad[2])
			}
		}
		_, err = s.GetUpload(ctx, b, "k", "u1")
		wantErr(t, "GetUpload after complete", err, coffer.ErrNoSuchUpload)
		ups, err := s.ListUploads(ctx, b)
		noErr(t, "ListUploads", err)
		if len(ups) != 0 {
			t.Fatalf("completed upload still listed")
		}
		wantErr(t, "second CompleteUpload", s.CompleteUpload(ctx, "u1", rec, nil), coffer.ErrNoSuchUpload)
		// Replacing the object drops its parts' data.
		put(t, s, b, "k", []byte("single"))
		for i := range got.Parts {
			_, err := read(ctx, s, got, i, 0, got.Parts[i].StoredSize)
			wantErr(t, "reading a replaced multipart object", err, coffer.ErrConcurrentUpdate)
		}
	})
	t.Run("CompleteReplacesObject", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		old := put(t, s, b, "k", []byte("old"))
		createUpload(t, s, b, "k", "u1")
		p := putPart(t, s, b, "k", "u1", 1, []byte("new"))
		noErr(t, "CompleteUpload", s.CompleteUpload(ctx, "u1", completed(b, "k", p), nil))
		_, err := read(ctx, s, old, 0, 0, old.StoredSize)
		wantErr(t, "reading the replaced object", err, coffer.ErrConcurrentUpdate)
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		sameBytes(t, "completed data", mustRead(t, s, got, 0, 0, 3), []byte("new"))
	})
	t.Run("CompleteOnlyNumbersAndETags", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		p := putPart(t, s, b, "k", "u1", 1, []byte("abc"))
		rec := completed(b, "k", coffer.PartRecord{Number: 1, ETag: p.ETag})
		noErr(t, "CompleteUpload", s.CompleteUpload(ctx, "u1", rec, nil))
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		if len(got.Parts) != 1 || !reflect.DeepEqual(normPart(got.Parts[0]), normPart(p)) {
			t.Fatalf("completed parts = %+v, want the stored part %+v", got.Parts, p)
		}
	})
	t.Run("PartReplace", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		first := putPart(t, s, b, "k", "u1", 1, []byte("first version"))
		second := putPart(t, s, b, "k", "u1", 1, []byte("second"))
		if first.DataID == second.DataID {
			t.Fatalf("replacement part reused data id")
		}
		parts, err := s.ListParts(ctx, b, "k", "u1")
		noErr(t, "ListParts", err)
		if len(parts) != 1 || !reflect.DeepEqual(normPart(parts[0]), normPart(second)) {
			t.Fatalf("after replacing part 1, ListParts = %+v", parts)
		}
		// The first version can no longer be completed.
		err = s.CompleteUpload(ctx, "u1", completed(b, "k", first), nil)
		wantErr(t, "CompleteUpload with the replaced part", err, coffer.ErrInvalidPart)
		noErr(t, "CompleteUpload", s.CompleteUpload(ctx, "u1", completed(b, "k", second), nil))
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		sameBytes(t, "data", mustRead(t, s, got, 0, 0, got.Parts[0].StoredSize), []byte("second"))
	})
	t.Run("CompleteInvalid", func(t *testing.T) {
		cases := []struct {
			name    string
			parts   func(p1, p2 coffer.PartRecord) []coffer.PartRecord
			wantErr error
		}{
			{"MissingPart", func(p1, p2 coffer.PartRecord) []coffer.PartRecord {
				return []coffer.PartRecord{p1, {Number: 3, ETag: "x"}}
			}, coffer.ErrInvalidPart},
			{"WrongETag", func(p1, p2 coffer.PartRecord) []coffer.PartRecord {
				p2.ETag = "wrong"
				return []coffer.PartRecord{p1, p2}
			}, coffer.ErrInvalidPart},
			{"NoParts", func(p1, p2 coffer.PartRecord) []coffer.PartRecord { return nil }, coffer.ErrInvalidPart},
			{"OutOfOrder", func(p1, p2 coffer.PartRecord) []coffer.PartRecord {
				return []coffer.PartRecord{p2, p1}
			}, coffer.ErrInvalidPartOrder},
			{"Duplicate", func(p1, p2 coffer.PartRecord) []coffer.PartRecord {
				return []coffer.PartRecord{p1, p1}
			}, coffer.ErrInvalidPartOrder},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				ctx := t.Context()
				b := newBucket(t, s)
				createUpload(t, s, b, "k", "u1")
				p1 := putPart(t, s, b, "k", "u1", 1, []byte("one"))
				p2 := putPart(t, s, b, "k", "u1", 2, []byte("two"))
				err := s.CompleteUpload(ctx, "u1", completed(b, "k", tc.parts(p1, p2)...), nil)
				wantErr(t, "CompleteUpload", err, tc.wantErr)
				_, err = s.GetObject(ctx, b, "k")
				wantErr(t, "GetObject after failed complete", err, coffer.ErrNoSuchKey)
				parts, err := s.ListParts(ctx, b, "k", "u1")
				noErr(t, "ListParts after failed complete", err)
				if len(parts) != 2 {
					t.Fatalf("failed complete left %d parts, want 2", len(parts))
				}
				noErr(t, "CompleteUpload after fixing the list", s.CompleteUpload(ctx, "u1", completed(b, "k", p1, p2), nil))
			})
		}
	})
	t.Run("CompleteWrongKey", func(t *testing.T) {
		s := open(t)
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		p := putPart(t, s, b, "k", "u1", 1, []byte("one"))
		err := s.CompleteUpload(t.Context(), "u1", completed(b, "other", p), nil)
		wantErr(t, "CompleteUpload under another key", err, coffer.ErrNoSuchUpload)
		err = s.CompleteUpload(t.Context(), "u2", completed(b, "k", p), nil)
		wantErr(t, "CompleteUpload of an unknown upload", err, coffer.ErrNoSuchUpload)
	})
	t.Run("Abort", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		putPart(t, s, b, "k", "u1", 1, []byte("one"))
		late, err := s.NewPartWriter(ctx, b, "k", "u1", 2)
		noErr(t, "NewPartWriter", err)
		late.Write([]byte("two"))
		noErr(t, "AbortUpload", s.AbortUpload(ctx, b, "k", "u1"))
		part := coffer.PartRecord{Size: 3, ETag: "e"}
		err = late.Commit(ctx, coffer.CommitRecord{Part: &part})
		wantErr(t, "part Commit after AbortUpload", err, coffer.ErrNoSuchUpload)
		_, err = s.GetUpload(ctx, b, "k", "u1")
		wantErr(t, "GetUpload", err, coffer.ErrNoSuchUpload)
		wantErr(t, "second AbortUpload", s.AbortUpload(ctx, b, "k", "u1"), coffer.ErrNoSuchUpload)
		err = s.CompleteUpload(ctx, "u1", completed(b, "k", coffer.PartRecord{Number: 1}), nil)
		wantErr(t, "CompleteUpload after AbortUpload", err, coffer.ErrNoSuchUpload)
		noErr(t, "DeleteBucket", s.DeleteBucket(ctx, b))
	})
	t.Run("PartWriterAbort", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		kept := putPart(t, s, b, "k", "u1", 1, []byte("kept"))
		w, err := s.NewPartWriter(ctx, b, "k", "u1", 1)
		noErr(t, "NewPartWriter", err)
		w.Write([]byte("dropped"))
		noErr(t, "Abort", w.Abort())
		parts, err := s.ListParts(ctx, b, "k", "u1")
		noErr(t, "ListParts", err)
		if len(parts) != 1 || parts[0].DataID != kept.DataID {
			t.Fatalf("aborted part writer changed the parts: %+v", parts)
		}
	})
	t.Run("ListUploadsOrdered", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		other := newBucket(t, s)
		ups := []coffer.UploadRecord{
			uploadRecord(b, "b", "id-1", stamp),
			uploadRecord(b, "a", "id-2", stamp.Add(time.Second)),
			uploadRecord(b, "a", "id-3", stamp),
			uploadRecord(b, "a/", "id-4", stamp),
			uploadRecord(other, "a", "id-5", stamp),
		}
		for _, u := range ups {
			noErr(t, "CreateUpload", s.CreateUpload(ctx, u))
		}
		got, err := s.ListUploads(ctx, b)
		noErr(t, "ListUploads", err)
		var ids []string
		for _, u := range got {
			ids = append(ids, u.ID)
		}
		if want := []string{"id-3", "id-2", "id-4", "id-1"}; !reflect.DeepEqual(ids, want) {
			t.Fatalf("ListUploads order = %q, want %q", ids, want)
		}
		if !reflect.DeepEqual(normUpload(got[0]), normUpload(ups[2])) {
			t.Fatalf("ListUploads[0] = %+v, want %+v", got[0], ups[2])
		}
	})
	t.Run("ConcurrentParts", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		const n = 16
		errs := make(chan error, n)
		for i := 1; i <= n; i++ {
			go func() {
				w, err := s.NewPartWriter(ctx, b, "k", "u1", i)
				if err != nil {
					errs <- err
					return
				}
				data := payload(uint64(i), 1000*i)
				w.Write(data)
				errs <- w.Commit(ctx, coffer.CommitRecord{Part: &coffer.PartRecord{Size: int64(len(data)), ETag: fmt.Sprint(i)}})
			}()
		}
		for range n {
			noErr(t, "concurrent part", <-errs)
		}
		parts, err := s.ListParts(ctx, b, "k", "u1")
		noErr(t, "ListParts", err)
		if len(parts) != n {
			t.Fatalf("ListParts after %d concurrent parts: %d", n, len(parts))
		}
		noErr(t, "CompleteUpload", s.CompleteUpload(ctx, "u1", completed(b, "k", parts...), nil))
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		for i, p := range got.Parts {
			sameBytes(t, "part data", mustRead(t, s, got, i, 0, p.StoredSize), payload(uint64(p.Number), 1000*p.Number))
		}
	})
}
