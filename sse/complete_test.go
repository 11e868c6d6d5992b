package sse

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/cofferlabs/coffer"
)

// interleavingStore runs between, when set, just before the store commits
// a completion: the window in which a check made before the commit would
// be overtaken by another client's write.
type interleavingStore struct {
	coffer.Store
	between func()
}

func (s *interleavingStore) CompleteUpload(ctx context.Context, uploadID string, rec coffer.ObjectRecord, check func(*coffer.ObjectRecord) error) error {
	if s.between != nil {
		s.between()
	}
	return s.Store.CompleteUpload(ctx, uploadID, rec, check)
}

func TestConditionalComplete(t *testing.T) {
	existing, sneaked := []byte("existing"), []byte("sneaked in")
	put := func(e *env) { e.put("k", sneaked) }
	del := func(e *env) {
		if err := e.svc.DeleteObject(e.ctx, testBucket, "k"); err != nil {
			e.t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		existing bool
		opts     coffer.CompleteOptions
		between  func(e *env) // another client's write, landing just before the commit
		wantErr  error
		left     []byte // what the key holds after a refused completion; nil: nothing
	}{
		{name: "If-None-Match * on a free key", opts: coffer.CompleteOptions{IfNoneMatchStar: true}},
		{name: "If-None-Match * on an existing key", existing: true,
			opts: coffer.CompleteOptions{IfNoneMatchStar: true}, wantErr: coffer.ErrPreconditionFailed, left: existing},
		{name: "If-Match with the current ETag", existing: true,
			opts: coffer.CompleteOptions{IfMatch: `"` + md5Hex(existing) + `"`}},
		{name: "If-Match with another ETag", existing: true,
			opts: coffer.CompleteOptions{IfMatch: md5Hex([]byte("other"))}, wantErr: coffer.ErrPreconditionFailed, left: existing},
		{name: "If-Match on a missing key",
			opts: coffer.CompleteOptions{IfMatch: md5Hex(existing)}, wantErr: coffer.ErrNoSuchKey},
		{name: "If-None-Match * overtaken by a PUT", opts: coffer.CompleteOptions{IfNoneMatchStar: true},
			between: put, wantErr: coffer.ErrPreconditionFailed, left: sneaked},
		{name: "If-Match overtaken by a PUT", existing: true, opts: coffer.CompleteOptions{IfMatch: md5Hex(existing)},
			between: put, wantErr: coffer.ErrPreconditionFailed, left: sneaked},
		{name: "If-Match overtaken by a DELETE", existing: true, opts: coffer.CompleteOptions{IfMatch: md5Hex(existing)},
			between: del, wantErr: coffer.ErrNoSuchKey},
		{name: "unconditional, overtaken by a PUT", existing: true, between: put},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, b backend) {
				inner, keys := b.open(t)
				store := &interleavingStore{Store: inner}
				e := newEnvOn(t, store, keys)
				if tc.existing {
					e.put("k", existing)
				}
				up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				part, err := e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, 1, bytes.NewReader([]byte("completed")), coffer.PartOptions{Check: coffer.BodyCheck{Size: 9}})
				if err != nil {
					t.Fatal(err)
				}
				if tc.between != nil {
					store.between = func() { store.between = nil; tc.between(e) }
				}
				opts := tc.opts
				opts.Parts = []coffer.CompletePart{{Number: 1, ETag: part.ETag}}
				_, err = e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", up.UploadID, opts)
				if tc.wantErr != nil {
					assertErr(t, err, tc.wantErr, "")
					if got := e.readOrNil("k"); !bytes.Equal(got, tc.left) {
						t.Fatalf("after a refused completion the key holds %q, want %q", got, tc.left)
					}
					if parts, err := e.store.ListParts(e.ctx, testBucket, "k", up.UploadID); err != nil || len(parts) != 1 {
						t.Fatalf("a refused completion lost the upload: %d parts, %v", len(parts), err)
					}
					// The upload is intact: completing without conditions works.
					opts.IfNoneMatchStar, opts.IfMatch = false, ""
					_, err = e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", up.UploadID, opts)
				}
				if err != nil {
					t.Fatalf("completing: %v", err)
				}
				if got := e.mustRead("k"); string(got) != "completed" {
					t.Fatalf("object reads %q after completion", got)
				}
			})
		})
	}
}

// readOrNil reads key, or returns nil when it does not exist.
func (e *env) readOrNil(key string) []byte {
	e.t.Helper()
	got, _, err := e.read(key, coffer.GetOptions{})
	if errors.Is(err, coffer.ErrNoSuchKey) {
		return nil
	}
	if err != nil {
		e.t.Fatalf("reading %s: %v", key, err)
	}
	return got
}
