package sse

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/dare"
	"github.com/cofferlabs/coffer/storage/mem"
)

func TestGetRanges(t *testing.T) {
	const size = 3*dare.PackageSize + 100
	data := patterned(size, 5)
	tests := []struct {
		name       string
		rng        coffer.Range
		wantOffset int64
		wantLength int64
		wantErr    error
	}{
		{"first byte", coffer.Range{Start: 0, End: 0}, 0, 1, nil},
		{"last byte", coffer.Range{Start: size - 1, End: size - 1}, size - 1, 1, nil},
		{"whole object", coffer.Range{Start: 0, End: size - 1}, 0, size, nil},
		{"across a package boundary", coffer.Range{Start: dare.PackageSize - 3, End: dare.PackageSize + 2}, dare.PackageSize - 3, 6, nil},
		{"exactly the second package", coffer.Range{Start: dare.PackageSize, End: 2*dare.PackageSize - 1}, dare.PackageSize, dare.PackageSize, nil},
		{"across three packages", coffer.Range{Start: 100, End: 2*dare.PackageSize + 5}, 100, 2*dare.PackageSize - 94, nil},
		{"open-ended from the middle", coffer.Range{Start: 2*dare.PackageSize + 1, End: -1}, 2*dare.PackageSize + 1, dare.PackageSize + 99, nil},
		{"end beyond the object", coffer.Range{Start: size - 10, End: size + 1000}, size - 10, 10, nil},
		{"suffix", coffer.Range{IsSuffix: true, Suffix: 150}, size - 150, 150, nil},
		{"suffix longer than the object", coffer.Range{IsSuffix: true, Suffix: size + 1}, 0, size, nil},
		{"start beyond the end", coffer.Range{Start: size, End: -1}, 0, 0, coffer.ErrInvalidRange},
		{"end before start", coffer.Range{Start: 10, End: 9}, 0, 0, coffer.ErrInvalidRange},
		{"empty suffix", coffer.Range{IsSuffix: true, Suffix: 0}, 0, 0, coffer.ErrInvalidRange},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("r", data)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rng := tc.rng
				got, r, err := e.read("r", coffer.GetOptions{Range: &rng})
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if tc.wantErr != nil {
					return
				}
				if r.Offset != tc.wantOffset || r.Length != tc.wantLength {
					t.Fatalf("reader covers %d+%d, want %d+%d", r.Offset, r.Length, tc.wantOffset, tc.wantLength)
				}
				mustEqualBytes(t, got, data[tc.wantOffset:tc.wantOffset+tc.wantLength])
			})
		}
	})
}

func TestGetRangeOfEmptyObject(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("empty", nil)
		_, _, err := e.read("empty", coffer.GetOptions{Range: &coffer.Range{Start: 0, End: -1}})
		if !errors.Is(err, coffer.ErrInvalidRange) {
			t.Fatalf("err = %v, want ErrInvalidRange", err)
		}
	})
}

func TestGetConditions(t *testing.T) {
	before := newFakeClock().Now().Add(-time.Hour)
	after := newFakeClock().Now().Add(time.Hour)
	etag := md5Hex([]byte("body"))
	tests := []struct {
		name    string
		cond    coffer.Conditions
		wantErr error
	}{
		{"none", coffer.Conditions{}, nil},
		{"If-Match hit", coffer.Conditions{IfMatch: `"` + etag + `"`}, nil},
		{"If-Match in a list", coffer.Conditions{IfMatch: `"x", "` + etag + `"`}, nil},
		{"If-Match star", coffer.Conditions{IfMatch: "*"}, nil},
		{"If-Match miss", coffer.Conditions{IfMatch: `"x"`}, coffer.ErrPreconditionFailed},
		{"If-None-Match hit", coffer.Conditions{IfNoneMatch: etag}, coffer.ErrNotModified},
		{"If-None-Match miss", coffer.Conditions{IfNoneMatch: "x"}, nil},
		{"If-Modified-Since earlier", coffer.Conditions{IfModifiedSince: &before}, nil},
		{"If-Modified-Since later", coffer.Conditions{IfModifiedSince: &after}, coffer.ErrNotModified},
		{"If-Unmodified-Since later", coffer.Conditions{IfUnmodifiedSince: &after}, nil},
		{"If-Unmodified-Since earlier", coffer.Conditions{IfUnmodifiedSince: &before}, coffer.ErrPreconditionFailed},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("c", []byte("body"))
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := e.read("c", coffer.GetOptions{Conditions: tc.cond})
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("GetObject err = %v, want %v", err, tc.wantErr)
				}
				_, err = e.svc.HeadObject(e.ctx, testBucket, "c", coffer.GetOptions{Conditions: tc.cond})
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("HeadObject err = %v, want %v", err, tc.wantErr)
				}
			})
		}
	})
}

func TestGetRejectsBadRequests(t *testing.T) {
	tests := []struct {
		name    string
		bucket  string
		key     string
		opts    coffer.GetOptions
		wantErr error
		wantArg string
	}{
		{"missing key", testBucket, "nope", coffer.GetOptions{}, coffer.ErrNoSuchKey, ""},
		{"missing bucket", "no-such-bucket", "k", coffer.GetOptions{}, coffer.ErrNoSuchBucket, ""},
		{"empty key", testBucket, "", coffer.GetOptions{}, coffer.ErrInvalidObjectName, ""},
		{"part 2 of a single-part object", testBucket, "k", coffer.GetOptions{PartNumber: 2}, coffer.ErrInvalidPartNumber, ""},
		{"part 2 of a one-part multipart object", testBucket, "mp", coffer.GetOptions{PartNumber: 2}, coffer.ErrInvalidPartNumber, ""},
		{"last part number of a one-part multipart object", testBucket, "mp", coffer.GetOptions{PartNumber: coffer.MaxPartNumber}, coffer.ErrInvalidPartNumber, ""},
		{"part number too large", testBucket, "k", coffer.GetOptions{PartNumber: 10001}, nil, "partNumber"},
		{"part number and range", testBucket, "k", coffer.GetOptions{PartNumber: 1, Range: &coffer.Range{End: 1}}, nil, "partNumber"},
		{"customer key on an SSE-S3 object", testBucket, "k", coffer.GetOptions{CustomerKey: &coffer.CustomerKey{}}, coffer.ErrCustomerKeyNotApplicable, ""},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("k", []byte("body"))
		e.multipartUpload("mp", coffer.UploadOptions{}, []byte("only part"))
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := e.svc.GetObject(e.ctx, tc.bucket, tc.key, tc.opts)
				assertErr(t, err, tc.wantErr, tc.wantArg)
				_, err = e.svc.HeadObject(e.ctx, tc.bucket, tc.key, tc.opts)
				assertErr(t, err, tc.wantErr, tc.wantArg)
			})
		}
	})
}

func TestGetPartOneOfSingleObject(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("k", []byte("whole"))
		got, r, err := e.read("k", coffer.GetOptions{PartNumber: 1})
		if err != nil || string(got) != "whole" || r.Offset != 0 || r.Length != 5 {
			t.Fatalf("part 1 = %q (%+v), %v", got, r, err)
		}
	})
}

func TestHeadAndListNeverUnseal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("k", []byte("body"))
		rec := e.record("k")
		rec.SealedKey = []byte("not a sealed key")
		if err := e.store.UpdateObject(e.ctx, rec); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.HeadObject(e.ctx, testBucket, "k", coffer.GetOptions{}); err != nil {
			t.Fatalf("HeadObject needed the key: %v", err)
		}
		if page, err := e.svc.ListObjects(e.ctx, testBucket, coffer.ListQuery{}); err != nil || len(page.Objects) != 1 {
			t.Fatalf("ListObjects = %+v, %v", page, err)
		}
		_, _, err := e.read("k", coffer.GetOptions{})
		if !errors.Is(err, coffer.ErrSealedKeyInvalid) {
			t.Fatalf("GetObject with a broken sealed key: %v, want ErrSealedKeyInvalid", err)
		}
	})
}

// flakyStore fails the first OpenObjectData calls with ErrConcurrentUpdate,
// as a store does when the object was replaced after its record was read.
type flakyStore struct {
	coffer.Store
	failures int
}

func (s *flakyStore) OpenObjectData(ctx context.Context, rec coffer.ObjectRecord, stream int, offset, length int64) (io.ReadCloser, error) {
	if s.failures > 0 {
		s.failures--
		return nil, coffer.ErrConcurrentUpdate
	}
	return s.Store.OpenObjectData(ctx, rec, stream, offset, length)
}

func TestGetRetriesOnceOnConcurrentUpdate(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		wantErr  error
	}{
		{"no race", 0, nil},
		{"replaced once", 1, nil},
		{"replaced twice", 2, coffer.ErrConcurrentUpdate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mem.New()
			flaky := &flakyStore{Store: m}
			e := newEnvOn(t, flaky, m)
			e.put("k", []byte("body"))
			flaky.failures = tc.failures
			got, _, err := e.read("k", coffer.GetOptions{})
			if !errors.Is(err, tc.wantErr) || (err == nil && string(got) != "body") {
				t.Fatalf("read %q, %v; want %v", got, err, tc.wantErr)
			}
		})
	}
}

func TestGetStringsInErrorsHoldNoKeys(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("k", []byte("body"))
		rec := e.record("k")
		rec.Key = "moved"
		_, err := e.svc.openDataKeyOf(e.ctx, bindingOf(rec), rec.SealedKey, nil)
		if !errors.Is(err, coffer.ErrSealedKeyInvalid) {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), string(rec.SealedKey)) {
			t.Fatal("the error shows the sealed key")
		}
	})
}
