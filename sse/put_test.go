package sse

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/dare"
)

func TestPutGetRoundTrip(t *testing.T) {
	sizes := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"package minus one", dare.PackageSize - 1},
		{"one package", dare.PackageSize},
		{"package plus one", dare.PackageSize + 1},
		{"three packages and a bit", 3*dare.PackageSize + 17},
		{"one MiB", 1 << 20},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		for _, tc := range sizes {
			t.Run(tc.name, func(t *testing.T) {
				data := patterned(tc.size, 1)
				info := e.put("obj/"+tc.name, data)
				if info.Size != int64(tc.size) || info.ETag != md5Hex(data) || info.Encryption.Type != coffer.SSES3 {
					t.Fatalf("PutObject info = %+v", info)
				}
				mustEqualBytes(t, e.mustRead("obj/"+tc.name), data)
				head, err := e.svc.HeadObject(e.ctx, testBucket, "obj/"+tc.name, coffer.GetOptions{})
				if err != nil || head.ETag != info.ETag || head.Size != info.Size || !head.LastModified.Equal(e.clock.Now()) {
					t.Fatalf("HeadObject = %+v, %v", head, err)
				}
				if rec := e.record("obj/" + tc.name); rec.StoredSize != dare.EncryptedSize(int64(tc.size)) {
					t.Fatalf("stored %d bytes, want %d", rec.StoredSize, dare.EncryptedSize(int64(tc.size)))
				}
			})
		}
	})
}

func TestPutRejectsBadRequests(t *testing.T) {
	bigMeta := coffer.ObjectMeta{User: map[string]string{"k": strings.Repeat("v", coffer.MaxUserMetadataBytes)}}
	tests := []struct {
		name    string
		bucket  string
		key     string
		opts    coffer.PutOptions
		wantErr error
		wantArg string // ArgumentError name, when the error is one
	}{
		{"empty key", testBucket, "", coffer.PutOptions{}, coffer.ErrInvalidObjectName, ""},
		{"key not UTF-8", testBucket, "a\xffb", coffer.PutOptions{}, coffer.ErrInvalidObjectName, ""},
		{"key too long", testBucket, strings.Repeat("k", coffer.MaxObjectKeyLength+1), coffer.PutOptions{}, coffer.ErrKeyTooLong, ""},
		{"metadata too large", testBucket, "k", coffer.PutOptions{Meta: bigMeta}, coffer.ErrMetadataTooLarge, ""},
		{"declared size too large", testBucket, "k", coffer.PutOptions{Check: coffer.BodyCheck{Size: coffer.MaxSinglePutSize + 1}}, coffer.ErrEntityTooLarge, ""},
		{"unknown encryption", testBucket, "k", coffer.PutOptions{Encryption: coffer.EncryptionRequest{Type: "aes:kms"}}, nil, "x-amz-server-side-encryption"},
		{"KMS key with AES256", testBucket, "k", coffer.PutOptions{Encryption: coffer.EncryptionRequest{Type: coffer.SSES3, KMSKeyID: "alias/x"}}, nil, "x-amz-server-side-encryption"},
		{"SSE-KMS", testBucket, "k", coffer.PutOptions{Encryption: coffer.EncryptionRequest{Type: coffer.SSEKMS}}, coffer.ErrNotImplemented, ""},
		{"SSE-C without a key", testBucket, "k", coffer.PutOptions{Encryption: coffer.EncryptionRequest{Type: coffer.SSEC}}, nil, "x-amz-server-side-encryption-customer-key"},
		{"missing bucket", "no-such-bucket", "k", coffer.PutOptions{}, coffer.ErrNoSuchBucket, ""},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if tc.opts.Check.Size == 0 {
					tc.opts.Check.Size = 4
				}
				_, err := e.svc.PutObject(e.ctx, tc.bucket, tc.key, strings.NewReader("data"), tc.opts)
				assertErr(t, err, tc.wantErr, tc.wantArg)
				if _, err := e.store.GetObject(e.ctx, testBucket, tc.key); !errors.Is(err, coffer.ErrNoSuchKey) {
					t.Fatalf("a failed put left a record: %v", err)
				}
			})
		}
	})
}

// assertErr checks err against a sentinel, or against an ArgumentError of
// the given name when wantArg is set.
func assertErr(t testing.TB, err, want error, wantArg string) {
	t.Helper()
	if wantArg != "" {
		var arg *coffer.ArgumentError
		if !errors.As(err, &arg) || arg.Name != wantArg {
			t.Fatalf("err = %v, want an ArgumentError for %s", err, wantArg)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

func TestFailedPutKeepsOldVersion(t *testing.T) {
	body := []byte("the new body, which must never become visible")
	tests := []struct {
		name    string
		body    io.Reader
		check   coffer.BodyCheck
		wantErr error
	}{
		{"bad Content-MD5", bytes.NewReader(body), coffer.BodyCheck{Size: -1, ContentMD5: md5Raw([]byte("other"))}, coffer.ErrBadDigest},
		{"bad SHA-256", bytes.NewReader(body), coffer.BodyCheck{Size: -1, SHA256: strings.Repeat("ab", 32)}, coffer.ErrSHA256Mismatch},
		{"bad CRC32", bytes.NewReader(body), coffer.BodyCheck{Size: -1, Checksum: coffer.ChecksumCRC32, ChecksumValue: checksumOf(coffer.ChecksumCRC32, []byte("x"))}, coffer.ErrChecksumMismatch},
		{"bad trailer checksum", bytes.NewReader(body), coffer.BodyCheck{Size: -1, Checksum: coffer.ChecksumCRC32C, ChecksumTrailer: func() string { return checksumOf(coffer.ChecksumCRC32C, []byte("x")) }}, coffer.ErrChecksumMismatch},
		{"body shorter than declared", bytes.NewReader(body), coffer.BodyCheck{Size: int64(len(body)) + 1}, coffer.ErrIncompleteBody},
		{"body longer than declared", bytes.NewReader(body), coffer.BodyCheck{Size: int64(len(body)) - 1}, coffer.ErrIncompleteBody},
		{"body read fails", io.MultiReader(bytes.NewReader(patterned(200<<10, 3)), errReader{io.ErrClosedPipe}), coffer.BodyCheck{Size: -1}, io.ErrClosedPipe},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		old := e.put("k", []byte("old version"))
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.PutObject(e.ctx, testBucket, "k", tc.body, coffer.PutOptions{Check: tc.check})
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if got := e.mustRead("k"); string(got) != "old version" {
					t.Fatalf("object now reads %q", got)
				}
				if rec := e.record("k"); rec.ETag != old.ETag {
					t.Fatalf("ETag changed to %s", rec.ETag)
				}
			})
		}
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestPutEnforcesSizeLimitOnUnknownLength(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		limits := []struct {
			name    string
			body    int
			limit   int64
			wantErr error
		}{
			{"at the limit", 1000, 1000, nil},
			{"one past the limit", 1001, 1000, coffer.ErrEntityTooLarge},
			{"far past the limit", 300 << 10, 1000, coffer.ErrEntityTooLarge},
		}
		for _, tc := range limits {
			t.Run(tc.name, func(t *testing.T) {
				w, err := e.store.NewObjectWriter(e.ctx, testBucket, "capped")
				if err != nil {
					t.Fatal(err)
				}
				defer w.Abort()
				_, err = encryptInto(e.ctx, w, bytes.NewReader(patterned(tc.body, 0)), coffer.BodyCheck{Size: -1}, tc.limit, ramp(0, 32))
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			})
		}
	})
}

func TestPutStoresChecksums(t *testing.T) {
	data := patterned(100<<10, 9)
	algs := []coffer.ChecksumAlgorithm{coffer.ChecksumCRC32, coffer.ChecksumCRC32C, coffer.ChecksumCRC64NVME, coffer.ChecksumSHA1, coffer.ChecksumSHA256}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		for _, alg := range algs {
			t.Run(string(alg), func(t *testing.T) {
				want := checksumOf(alg, data)
				check := coffer.BodyCheck{Size: int64(len(data)), Checksum: alg, ChecksumValue: want}
				info, err := e.svc.PutObject(e.ctx, testBucket, "ck", bytes.NewReader(data), coffer.PutOptions{Check: check})
				if err != nil {
					t.Fatal(err)
				}
				if info.Checksum.Algorithm != alg || info.Checksum.Value != want || info.Checksum.Type != coffer.ChecksumFullObject {
					t.Fatalf("PutObject checksum = %+v, want %s %s", info.Checksum, alg, want)
				}
				head, _ := e.svc.HeadObject(e.ctx, testBucket, "ck", coffer.GetOptions{WantChecksum: true})
				if head.Checksum != info.Checksum {
					t.Fatalf("HeadObject with checksum mode: %+v", head.Checksum)
				}
				head, _ = e.svc.HeadObject(e.ctx, testBucket, "ck", coffer.GetOptions{})
				if head.Checksum != (coffer.Checksum{}) {
					t.Fatalf("HeadObject without checksum mode shows %+v", head.Checksum)
				}
			})
		}
	})
}

func TestConditionalPut(t *testing.T) {
	tests := []struct {
		name     string
		existing bool
		opts     coffer.PutOptions
		wantErr  error
	}{
		{"If-None-Match * on a new key", false, coffer.PutOptions{IfNoneMatchStar: true}, nil},
		{"If-None-Match * on an existing key", true, coffer.PutOptions{IfNoneMatchStar: true}, coffer.ErrPreconditionFailed},
		{"If-Match with the current ETag", true, coffer.PutOptions{IfMatch: `"` + md5Hex([]byte("old")) + `"`}, nil},
		{"If-Match with another ETag", true, coffer.PutOptions{IfMatch: `"` + md5Hex([]byte("other")) + `"`}, coffer.ErrPreconditionFailed},
		{"If-Match on a missing key", false, coffer.PutOptions{IfMatch: md5Hex([]byte("old"))}, coffer.ErrNoSuchKey},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, b)
				if tc.existing {
					e.put("k", []byte("old"))
				}
				tc.opts.Check.Size = 3
				_, err := e.svc.PutObject(e.ctx, testBucket, "k", strings.NewReader("new"), tc.opts)
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				got, _, _ := e.read("k", coffer.GetOptions{})
				want := map[bool]string{true: "new", false: "old"}[tc.wantErr == nil]
				if !tc.existing && tc.wantErr != nil {
					want = ""
				}
				if string(got) != want {
					t.Fatalf("object reads %q, want %q", got, want)
				}
			})
		}
	})
}

func TestConditionalPutRacesAreCheckedAtCommit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		// The key appears while the body is being read: the commit-time
		// check must still refuse the write.
		body := io.MultiReader(strings.NewReader("first half "), readerFunc(func() {
			e.put("k", []byte("winner"))
		}), strings.NewReader("second half"))
		_, err := e.svc.PutObject(e.ctx, testBucket, "k", body, coffer.PutOptions{IfNoneMatchStar: true, Check: coffer.BodyCheck{Size: -1}})
		if !errors.Is(err, coffer.ErrPreconditionFailed) {
			t.Fatalf("err = %v, want ErrPreconditionFailed", err)
		}
		if got := e.mustRead("k"); string(got) != "winner" {
			t.Fatalf("object reads %q", got)
		}
	})
}

// readerFunc runs fn on its first read and then reports EOF.
type readerFunc func()

func (f readerFunc) Read([]byte) (int, error) {
	f()
	return 0, io.EOF
}

func TestMetadataIsByteExact(t *testing.T) {
	meta := coffer.ObjectMeta{
		ContentType: "text/plain; charset=utf-8", ContentEncoding: "gzip", ContentDisposition: `attachment; filename="a b.txt"`,
		ContentLanguage: "de-CH", CacheControl: "no-cache", Expires: "Thu, 01 Dec 1994 16:00:00 GMT",
		StorageClass: "STANDARD", WebsiteRedirect: "/other", Tagging: "a=b&c=",
		User: map[string]string{"empty": "", "spaces": "  two  spaces  ", "unicode": "grüße ✓", "dash-name": "v"},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		sent := cloneMeta(meta)
		if _, err := e.svc.PutObject(e.ctx, testBucket, "m", strings.NewReader("x"), coffer.PutOptions{Meta: sent, Check: coffer.BodyCheck{Size: 1}}); err != nil {
			t.Fatal(err)
		}
		sent.User["empty"] = "changed by the caller afterwards"
		head, err := e.svc.HeadObject(e.ctx, testBucket, "m", coffer.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		assertMeta(t, head.Meta, meta)
		got, _, err := e.svc.GetObject(e.ctx, testBucket, "m", coffer.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		assertMeta(t, got.Meta, meta)
		page, err := e.svc.ListObjects(e.ctx, testBucket, coffer.ListQuery{})
		if err != nil || len(page.Objects) != 1 {
			t.Fatalf("ListObjects = %+v, %v", page, err)
		}
		assertMeta(t, page.Objects[0].Meta, meta)
	})
}

func assertMeta(t testing.TB, got, want coffer.ObjectMeta) {
	t.Helper()
	gotUser, wantUser := got.User, want.User
	got.User, want.User = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("meta = %+v, want %+v", got, want)
	}
	if len(gotUser) != len(wantUser) {
		t.Fatalf("user meta = %q, want %q", gotUser, wantUser)
	}
	for k, v := range wantUser {
		if g, ok := gotUser[k]; !ok || g != v {
			t.Fatalf("user meta %q = %q (present %v), want %q", k, g, ok, v)
		}
	}
}
