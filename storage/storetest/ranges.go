package storetest

import (
	"testing"

	"github.com/cofferlabs/coffer"
)

func testRanges(t *testing.T, open func(t *testing.T) coffer.Store) {
	s := open(t)
	b := newBucket(t, s)
	data := payload(11, 1000)
	rec := put(t, s, b, "k", data)
	cases := []struct {
		name           string
		stream         int
		offset, length int64
		valid          bool
	}{
		{"Whole", 0, 0, 1000, true},
		{"Head", 0, 0, 1, true},
		{"Middle", 0, 10, 20, true},
		{"Tail", 0, 999, 1, true},
		{"EmptyAtStart", 0, 0, 0, true},
		{"EmptyAtEnd", 0, 1000, 0, true},
		{"NegativeOffset", 0, -1, 1, false},
		{"NegativeLength", 0, 500, -1, false},
		{"PastEnd", 0, 0, 1001, false},
		{"StartPastEnd", 0, 1001, 0, false},
		{"EndPastEnd", 0, 990, 11, false},
		{"StreamOneOfSinglePart", 1, 0, 1, false},
		{"NegativeStream", -1, 0, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := read(t.Context(), s, rec, tc.stream, tc.offset, tc.length)
			if !tc.valid {
				if err == nil {
					t.Fatalf("stream %d [%d+%d] of 1000 bytes read %d bytes, want an error", tc.stream, tc.offset, tc.length, len(got))
				}
				return
			}
			noErr(t, "read", err)
			sameBytes(t, "range", got, data[tc.offset:tc.offset+tc.length])
		})
	}
}

func testUpdateObject(t *testing.T, open func(t *testing.T) coffer.Store) {
	t.Run("Rewrites", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		data := payload(12, 5000)
		rec := put(t, s, b, "k", data)
		rec.SealedKey = []byte("rewrapped under master key v2")
		rec.Meta.User = map[string]string{"replaced": "yes"}
		rec.Encryption.KMSKeyARN = "arn:aws:kms:us-east-1:000000000000:key/x"
		noErr(t, "UpdateObject", s.UpdateObject(ctx, rec))
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		sameRecord(t, "updated record", got, rec)
		sameBytes(t, "data after update", mustRead(t, s, got, 0, 0, got.StoredSize), data)
	})
	t.Run("KeepsPlacement", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		data := payload(13, 5000)
		rec := put(t, s, b, "k", data)
		changed := rec
		changed.StoredSize = 7
		changed.ETag = "new-etag"
		noErr(t, "UpdateObject", s.UpdateObject(ctx, changed))
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		if got.StoredSize != rec.StoredSize || got.DataID != rec.DataID || got.ETag != "new-etag" {
			t.Fatalf("UpdateObject moved data: stored %d data %q etag %q", got.StoredSize, got.DataID, got.ETag)
		}
		sameBytes(t, "data", mustRead(t, s, got, 0, 0, got.StoredSize), data)
	})
	t.Run("StaleDataID", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		stale := put(t, s, b, "k", []byte("v1"))
		current := put(t, s, b, "k", []byte("v2"))
		stale.SealedKey = []byte("rewrapped")
		wantErr(t, "UpdateObject", s.UpdateObject(ctx, stale), coffer.ErrConcurrentUpdate)
		got, err := s.GetObject(ctx, b, "k")
		noErr(t, "GetObject", err)
		sameRecord(t, "record after refused update", got, current)
	})
	t.Run("Deleted", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		rec := put(t, s, b, "k", []byte("v1"))
		noErr(t, "DeleteObject", s.DeleteObject(ctx, b, "k"))
		wantErr(t, "UpdateObject", s.UpdateObject(ctx, rec), coffer.ErrConcurrentUpdate)
		_, err := s.GetObject(ctx, b, "k")
		wantErr(t, "GetObject", err, coffer.ErrNoSuchKey)
	})
	t.Run("MissingBucket", func(t *testing.T) {
		s := open(t)
		rec := sampleRecord(nil)
		rec.Bucket, rec.Key, rec.DataID = "nope", "k", "d"
		wantErr(t, "UpdateObject", s.UpdateObject(t.Context(), rec), coffer.ErrNoSuchBucket)
	})
}
