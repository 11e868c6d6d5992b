package sse

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

func TestBucketPolicyStorage(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		refused := &coffer.ArgumentError{Code: "MalformedPolicy", Message: "Policy has invalid action"}
		var validated []string
		e.svc.opts.ValidateBucketPolicy = func(doc []byte, bucket string) error {
			validated = append(validated, bucket)
			if bytes.Contains(doc, []byte("bad")) {
				return refused
			}
			return nil
		}
		if _, err := e.svc.GetBucketPolicy(e.ctx, testBucket); !errors.Is(err, coffer.ErrNoSuchBucketPolicy) {
			t.Fatalf("policy of a new bucket: %v", err)
		}
		doc := []byte(`{"Version":"2012-10-17",  "Statement":[]}`)
		tests := []struct {
			name   string
			bucket string
			doc    []byte
			want   error
		}{
			{"stored", testBucket, doc, nil},
			{"missing bucket", "no-such-bucket", doc, coffer.ErrNoSuchBucket},
			{"refused by the validator", testBucket, []byte(`{"bad"}`), refused},
			{"over 20 KiB", testBucket, []byte(`{"x":"` + strings.Repeat("a", MaxBucketPolicySize) + `"}`), nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := e.svc.PutBucketPolicy(e.ctx, tc.bucket, tc.doc)
				if tc.name == "over 20 KiB" {
					var arg *coffer.ArgumentError
					if !errors.As(err, &arg) || arg.Code != "MalformedPolicy" {
						t.Fatalf("oversized policy: %v", err)
					}
					return
				}
				if !errors.Is(err, tc.want) {
					t.Fatalf("PutBucketPolicy: %v, want %v", err, tc.want)
				}
				got, err := e.svc.GetBucketPolicy(e.ctx, testBucket)
				if err != nil || !bytes.Equal(got, doc) {
					t.Fatalf("stored policy %q, %v; want the first document byte for byte", got, err)
				}
			})
		}
		if len(validated) != 2 || validated[0] != testBucket {
			t.Fatalf("validator called for %v", validated)
		}
		for range 2 {
			if err := e.svc.DeleteBucketPolicy(e.ctx, testBucket); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.GetBucketPolicy(e.ctx, testBucket); !errors.Is(err, coffer.ErrNoSuchBucketPolicy) {
			t.Fatalf("policy after delete: %v", err)
		}
		e.svc.opts.ValidateBucketPolicy = nil
		if err := e.svc.PutBucketPolicy(e.ctx, testBucket, doc); !errors.Is(err, coffer.ErrNotImplemented) {
			t.Fatalf("without a validator: %v", err)
		}
	})
}

func TestHeadUpload(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		ck := customerKey(3)
		up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{Encryption: sseC(ck)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.HeadUpload(e.ctx, testBucket, "k", up.UploadID)
		if err != nil || got.Encryption.Type != coffer.SSEC || got.Encryption.CustomerKeyMD5 != "" || got.UploadID != up.UploadID {
			t.Fatalf("HeadUpload: %+v, %v", got, err)
		}
		if _, err := e.svc.HeadUpload(e.ctx, testBucket, "other", up.UploadID); !errors.Is(err, coffer.ErrNoSuchUpload) {
			t.Fatalf("upload of another key: %v", err)
		}
	})
}

// The bucket record cache never serves a record older than the Service's
// own last write, even with reads racing the writes.
func TestBucketCacheFollowsWrites(t *testing.T) {
	e := newEnv(t, backends[0])
	e.svc.opts.ValidateBucketPolicy = func([]byte, string) error { return nil }
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			_, _ = e.svc.GetBucketPolicy(e.ctx, testBucket)
		}
	}()
	for i := range 50 {
		doc := []byte(`{"n":` + strconv.Itoa(i) + `}`)
		if err := e.svc.PutBucketPolicy(e.ctx, testBucket, doc); err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.GetBucketPolicy(e.ctx, testBucket); err != nil || !bytes.Equal(got, doc) {
			t.Fatalf("after write %d: %s, %v", i, got, err)
		}
	}
	<-done
	if err := e.svc.DeleteBucket(e.ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetBucketPolicy(e.ctx, testBucket); !errors.Is(err, coffer.ErrNoSuchBucket) {
		t.Fatalf("policy of a deleted bucket: %v", err)
	}
}
