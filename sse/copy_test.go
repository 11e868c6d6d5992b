package sse

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cofferlabs/coffer"
)

func TestCopyObject(t *testing.T) {
	srcData := patterned(200<<10, 11)
	srcMeta := coffer.ObjectMeta{
		ContentType: "image/png", CacheControl: "max-age=1", StorageClass: "STANDARD_IA", WebsiteRedirect: "/r",
		User: map[string]string{"origin": "source", "empty": ""}, Tagging: "t=1",
	}
	newMeta := coffer.ObjectMeta{ContentType: "text/plain", User: map[string]string{"origin": "replaced"}}
	tests := []struct {
		name     string
		dstKey   string
		opts     coffer.CopyOptions
		wantMeta coffer.ObjectMeta
		wantErr  error
		wantArg  string
	}{
		{"COPY to another key", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}},
			coffer.ObjectMeta{ContentType: "image/png", CacheControl: "max-age=1", User: srcMeta.User, Tagging: "t=1"}, nil, ""},
		{"COPY keeps request storage class and redirect", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}, Meta: coffer.ObjectMeta{StorageClass: "GLACIER", WebsiteRedirect: "/n"}},
			coffer.ObjectMeta{ContentType: "image/png", CacheControl: "max-age=1", StorageClass: "GLACIER", WebsiteRedirect: "/n", User: srcMeta.User, Tagging: "t=1"}, nil, ""},
		{"REPLACE to another key", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}, Directive: coffer.MetadataReplace, Meta: newMeta},
			newMeta, nil, ""},
		{"REPLACE onto itself", "src", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}, Directive: coffer.MetadataReplace, Meta: newMeta},
			newMeta, nil, ""},
		{"COPY onto itself", "src", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}},
			coffer.ObjectMeta{}, coffer.ErrCopyToItself, ""},
		{"COPY onto itself with a website redirect", "src", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}, Meta: coffer.ObjectMeta{WebsiteRedirect: "/r2"}},
			coffer.ObjectMeta{ContentType: "image/png", CacheControl: "max-age=1", WebsiteRedirect: "/r2", User: srcMeta.User, Tagging: "t=1"}, nil, ""},
		{"COPY onto itself with an ignored metadata change", "src", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}, Meta: coffer.ObjectMeta{ContentType: "text/plain"}},
			coffer.ObjectMeta{}, coffer.ErrCopyToItself, ""},
		{"COPY onto itself changing storage class", "src", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}, Meta: coffer.ObjectMeta{StorageClass: "GLACIER"}},
			coffer.ObjectMeta{ContentType: "image/png", CacheControl: "max-age=1", StorageClass: "GLACIER", User: srcMeta.User, Tagging: "t=1"}, nil, ""},
		{"COPY onto itself asking for SSE-S3", "src", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}, Encryption: coffer.EncryptionRequest{Type: coffer.SSES3}},
			coffer.ObjectMeta{ContentType: "image/png", CacheControl: "max-age=1", User: srcMeta.User, Tagging: "t=1"}, nil, ""},
		{"missing source", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "nope"}}, coffer.ObjectMeta{}, coffer.ErrNoSuchKey, ""},
		{"missing source bucket", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: "no-such-bucket", Key: "src"}}, coffer.ObjectMeta{}, coffer.ErrNoSuchBucket, ""},
		{"empty source key", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket}}, coffer.ObjectMeta{}, coffer.ErrInvalidCopySource, ""},
		{"source If-Match miss", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src", Conditions: coffer.Conditions{IfMatch: "x"}}}, coffer.ObjectMeta{}, coffer.ErrPreconditionFailed, ""},
		{"source If-None-Match hit is 412, not 304", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src", Conditions: coffer.Conditions{IfNoneMatch: md5Hex(srcData)}}}, coffer.ObjectMeta{}, coffer.ErrPreconditionFailed, ""},
		{"unknown directive", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}, Directive: "MERGE"}, coffer.ObjectMeta{}, nil, "x-amz-metadata-directive"},
		{"SSE-KMS destination", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}, Encryption: coffer.EncryptionRequest{Type: coffer.SSEKMS}}, coffer.ObjectMeta{}, coffer.ErrNotImplemented, ""},
		{"source customer key on an SSE-S3 source", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src", CustomerKey: &coffer.CustomerKey{}}}, coffer.ObjectMeta{}, coffer.ErrCustomerKeyNotApplicable, ""},
		{"REPLACE with too much metadata", "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "src"}, Directive: coffer.MetadataReplace, Meta: coffer.ObjectMeta{User: map[string]string{"x": string(make([]byte, 2048))}}}, coffer.ObjectMeta{}, coffer.ErrMetadataTooLarge, ""},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, b)
				if _, err := e.svc.PutObject(e.ctx, testBucket, "src", bytes.NewReader(srcData), coffer.PutOptions{Meta: srcMeta, Check: coffer.BodyCheck{Size: int64(len(srcData))}}); err != nil {
					t.Fatal(err)
				}
				before := e.record("src")
				e.clock.Advance(1)
				info, err := e.svc.CopyObject(e.ctx, testBucket, tc.dstKey, tc.opts)
				assertErr(t, err, tc.wantErr, tc.wantArg)
				if tc.wantErr != nil || tc.wantArg != "" {
					if rec := e.record("src"); rec.DataID != before.DataID {
						t.Fatal("a failed copy replaced the source")
					}
					return
				}
				if info.ETag != md5Hex(srcData) || info.Size != int64(len(srcData)) || !info.LastModified.Equal(e.clock.Now()) {
					t.Fatalf("copy info = %+v", info)
				}
				assertMeta(t, info.Meta, tc.wantMeta)
				mustEqualBytes(t, e.mustRead(tc.dstKey), srcData)
				if dst := e.record(tc.dstKey); bytes.Equal(dst.SealedKey, before.SealedKey) || dst.DataID == before.DataID {
					t.Fatal("the copy shares the source's data key or data")
				}
			})
		}
	})
}

func TestCopyOfMultipartObject(t *testing.T) {
	parts := [][]byte{patterned(coffer.MinPartSize, 1), patterned(1234, 2)}
	e := newEnv(t, backends[0])
	e.multipartUpload("mp", coffer.UploadOptions{Checksum: coffer.ChecksumSHA256}, parts...)
	info, err := e.svc.CopyObject(e.ctx, testBucket, "copy", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "mp"}})
	if err != nil {
		t.Fatal(err)
	}
	whole := bytes.Join(parts, nil)
	want := coffer.Checksum{Algorithm: coffer.ChecksumSHA256, Type: coffer.ChecksumFullObject, Value: checksumOf(coffer.ChecksumSHA256, whole)}
	if info.ETag != md5Hex(whole) || info.PartsCount != 0 || info.Checksum != want {
		t.Fatalf("copy of a multipart object: %+v", info)
	}
	mustEqualBytes(t, e.mustRead("copy"), whole)
}

func TestUploadPartCopy(t *testing.T) {
	src := patterned(coffer.MinPartSize+3*65536, 21)
	size := int64(len(src))
	tests := []struct {
		name    string
		rng     *coffer.Range
		want    []byte
		wantErr error
	}{
		{"whole source", nil, src, nil},
		{"first-last range", &coffer.Range{Start: 10, End: coffer.MinPartSize + 9}, src[10 : coffer.MinPartSize+10], nil},
		{"last byte", &coffer.Range{Start: size - 1, End: size - 1}, src[size-1:], nil},
		{"end beyond the source", &coffer.Range{Start: 0, End: size}, nil, coffer.ErrInvalidRange},
		{"start beyond the source", &coffer.Range{Start: size, End: size + 1}, nil, coffer.ErrInvalidRange},
		{"suffix", &coffer.Range{IsSuffix: true, Suffix: 10}, nil, coffer.ErrInvalidRange},
		{"open-ended", &coffer.Range{Start: 5, End: -1}, nil, coffer.ErrInvalidRange},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("src", src)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "dst", coffer.UploadOptions{Checksum: coffer.ChecksumCRC32C})
				if err != nil {
					t.Fatal(err)
				}
				defer e.svc.AbortMultipartUpload(e.ctx, testBucket, "dst", up.UploadID)
				part, err := e.svc.UploadPartCopy(e.ctx, testBucket, "dst", up.UploadID, 1, coffer.CopySource{Bucket: testBucket, Key: "src", Range: tc.rng}, coffer.PartOptions{})
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if tc.wantErr != nil {
					return
				}
				if part.ETag != md5Hex(tc.want) || part.Size != int64(len(tc.want)) || part.Checksum.Value != checksumOf(coffer.ChecksumCRC32C, tc.want) {
					t.Fatalf("part = %+v", part)
				}
				_, err = e.svc.CompleteMultipartUpload(e.ctx, testBucket, "dst", up.UploadID, coffer.CompleteOptions{
					Parts: []coffer.CompletePart{{Number: 1, ETag: part.ETag}},
				})
				if err != nil {
					t.Fatal(err)
				}
				mustEqualBytes(t, e.mustRead("dst"), tc.want)
			})
		}
		up, _ := e.svc.CreateMultipartUpload(e.ctx, testBucket, "dst", coffer.UploadOptions{})
		checks := map[string]error{}
		_, checks["missing source"] = e.svc.UploadPartCopy(e.ctx, testBucket, "dst", up.UploadID, 1, coffer.CopySource{Bucket: testBucket, Key: "nope"}, coffer.PartOptions{})
		_, checks["missing upload"] = e.svc.UploadPartCopy(e.ctx, testBucket, "dst", "nope", 1, coffer.CopySource{Bucket: testBucket, Key: "src"}, coffer.PartOptions{})
		_, checks["part 0"] = e.svc.UploadPartCopy(e.ctx, testBucket, "dst", up.UploadID, 0, coffer.CopySource{Bucket: testBucket, Key: "src"}, coffer.PartOptions{})
		_, checks["source condition"] = e.svc.UploadPartCopy(e.ctx, testBucket, "dst", up.UploadID, 1, coffer.CopySource{Bucket: testBucket, Key: "src", Conditions: coffer.Conditions{IfMatch: "x"}}, coffer.PartOptions{})
		want := map[string]error{"missing source": coffer.ErrNoSuchKey, "missing upload": coffer.ErrNoSuchUpload, "part 0": coffer.ErrTooManyParts, "source condition": coffer.ErrPreconditionFailed}
		for name, err := range checks {
			if !errors.Is(err, want[name]) {
				t.Errorf("%s: err = %v, want %v", name, err, want[name])
			}
		}
	})
}
