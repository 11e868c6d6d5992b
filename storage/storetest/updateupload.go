package storetest

import (
	"reflect"
	"testing"

	"github.com/cofferlabs/coffer"
)

// testUpdateUpload covers rewriting an upload's record (key re-wrapping):
// the record changes, its parts do not, and only a live upload can be
// updated.
func testUpdateUpload(t *testing.T, open func(t *testing.T) coffer.Store) {
	t.Run("Rewrites", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		up := createUpload(t, s, b, "k", "u1")
		data := [][]byte{payload(61, 150<<10), payload(62, 700)}
		p1 := putPart(t, s, b, "k", "u1", 1, data[0])
		p2 := putPart(t, s, b, "k", "u1", 2, data[1])
		before, err := s.ListParts(ctx, b, "k", "u1")
		noErr(t, "ListParts", err)
		up.SealedKey = []byte("rewrapped under master key v2")
		up.Meta.User = map[string]string{"after": "update"}
		noErr(t, "UpdateUpload", s.UpdateUpload(ctx, up))
		got, err := s.GetUpload(ctx, b, "k", "u1")
		noErr(t, "GetUpload", err)
		if !reflect.DeepEqual(normUpload(got), normUpload(up)) {
			t.Fatalf("GetUpload after update = %+v, want %+v", got, up)
		}
		listed, err := s.ListUploads(ctx, b)
		noErr(t, "ListUploads", err)
		if len(listed) != 1 || !reflect.DeepEqual(normUpload(listed[0]), normUpload(up)) {
			t.Fatalf("ListUploads after update = %+v", listed)
		}
		after, err := s.ListParts(ctx, b, "k", "u1")
		noErr(t, "ListParts", err)
		if !reflect.DeepEqual(after, before) {
			t.Fatalf("UpdateUpload changed the parts:\n got %+v\nwant %+v", after, before)
		}
		noErr(t, "CompleteUpload", s.CompleteUpload(ctx, "u1", completed(b, "k", p1, p2), nil))
		assertCompleted(t, s, b, "k", "u1", data)
	})
	t.Run("NoSuchUpload", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		want := createUpload(t, s, b, "k", "u1")
		other := newBucket(t, s)
		cases := []struct {
			name        string
			bucket, key string
			id          string
			wantErr     error
		}{
			{"WrongID", b, "k", "u2", coffer.ErrNoSuchUpload},
			{"WrongKey", b, "other", "u1", coffer.ErrNoSuchUpload},
			{"WrongBucket", other, "k", "u1", coffer.ErrNoSuchUpload},
			{"MissingBucket", "no-such-bucket", "k", "u1", coffer.ErrNoSuchBucket},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				rec := uploadRecord(tc.bucket, tc.key, tc.id, stamp)
				rec.SealedKey = []byte("must not land anywhere")
				wantErr(t, "UpdateUpload", s.UpdateUpload(ctx, rec), tc.wantErr)
				got, err := s.GetUpload(ctx, b, "k", "u1")
				noErr(t, "GetUpload", err)
				if !reflect.DeepEqual(normUpload(got), normUpload(want)) {
					t.Fatalf("a refused update changed the upload: %+v", got)
				}
				if _, err := s.GetUpload(ctx, tc.bucket, tc.key, tc.id); err == nil {
					t.Fatalf("a refused update created upload %s of %s/%s", tc.id, tc.bucket, tc.key)
				}
			})
		}
	})
	t.Run("AfterAbort", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		up := createUpload(t, s, b, "k", "u1")
		putPart(t, s, b, "k", "u1", 1, []byte("part"))
		noErr(t, "AbortUpload", s.AbortUpload(ctx, b, "k", "u1"))
		wantErr(t, "UpdateUpload of an aborted upload", s.UpdateUpload(ctx, up), coffer.ErrNoSuchUpload)
		assertEmptyBucket(t, s, b)
	})
	t.Run("AfterComplete", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		up := createUpload(t, s, b, "k", "u1")
		p := putPart(t, s, b, "k", "u1", 1, []byte("part"))
		noErr(t, "CompleteUpload", s.CompleteUpload(ctx, "u1", completed(b, "k", p), nil))
		want, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		wantErr(t, "UpdateUpload of a completed upload", s.UpdateUpload(ctx, up), coffer.ErrNoSuchUpload)
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		sameRecord(t, "object after refused update", got, want)
		ups, err := s.ListUploads(ctx, b)
		noErr(t, "ListUploads", err)
		if len(ups) != 0 {
			t.Fatalf("a refused update brought back a completed upload")
		}
	})
	t.Run("NoAliasing", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		up := createUpload(t, s, b, "k", "u1")
		up.SealedKey = []byte("rewrapped")
		up.Meta.User = map[string]string{"color": "blue"}
		noErr(t, "UpdateUpload", s.UpdateUpload(ctx, up))
		up.SealedKey[0] ^= 0xff
		up.Meta.User["color"] = "red"
		got, err := s.GetUpload(ctx, b, "k", "u1")
		noErr(t, "GetUpload", err)
		if string(got.SealedKey) != "rewrapped" || got.Meta.User["color"] != "blue" {
			t.Fatalf("changing the caller's record after UpdateUpload changed the stored one: %+v", got)
		}
	})
}
