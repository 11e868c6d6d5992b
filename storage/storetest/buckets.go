package storetest

import (
	"errors"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/cofferlabs/coffer"
)

func testBuckets(t *testing.T, open func(t *testing.T) coffer.Store) {
	t.Run("CreateGet", func(t *testing.T) {
		s := open(t)
		want := coffer.BucketRecord{Name: "alpha", Created: stamp, Config: map[string][]byte{
			"encryption": []byte(`{"sse":"AES256"}`),
			"binary":     {0, 1, 2, 0xff},
			"empty":      {},
		}}
		noErr(t, "CreateBucket", s.CreateBucket(t.Context(), want))
		got, err := s.GetBucket(t.Context(), "alpha")
		noErr(t, "GetBucket", err)
		if !reflect.DeepEqual(normBucket(got), normBucket(want)) {
			t.Fatalf("GetBucket = %+v, want %+v", got, want)
		}
	})
	t.Run("CreateExisting", func(t *testing.T) {
		s := open(t)
		noErr(t, "CreateBucket", s.CreateBucket(t.Context(), coffer.BucketRecord{Name: "alpha", Created: stamp, Config: map[string][]byte{"k": []byte("v1")}}))
		err := s.CreateBucket(t.Context(), coffer.BucketRecord{Name: "alpha", Config: map[string][]byte{"k": []byte("v2")}})
		wantErr(t, "second CreateBucket", err, coffer.ErrBucketExists)
		got, err := s.GetBucket(t.Context(), "alpha")
		noErr(t, "GetBucket", err)
		if string(got.Config["k"]) != "v1" || !got.Created.Equal(stamp) {
			t.Fatalf("failed CreateBucket changed the record: %+v", got)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		_, err := s.GetBucket(ctx, "nope")
		wantErr(t, "GetBucket", err, coffer.ErrNoSuchBucket)
		wantErr(t, "DeleteBucket", s.DeleteBucket(ctx, "nope"), coffer.ErrNoSuchBucket)
		err = s.UpdateBucket(ctx, "nope", func(*coffer.BucketRecord) error { return nil })
		wantErr(t, "UpdateBucket", err, coffer.ErrNoSuchBucket)
		_, err = s.NewObjectWriter(ctx, "nope", "k")
		wantErr(t, "NewObjectWriter", err, coffer.ErrNoSuchBucket)
		_, err = s.GetObject(ctx, "nope", "k")
		wantErr(t, "GetObject", err, coffer.ErrNoSuchBucket)
		wantErr(t, "DeleteObject", s.DeleteObject(ctx, "nope", "k"), coffer.ErrNoSuchBucket)
		_, err = s.ListObjects(ctx, "nope", coffer.ListQuery{})
		wantErr(t, "ListObjects", err, coffer.ErrNoSuchBucket)
		err = s.CreateUpload(ctx, coffer.UploadRecord{Bucket: "nope", Key: "k", ID: "u1", Initiated: stamp})
		wantErr(t, "CreateUpload", err, coffer.ErrNoSuchBucket)
		_, err = s.ListUploads(ctx, "nope")
		wantErr(t, "ListUploads", err, coffer.ErrNoSuchBucket)
	})
	t.Run("ListSorted", func(t *testing.T) {
		s := open(t)
		got, err := s.ListBuckets(t.Context())
		noErr(t, "ListBuckets on an empty store", err)
		if len(got) != 0 {
			t.Fatalf("new store lists %d buckets", len(got))
		}
		for _, name := range []string{"mike", "alpha", "zulu", "bravo", "alpha-2"} {
			noErr(t, "CreateBucket", s.CreateBucket(t.Context(), coffer.BucketRecord{Name: name, Created: stamp}))
		}
		got, err = s.ListBuckets(t.Context())
		noErr(t, "ListBuckets", err)
		var names []string
		for _, b := range got {
			names = append(names, b.Name)
		}
		want := []string{"alpha", "alpha-2", "bravo", "mike", "zulu"}
		if !reflect.DeepEqual(names, want) {
			t.Fatalf("ListBuckets = %q, want %q", names, want)
		}
	})
	t.Run("Update", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		name := newBucket(t, s)
		noErr(t, "UpdateBucket", s.UpdateBucket(ctx, name, func(r *coffer.BucketRecord) error {
			r.Config = map[string][]byte{"policy": []byte(`{"v":1}`)}
			return nil
		}))
		got, err := s.GetBucket(ctx, name)
		noErr(t, "GetBucket", err)
		if string(got.Config["policy"]) != `{"v":1}` || !got.Created.Equal(stamp) {
			t.Fatalf("after UpdateBucket: %+v", got)
		}
	})
	t.Run("UpdateErrorChangesNothing", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		name := newBucket(t, s)
		boom := errors.New("boom")
		err := s.UpdateBucket(ctx, name, func(r *coffer.BucketRecord) error {
			r.Config = map[string][]byte{"policy": []byte("x")}
			return boom
		})
		wantErr(t, "UpdateBucket", err, boom)
		got, err := s.GetBucket(ctx, name)
		noErr(t, "GetBucket", err)
		if len(got.Config) != 0 {
			t.Fatalf("failed UpdateBucket left config %q", got.Config)
		}
	})
	t.Run("UpdateAtomic", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		name := newBucket(t, s)
		const workers, rounds = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds)
		for range workers {
			wg.Go(func() {
				for range rounds {
					errs <- s.UpdateBucket(ctx, name, func(r *coffer.BucketRecord) error {
						n, _ := strconv.Atoi(string(r.Config["counter"]))
						if r.Config == nil {
							r.Config = map[string][]byte{}
						}
						r.Config["counter"] = []byte(strconv.Itoa(n + 1))
						return nil
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			noErr(t, "concurrent UpdateBucket", err)
		}
		got, err := s.GetBucket(ctx, name)
		noErr(t, "GetBucket", err)
		if c := string(got.Config["counter"]); c != strconv.Itoa(workers*rounds) {
			t.Fatalf("counter = %s after %d increments: updates were lost", c, workers*rounds)
		}
	})
	t.Run("Delete", func(t *testing.T) { testDeleteBucket(t, open) })
}

func testDeleteBucket(t *testing.T, open func(t *testing.T) coffer.Store) {
	cases := []struct {
		name    string
		fill    func(t *testing.T, s coffer.Store, bucket string)
		wantErr error
	}{
		{"Empty", func(*testing.T, coffer.Store, string) {}, nil},
		{"WithObject", func(t *testing.T, s coffer.Store, b string) { put(t, s, b, "k", []byte("x")) }, coffer.ErrBucketNotEmpty},
		{"WithEmptyObject", func(t *testing.T, s coffer.Store, b string) { put(t, s, b, "k", nil) }, coffer.ErrBucketNotEmpty},
		{"WithUpload", func(t *testing.T, s coffer.Store, b string) { createUpload(t, s, b, "k", "u1") }, coffer.ErrBucketNotEmpty},
		{"WithUploadAndParts", func(t *testing.T, s coffer.Store, b string) {
			createUpload(t, s, b, "k", "u1")
			putPart(t, s, b, "k", "u1", 1, []byte("part"))
		}, coffer.ErrBucketNotEmpty},
		{"ObjectDeleted", func(t *testing.T, s coffer.Store, b string) {
			put(t, s, b, "k", []byte("x"))
			noErr(t, "DeleteObject", s.DeleteObject(t.Context(), b, "k"))
		}, nil},
		{"UploadAborted", func(t *testing.T, s coffer.Store, b string) {
			createUpload(t, s, b, "k", "u1")
			putPart(t, s, b, "k", "u1", 1, []byte("part"))
			noErr(t, "AbortUpload", s.AbortUpload(t.Context(), b, "k", "u1"))
		}, nil},
		{"WriterAborted", func(t *testing.T, s coffer.Store, b string) {
			w, err := s.NewObjectWriter(t.Context(), b, "k")
			noErr(t, "NewObjectWriter", err)
			w.Write([]byte("data"))
			noErr(t, "Abort", w.Abort())
		}, nil},
		{"WriterFailedCheck", func(t *testing.T, s coffer.Store, b string) {
			rec := sampleRecord([]byte("data"))
			err := tryPut(t.Context(), s, b, "k", []byte("data"), &rec, func(*coffer.ObjectRecord) error { return coffer.ErrPreconditionFailed })
			wantErr(t, "Commit", err, coffer.ErrPreconditionFailed)
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			b := newBucket(t, s)
			tc.fill(t, s, b)
			err := s.DeleteBucket(ctx, b)
			if tc.wantErr != nil {
				wantErr(t, "DeleteBucket", err, tc.wantErr)
				if _, err := s.GetBucket(ctx, b); err != nil {
					t.Fatalf("refused DeleteBucket removed the bucket: %v", err)
				}
				return
			}
			noErr(t, "DeleteBucket", err)
			_, err = s.GetBucket(ctx, b)
			wantErr(t, "GetBucket after delete", err, coffer.ErrNoSuchBucket)
			// A bucket made again under the name starts empty.
			noErr(t, "CreateBucket again", s.CreateBucket(ctx, coffer.BucketRecord{Name: b, Created: stamp}))
			assertEmptyBucket(t, s, b)
		})
	}
}

func assertEmptyBucket(t *testing.T, s coffer.Store, bucket string) {
	t.Helper()
	page, err := s.ListObjects(t.Context(), bucket, coffer.ListQuery{})
	noErr(t, "ListObjects", err)
	if len(page.Objects) != 0 || len(page.CommonPrefixes) != 0 {
		t.Fatalf("bucket %s lists %d objects", bucket, len(page.Objects))
	}
	ups, err := s.ListUploads(t.Context(), bucket)
	noErr(t, "ListUploads", err)
	if len(ups) != 0 {
		t.Fatalf("bucket %s lists %d uploads", bucket, len(ups))
	}
	_, err = s.GetObject(t.Context(), bucket, "k")
	wantErr(t, "GetObject", err, coffer.ErrNoSuchKey)
	noErr(t, "DeleteBucket of empty bucket", s.DeleteBucket(t.Context(), bucket))
	noErr(t, "CreateBucket", s.CreateBucket(t.Context(), coffer.BucketRecord{Name: bucket, Created: stamp}))
}
