package s3api

import (
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	miniocred "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/cofferlabs/coffer"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var cannedTime = time.Date(2024, 5, 6, 7, 8, 9, 123_000_000, time.UTC)

// cannedService answers with fixed values so response documents can be
// compared byte for byte. Methods it does not define are never called by
// the golden cases (the embedded nil interface would panic).
type cannedService struct{ coffer.Service }

func (cannedService) ListBuckets(context.Context) ([]coffer.BucketInfo, error) {
	return []coffer.BucketInfo{
		{Name: "alpha", Created: cannedTime},
		{Name: "euro", Created: cannedTime.Add(time.Hour), Region: "eu-central-1"},
	}, nil
}

func (cannedService) HeadBucket(_ context.Context, bucket string) (coffer.BucketInfo, error) {
	if bucket == "euro" {
		return coffer.BucketInfo{Name: bucket, Created: cannedTime, Region: "eu-central-1"}, nil
	}
	return coffer.BucketInfo{Name: bucket, Created: cannedTime}, nil
}

func (cannedService) ListObjects(_ context.Context, bucket string, q coffer.ListQuery) (coffer.ListPage, error) {
	return coffer.ListPage{
		Objects: []coffer.ObjectInfo{
			{Key: "photos/a b+c.jpg", Size: 1024, ETag: "9b2cf535f27731c974343645a3985328", LastModified: cannedTime},
			{Key: "photos/€uro.txt", Size: 5, ETag: "0b1c1d5f4b4ab4f4b5a1e0e1d0f0a0b0-2", LastModified: cannedTime,
				Meta:     coffer.ObjectMeta{StorageClass: "STANDARD_IA"},
				Checksum: coffer.Checksum{Algorithm: coffer.ChecksumCRC32, Type: coffer.ChecksumFullObject, Value: "yZRlqg=="}},
		},
		CommonPrefixes: []string{"photos/2024/", "photos/with space/"},
		Truncated:      true,
		NextAfter:      "photos/with space/",
	}, nil
}

func (cannedService) GetObject(_ context.Context, bucket, key string, opts coffer.GetOptions) (coffer.ObjectInfo, *coffer.ObjectReader, error) {
	return coffer.ObjectInfo{}, nil, coffer.ErrNoSuchKey
}

func (cannedService) HeadObject(_ context.Context, bucket, key string, opts coffer.GetOptions) (coffer.ObjectInfo, error) {
	parts := []coffer.PartInfo{
		{Number: 1, Size: 5 << 20, Checksum: coffer.Checksum{Algorithm: coffer.ChecksumSHA256, Value: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}},
		{Number: 2, Size: 5 << 20, Checksum: coffer.Checksum{Algorithm: coffer.ChecksumSHA256, Value: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}},
		{Number: 3, Size: 1, Checksum: coffer.Checksum{Algorithm: coffer.ChecksumSHA256, Value: "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="}},
	}
	return coffer.ObjectInfo{
		Bucket: bucket, Key: key, Size: 10<<20 + 1, ETag: "c4e1f8b5b4a9e3e2d1c0b9a8f7e6d5c4-3", LastModified: cannedTime,
		Checksum:   coffer.Checksum{Algorithm: coffer.ChecksumSHA256, Type: coffer.ChecksumComposite, Value: "3FMhQ/a6SmHRc4Ko58hIVqSn0Bz6VUsEn8H+i2Ds1vI=-3"},
		Encryption: coffer.EncryptionInfo{Type: coffer.SSES3}, PartsCount: 3, Parts: parts,
	}, nil
}

func (cannedService) CopyObject(_ context.Context, bucket, key string, opts coffer.CopyOptions) (coffer.ObjectInfo, error) {
	return coffer.ObjectInfo{Bucket: bucket, Key: key, ETag: "9b2cf535f27731c974343645a3985328", LastModified: cannedTime,
		Checksum:   coffer.Checksum{Algorithm: coffer.ChecksumCRC32C, Type: coffer.ChecksumFullObject, Value: "4waSgw=="},
		Encryption: coffer.EncryptionInfo{Type: coffer.SSES3}}, nil
}

func (cannedService) PutObject(_ context.Context, bucket, key string, body io.Reader, opts coffer.PutOptions) (coffer.ObjectInfo, error) {
	if key == "kms-missing" {
		return coffer.ObjectInfo{}, fmt.Errorf("sse: KMS GenerateDataKey: %w", &coffer.KMSError{Code: "NotFoundException", Message: "Invalid keyId 'fake-key-id'"})
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return coffer.ObjectInfo{}, err
	}
	return coffer.ObjectInfo{Bucket: bucket, Key: key, ETag: "9b2cf535f27731c974343645a3985328", LastModified: cannedTime,
		Encryption: coffer.EncryptionInfo{Type: coffer.SSES3}}, nil
}

func (cannedService) GetBucketEncryption(_ context.Context, bucket string) (coffer.BucketEncryption, error) {
	if bucket == "alpha" {
		return coffer.BucketEncryption{Algorithm: coffer.SSEKMS, KMSMasterKeyID: "arn:aws:kms:us-east-1:111122223333:key/abc",
			BucketKeyEnabled: true, BlockedEncryptionTypes: []string{"SSE-C"}}, nil
	}
	return coffer.BucketEncryption{Algorithm: coffer.SSES3}, nil
}

func (cannedService) DeleteObject(_ context.Context, bucket, key string) error {
	if key == "fails" {
		return errors.New("store unreachable: /var/lib/coffer")
	}
	return nil
}

func (cannedService) CreateMultipartUpload(_ context.Context, bucket, key string, opts coffer.UploadOptions) (coffer.UploadInfo, error) {
	return coffer.UploadInfo{Bucket: bucket, Key: key, UploadID: "upload-1", Initiated: cannedTime,
		Encryption: coffer.EncryptionInfo{Type: coffer.SSES3}, Checksum: opts.Checksum, ChecksumType: opts.ChecksumType}, nil
}

func (cannedService) UploadPartCopy(_ context.Context, bucket, key, uploadID string, part int, src coffer.CopySource, opts coffer.PartOptions) (coffer.PartInfo, error) {
	return coffer.PartInfo{Number: part, Size: 5 << 20, ETag: "5f363e0e58a95f06cbe9bbc662c5dfb6", LastModified: cannedTime}, nil
}

func (cannedService) CompleteMultipartUpload(_ context.Context, bucket, key, uploadID string, opts coffer.CompleteOptions) (coffer.ObjectInfo, error) {
	return coffer.ObjectInfo{Bucket: bucket, Key: key, ETag: "c4e1f8b5b4a9e3e2d1c0b9a8f7e6d5c4-2", LastModified: cannedTime,
		Checksum:   coffer.Checksum{Algorithm: coffer.ChecksumCRC64NVME, Type: coffer.ChecksumFullObject, Value: "rosUhgp5mIg="},
		Encryption: coffer.EncryptionInfo{Type: coffer.SSES3}}, nil
}

func (cannedService) ListParts(_ context.Context, bucket, key, uploadID string, q coffer.PartQuery) (coffer.PartPage, error) {
	return coffer.PartPage{
		Upload: coffer.UploadInfo{Bucket: bucket, Key: key, UploadID: uploadID, Initiated: cannedTime,
			Checksum: coffer.ChecksumSHA256, ChecksumType: coffer.ChecksumComposite},
		Parts: []coffer.PartInfo{
			{Number: 1, Size: 5 << 20, ETag: "5f363e0e58a95f06cbe9bbc662c5dfb6", LastModified: cannedTime,
				Checksum: coffer.Checksum{Algorithm: coffer.ChecksumSHA256, Value: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}},
			{Number: 2, Size: 5 << 20, ETag: "5f363e0e58a95f06cbe9bbc662c5dfb6", LastModified: cannedTime,
				Checksum: coffer.Checksum{Algorithm: coffer.ChecksumSHA256, Value: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}},
		},
		Truncated: true,
		NextAfter: 2,
	}, nil
}

func (cannedService) ListMultipartUploads(_ context.Context, bucket string, q coffer.UploadQuery) (coffer.UploadPage, error) {
	return coffer.UploadPage{
		Uploads: []coffer.UploadInfo{
			{Bucket: bucket, Key: "big file", UploadID: "upload-1", Initiated: cannedTime},
			{Bucket: bucket, Key: "big file", UploadID: "upload-2", Initiated: cannedTime.Add(time.Minute),
				Checksum: coffer.ChecksumCRC32, ChecksumType: coffer.ChecksumFullObject},
		},
		CommonPrefixes:     []string{"logs/"},
		Truncated:          true,
		NextKeyMarker:      "big file",
		NextUploadIDMarker: "upload-2",
	}, nil
}

var ids = regexp.MustCompile(`<(RequestId|HostId)>[^<]*</(RequestId|HostId)>`)

func TestGoldenDocuments(t *testing.T) {
	handler := New(Config{
		Service: cannedService{}, Verifier: testVerifier(), Region: testRegion,
		Owner: Owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "coffer"},
	})
	deleteDoc := []byte(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key>fails</Key></Object><Object><Key>b</Key><VersionId>v1</VersionId></Object></Delete>`)
	quietDoc := []byte(`<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object><Object><Key>fails</Key></Object></Delete>`)
	completeDoc := []byte(`<CompleteMultipartUpload><Part><ETag>"a"</ETag><PartNumber>1</PartNumber></Part><Part><ETag>"b"</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`)
	postForm := func(t *testing.T) *http.Request {
		policy := minio.NewPostPolicy()
		if err := errors.Join(policy.SetBucket("alpha"), policy.SetKey("posted"), policy.SetSuccessStatusAction("201"),
			policy.SetExpires(time.Now().UTC().Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		mc, err := minio.New("127.0.0.1:9", &minio.Options{Creds: miniocred.NewStaticV4(testAccessKey, testSecretKey, ""), Region: testRegion})
		if err != nil {
			t.Fatal(err)
		}
		_, fields, err := mc.PresignedPostPolicy(context.Background(), policy)
		if err != nil {
			t.Fatal(err)
		}
		return formRequest(t, "http://localhost/alpha", fields, "posted.txt", []byte("form body"))
	}
	cases := []struct {
		name    string
		method  string
		target  string
		header  map[string]string
		body    []byte
		request func(t *testing.T) *http.Request // instead of a signed request
		tls     bool                             // as if over TLS
		status  int
	}{
		{name: "list_buckets", method: "GET", target: "/", status: 200},
		{name: "location_us_east_1", method: "GET", target: "/alpha?location", status: 200},
		{name: "location_eu", method: "GET", target: "/euro?location", status: 200},
		{name: "versioning", method: "GET", target: "/alpha?versioning", status: 200},
		{name: "list_objects_v1", method: "GET", target: "/alpha?delimiter=/&prefix=photos/&marker=photos/0&max-keys=4", status: 200},
		{name: "list_objects_v1_url", method: "GET", target: "/alpha?delimiter=/&prefix=photos/&encoding-type=url", status: 200},
		{name: "list_objects_v2", method: "GET", target: "/alpha?list-type=2&delimiter=/&prefix=photos/&fetch-owner=true&start-after=photos/", status: 200},
		{name: "list_objects_v2_url", method: "GET", target: "/alpha?list-type=2&delimiter=/&prefix=photos/&encoding-type=url&continuation-token=" + encodeToken("photos/a"), status: 200},
		{name: "initiate_multipart", method: "POST", target: "/alpha/big?uploads", header: map[string]string{"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "COMPOSITE"}, status: 200},
		{name: "copy_object", method: "PUT", target: "/alpha/copy", header: map[string]string{"x-amz-copy-source": "/alpha/big"}, status: 200},
		{name: "copy_part", method: "PUT", target: "/alpha/big?partNumber=1&uploadId=upload-1", header: map[string]string{"x-amz-copy-source": "alpha/src", "x-amz-copy-source-range": "bytes=0-5242879"}, status: 200},
		{name: "complete_multipart", method: "POST", target: "/alpha/big?uploadId=upload-1", body: completeDoc, status: 200},
		{name: "list_parts", method: "GET", target: "/alpha/big?uploadId=upload-1&max-parts=2", status: 200},
		{name: "list_uploads", method: "GET", target: "/alpha?uploads&delimiter=/&encoding-type=url", status: 200},
		{name: "delete_result", method: "POST", target: "/alpha?delete", body: deleteDoc, header: map[string]string{"Content-MD5": md5Base64(deleteDoc)}, status: 200},
		{name: "delete_result_quiet", method: "POST", target: "/alpha?delete", body: quietDoc, header: map[string]string{"Content-MD5": md5Base64(quietDoc)}, status: 200},
		{name: "object_attributes", method: "GET", target: "/alpha/big?attributes", header: map[string]string{"x-amz-object-attributes": "ETag,Checksum,ObjectParts,StorageClass,ObjectSize", "x-amz-max-parts": "2"}, status: 200},
		{name: "post_response", request: postForm, status: 201},
		{name: "error_no_such_key", method: "GET", target: "/alpha/missing", status: 404},
		{name: "error_argument", method: "PUT", target: "/alpha/k", header: map[string]string{"x-amz-server-side-encryption": "aes:kms"}, status: 400},
		{name: "error_not_implemented", method: "GET", target: "/alpha?lifecycle", status: 501},
		{name: "bucket_encryption", method: "GET", target: "/alpha?encryption", status: 200},
		{name: "bucket_encryption_default", method: "GET", target: "/plain?encryption", status: 200},
		{name: "error_kms_not_found", method: "PUT", target: "/alpha/kms-missing", header: map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": "fake-key-id"}, tls: true, status: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r *http.Request
			if tc.request != nil {
				r = tc.request(t)
			} else {
				r = signedRequest(t, tc.method, "http://localhost"+tc.target, tc.body, tc.header)
			}
			if tc.tls {
				r.TLS = &tls.ConnectionState{HandshakeComplete: true}
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, r)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			got := ids.ReplaceAll(rec.Body.Bytes(), []byte("<$1>ID</$2>"))
			path := filepath.Join("testdata", "golden", tc.name+".xml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("body differs from %s\ngot:  %s\nwant: %s", path, got, want)
			}
		})
	}
}

func md5Base64(b []byte) string {
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}
