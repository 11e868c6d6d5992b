package storetest

import (
	"testing"

	"github.com/cofferlabs/coffer"
)

// testAliasing checks that the store keeps its own copies: changing a
// slice or map after handing it over, or one the store returned, changes
// nothing stored.
func testAliasing(t *testing.T, open func(t *testing.T) coffer.Store) {
	t.Run("WriteBuffer", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		w, err := s.NewObjectWriter(ctx, b, "k")
		noErr(t, "NewObjectWriter", err)
		buf := []byte("original")
		w.Write(buf)
		copy(buf, "CHANGED!")
		rec := sampleRecord([]byte("original"))
		noErr(t, "Commit", w.Commit(ctx, coffer.CommitRecord{Object: &rec}))
		sameBytes(t, "data", mustRead(t, s, rec, 0, 0, rec.StoredSize), []byte("original"))
	})
	t.Run("CommittedRecord", func(t *testing.T) {
		s := open(t)
		b := newBucket(t, s)
		rec := put(t, s, b, "k", []byte("data"))
		want := normObject(rec)
		want.SealedKey = append([]byte(nil), rec.SealedKey...)
		want.Meta.User = map[string]string{"color": "blue", "empty": ""}
		rec.SealedKey[0] ^= 0xff
		rec.Meta.User["color"] = "red"
		got, err := s.GetObject(t.Context(), b, "k")
		noErr(t, "GetObject", err)
		sameRecord(t, "record after caller changed its copy", got, want)
	})
	t.Run("ReturnedRecords", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		createUpload(t, s, b, "mp", "u1")
		p := putPart(t, s, b, "mp", "u1", 1, []byte("part"))
		noErr(t, "CompleteUpload", s.CompleteUpload(ctx, "u1", completed(b, "mp", p), nil))
		want, err := s.GetObject(ctx, b, "mp")
		noErr(t, "GetObject", err)
		mutate := func(r *coffer.ObjectRecord) {
			r.SealedKey[0] ^= 0xff
			r.Meta.User["color"] = "red"
			r.Parts[0].Nonce[0] ^= 0xff
			r.Parts[0].ETag = "changed"
		}
		got, _ := s.GetObject(ctx, b, "mp")
		mutate(&got)
		page, err := s.ListObjects(ctx, b, coffer.ListQuery{})
		noErr(t, "ListObjects", err)
		mutate(&page.Objects[0])
		noErr(t, "WalkObjects", s.WalkObjects(ctx, coffer.ObjectID{}, func(r coffer.ObjectRecord) error {
			mutate(&r)
			return nil
		}))
		again, err := s.GetObject(ctx, b, "mp")
		noErr(t, "GetObject", err)
		sameRecord(t, "record after caller changed returned copies", again, want)
	})
	t.Run("Parts", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		createUpload(t, s, b, "k", "u1")
		p := putPart(t, s, b, "k", "u1", 1, []byte("part"))
		nonce := string(p.Nonce)
		p.Nonce[0] ^= 0xff
		parts, err := s.ListParts(ctx, b, "k", "u1")
		noErr(t, "ListParts", err)
		if string(parts[0].Nonce) != nonce {
			t.Fatalf("changing the committed part record changed the stored nonce")
		}
		parts[0].Nonce[0] ^= 0xff
		parts, _ = s.ListParts(ctx, b, "k", "u1")
		if string(parts[0].Nonce) != nonce {
			t.Fatalf("changing a listed part changed the stored nonce")
		}
	})
	t.Run("Uploads", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		rec := uploadRecord(b, "k", "u1", stamp)
		noErr(t, "CreateUpload", s.CreateUpload(ctx, rec))
		want := string(rec.SealedKey)
		rec.SealedKey[0] ^= 0xff
		rec.Meta.User["who"] = "changed"
		got, err := s.GetUpload(ctx, b, "k", "u1")
		noErr(t, "GetUpload", err)
		if string(got.SealedKey) != want || got.Meta.User["who"] != "test" {
			t.Fatalf("changing the created upload record changed the store")
		}
		got.SealedKey[0] ^= 0xff
		got.Meta.User["who"] = "changed"
		list, err := s.ListUploads(ctx, b)
		noErr(t, "ListUploads", err)
		if string(list[0].SealedKey) != want || list[0].Meta.User["who"] != "test" {
			t.Fatalf("changing a returned upload record changed the store")
		}
	})
	t.Run("BucketConfig", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		cfg := map[string][]byte{"policy": []byte("allow")}
		noErr(t, "CreateBucket", s.CreateBucket(ctx, coffer.BucketRecord{Name: "cfg", Created: stamp, Config: cfg}))
		cfg["policy"][0] = 'X'
		cfg["new"] = []byte("x")
		got, err := s.GetBucket(ctx, "cfg")
		noErr(t, "GetBucket", err)
		if string(got.Config["policy"]) != "allow" || len(got.Config) != 1 {
			t.Fatalf("changing the created record's config changed the store: %q", got.Config)
		}
		got.Config["policy"][0] = 'Y'
		list, err := s.ListBuckets(ctx)
		noErr(t, "ListBuckets", err)
		list[0].Config["policy"][0] = 'Z'
		var kept []byte
		noErr(t, "UpdateBucket", s.UpdateBucket(ctx, "cfg", func(r *coffer.BucketRecord) error {
			kept = r.Config["policy"]
			return nil
		}))
		kept[0] = 'W'
		got, err = s.GetBucket(ctx, "cfg")
		noErr(t, "GetBucket", err)
		if string(got.Config["policy"]) != "allow" {
			t.Fatalf("changing returned configs changed the store: %q", got.Config["policy"])
		}
	})
}
