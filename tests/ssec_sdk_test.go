package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// TestSSECGoSDK drives SSE-C with aws-sdk-go-v2 over HTTPS: PUT (seekable
// and streamed aws-chunked), GET, range GET, HEAD, GetObjectAttributes,
// UploadPartCopy from an SSE-C source, the transfer manager's multipart
// upload and ranged download, and the errors as the SDK types them.
func TestSSECGoSDK(t *testing.T) {
	s := startTLSServer(t, "--log-level", "debug")
	ctx := context.Background()
	wire := &wireLog{inner: httpsClient(trustedPool(t, s.caPath))}
	client := sdkClientAt(s.httpsEndpoint, wire)
	key, other := newSSECKey(t), newSSECKey(t)
	alg, k, kmd5 := key.sdk()
	bucket := aws.String("ssec-sdk")
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	read := func(t *testing.T, in *s3.GetObjectInput) (*s3.GetObjectOutput, []byte) {
		t.Helper()
		out, err := client.GetObject(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		got, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		return out, got
	}
	wantPair := func(t *testing.T, op string, sse types.ServerSideEncryption, algorithm, keyMD5 *string, want ssecKey) {
		t.Helper()
		if sse != "" || aws.ToString(algorithm) != "AES256" || aws.ToString(keyMD5) != want.md5b64 {
			t.Errorf("%s: ServerSideEncryption %q, SSECustomerAlgorithm %q, SSECustomerKeyMD5 %q", op, sse, aws.ToString(algorithm), aws.ToString(keyMD5))
		}
	}

	t.Run("put and read", func(t *testing.T) {
		cases := []struct {
			name       string
			size       int
			unseekable bool
		}{
			{name: "empty", size: 0},
			{name: "one byte streamed", size: 1, unseekable: true},
			{name: "one DARE package and a byte", size: 64<<10 + 1},
			{name: "streamed", size: 1_000_000, unseekable: true},
			{name: "three MiB", size: 3 << 20},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				data := randomBytes("sdk ssec "+tc.name, tc.size)
				objectKey := aws.String(strings.ReplaceAll(tc.name, " ", "-"))
				var body io.Reader = bytes.NewReader(data)
				if tc.unseekable {
					body = unseekable{bytes.NewReader(data)}
				}
				put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: objectKey, Body: body, ContentLength: aws.Int64(int64(tc.size)),
					SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
				if err != nil {
					t.Fatal(err)
				}
				if sent := wire.last(); tc.unseekable && sent.contentEncoding != "aws-chunked" {
					t.Fatalf("the SDK did not stream the body: %+v", sent)
				}
				wantPair(t, "PutObject", put.ServerSideEncryption, put.SSECustomerAlgorithm, put.SSECustomerKeyMD5, key)
				etag := aws.ToString(put.ETag)
				if etag == `"`+md5hex(data)+`"` {
					t.Errorf("the ETag of an SSE-C object is the plaintext MD5 %s", etag)
				}
				get, got := read(t, &s3.GetObjectInput{Bucket: bucket, Key: objectKey, SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5,
					ChecksumMode: types.ChecksumModeEnabled})
				if !bytes.Equal(got, data) || aws.ToString(get.ETag) != etag {
					t.Fatalf("GetObject: %d bytes, equal %v, ETag %s (PUT %s)", len(got), bytes.Equal(got, data), aws.ToString(get.ETag), etag)
				}
				wantPair(t, "GetObject", get.ServerSideEncryption, get.SSECustomerAlgorithm, get.SSECustomerKeyMD5, key)
				if tc.size > 2 {
					first, last := tc.size/3, tc.size/2
					ranged, part := read(t, &s3.GetObjectInput{Bucket: bucket, Key: objectKey, Range: aws.String(fmt.Sprintf("bytes=%d-%d", first, last)),
						SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
					if !bytes.Equal(part, data[first:last+1]) || aws.ToString(ranged.ContentRange) != fmt.Sprintf("bytes %d-%d/%d", first, last, tc.size) {
						t.Fatalf("range GET: %d bytes, Content-Range %q", len(part), aws.ToString(ranged.ContentRange))
					}
					wantPair(t, "range GET", ranged.ServerSideEncryption, ranged.SSECustomerAlgorithm, ranged.SSECustomerKeyMD5, key)
				}
				head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: objectKey, SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
				if err != nil {
					t.Fatal(err)
				}
				if aws.ToInt64(head.ContentLength) != int64(tc.size) || aws.ToString(head.ETag) != etag {
					t.Fatalf("HeadObject: length %d ETag %s", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag))
				}
				wantPair(t, "HeadObject", head.ServerSideEncryption, head.SSECustomerAlgorithm, head.SSECustomerKeyMD5, key)
				attrs, err := client.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket, Key: objectKey,
					ObjectAttributes:     []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize},
					SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
				if err != nil {
					t.Fatal(err)
				}
				if aws.ToInt64(attrs.ObjectSize) != int64(tc.size) || `"`+aws.ToString(attrs.ETag)+`"` != etag {
					t.Fatalf("GetObjectAttributes: size %d ETag %s", aws.ToInt64(attrs.ObjectSize), aws.ToString(attrs.ETag))
				}
			})
		}
	})

	t.Run("typed errors", func(t *testing.T) {
		objectKey := aws.String("errors")
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: objectKey, Body: strings.NewReader("secret"),
			SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("errors-plain"), Body: strings.NewReader("plain")}); err != nil {
			t.Fatal(err)
		}
		oalg, ok, omd5 := other.sdk()
		get := func(in *s3.GetObjectInput) error {
			out, err := client.GetObject(ctx, in)
			if err == nil {
				out.Body.Close()
			}
			return err
		}
		cases := []struct {
			name    string
			call    func() error
			status  int
			code    string
			message string
		}{
			{name: "GetObject without the key", status: 400, code: "InvalidRequest", message: msgSSECKeyRequired,
				call: func() error { return get(&s3.GetObjectInput{Bucket: bucket, Key: objectKey}) }},
			{name: "GetObject with the wrong key", status: 403, code: "AccessDenied", message: msgSSECWrongKey,
				call: func() error {
					return get(&s3.GetObjectInput{Bucket: bucket, Key: objectKey, SSECustomerAlgorithm: oalg, SSECustomerKey: ok, SSECustomerKeyMD5: omd5})
				}},
			{name: "HeadObject without the key", status: 400, code: "BadRequest",
				call: func() error {
					_, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: objectKey})
					return err
				}},
			{name: "HeadObject with the wrong key", status: 403, code: "Forbidden",
				call: func() error {
					_, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: objectKey, SSECustomerAlgorithm: oalg, SSECustomerKey: ok, SSECustomerKeyMD5: omd5})
					return err
				}},
			{name: "GetObjectAttributes with the wrong key", status: 403, code: "AccessDenied", message: msgSSECWrongKey,
				call: func() error {
					_, err := client.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket, Key: objectKey,
						ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}, SSECustomerAlgorithm: oalg, SSECustomerKey: ok, SSECustomerKeyMD5: omd5})
					return err
				}},
			{name: "GetObject of an SSE-S3 object with a key", status: 400, code: "InvalidRequest", message: msgSSECNotApplicable,
				call: func() error {
					return get(&s3.GetObjectInput{Bucket: bucket, Key: aws.String("errors-plain"), SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
				}},
			{name: "PutObject with the MD5 of another key", status: 400, code: "InvalidArgument", message: msgSSECBadMD5,
				call: func() error {
					_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("bad-md5"), Body: strings.NewReader("x"),
						SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: omd5})
					return err
				}},
			{name: "PutObject with AES128", status: 400, code: "InvalidEncryptionAlgorithmError", message: msgSSECBadAlgorithm,
				call: func() error {
					_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("aes128"), Body: strings.NewReader("x"),
						SSECustomerAlgorithm: aws.String("AES128"), SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
					return err
				}},
			{name: "PutObject with SSE and SSE-C", status: 400, code: "InvalidArgument", message: msgSSECIncompatible,
				call: func() error {
					_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("both"), Body: strings.NewReader("x"),
						ServerSideEncryption: types.ServerSideEncryptionAes256, SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
					return err
				}},
			{name: "CopyObject without the copy-source key", status: 400, code: "InvalidRequest", message: msgSSECKeyRequired,
				call: func() error {
					_, err := client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy"), CopySource: aws.String("ssec-sdk/errors")})
					return err
				}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call()
				s3ErrorCode(t, err, tc.status, tc.code)
				var apiErr smithy.APIError
				if errors.As(err, &apiErr) && tc.message != "" && apiErr.ErrorMessage() != tc.message {
					t.Fatalf("message %q, want %q", apiErr.ErrorMessage(), tc.message)
				}
			})
		}
		for _, name := range []string{"bad-md5", "aes128", "both", "copy"} {
			var notFound *types.NotFound
			if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String(name)}); !errors.As(err, &notFound) {
				t.Errorf("HEAD %s after a refused write: %v", name, err)
			}
		}
	})

	t.Run("UploadPartCopy from an SSE-C source", func(t *testing.T) {
		source := randomBytes("sdk part copy source", 6<<20+100)
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("part-source"), Body: bytes.NewReader(source),
			SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			dest *ssecKey // the destination upload's key; nil: SSE-S3
		}{
			{name: "into an SSE-C upload with another key", dest: &other},
			{name: "into an SSE-S3 upload"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				objectKey := aws.String("part-copy/" + strings.ReplaceAll(tc.name, " ", "-"))
				create := &s3.CreateMultipartUploadInput{Bucket: bucket, Key: objectKey}
				var dalg, dkey, dmd5 *string
				if tc.dest != nil {
					dalg, dkey, dmd5 = tc.dest.sdk()
					create.SSECustomerAlgorithm, create.SSECustomerKey, create.SSECustomerKeyMD5 = dalg, dkey, dmd5
				}
				up, err := client.CreateMultipartUpload(ctx, create)
				if err != nil {
					t.Fatal(err)
				}
				var parts []types.CompletedPart
				for i, rng := range []string{"bytes=0-5242879", fmt.Sprintf("bytes=5242880-%d", len(source)-1)} {
					n := aws.Int32(int32(i + 1))
					out, err := client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bucket, Key: objectKey, UploadId: up.UploadId, PartNumber: n,
						CopySource: aws.String("ssec-sdk/part-source"), CopySourceRange: aws.String(rng),
						CopySourceSSECustomerAlgorithm: alg, CopySourceSSECustomerKey: k, CopySourceSSECustomerKeyMD5: kmd5,
						SSECustomerAlgorithm: dalg, SSECustomerKey: dkey, SSECustomerKeyMD5: dmd5})
					if err != nil {
						t.Fatal(err)
					}
					if tc.dest != nil {
						wantPair(t, "UploadPartCopy", out.ServerSideEncryption, out.SSECustomerAlgorithm, out.SSECustomerKeyMD5, *tc.dest)
					} else if out.ServerSideEncryption != types.ServerSideEncryptionAes256 || out.SSECustomerAlgorithm != nil {
						t.Errorf("UploadPartCopy into SSE-S3: %q %q", out.ServerSideEncryption, aws.ToString(out.SSECustomerAlgorithm))
					}
					parts = append(parts, types.CompletedPart{ETag: out.CopyPartResult.ETag, PartNumber: n})
				}
				done, err := client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: objectKey, UploadId: up.UploadId,
					MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}, SSECustomerAlgorithm: dalg, SSECustomerKey: dkey, SSECustomerKeyMD5: dmd5})
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasSuffix(aws.ToString(done.ETag), `-2"`) {
					t.Fatalf("Complete ETag %s", aws.ToString(done.ETag))
				}
				_, got := read(t, &s3.GetObjectInput{Bucket: bucket, Key: objectKey, SSECustomerAlgorithm: dalg, SSECustomerKey: dkey, SSECustomerKeyMD5: dmd5})
				if !bytes.Equal(got, source) {
					t.Fatalf("the copied object reads back %d bytes, equal %v", len(got), bytes.Equal(got, source))
				}
			})
		}
	})

	t.Run("transfer manager", func(t *testing.T) {
		data := randomBytes("sdk manager", 12<<20+5)
		objectKey := aws.String("managed")
		uploader := manager.NewUploader(client, func(u *manager.Uploader) { u.PartSize = 5 << 20; u.Concurrency = 2 })
		up, err := uploader.Upload(ctx, &s3.PutObjectInput{Bucket: bucket, Key: objectKey, Body: unseekable{bytes.NewReader(data)},
			SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(aws.ToString(up.ETag), `-3"`) || up.UploadID == "" {
			t.Fatalf("Upload: ETag %s, upload id %q", aws.ToString(up.ETag), up.UploadID)
		}
		buf := manager.NewWriteAtBuffer(nil)
		downloader := manager.NewDownloader(client, func(d *manager.Downloader) { d.PartSize = 5 << 20; d.Concurrency = 2 })
		n, err := downloader.Download(ctx, buf, &s3.GetObjectInput{Bucket: bucket, Key: objectKey, SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("Download: %d bytes, equal %v", n, bytes.Equal(buf.Bytes(), data))
		}
		var respErr interface{ HTTPStatusCode() int }
		_, err = downloader.Download(ctx, manager.NewWriteAtBuffer(nil), &s3.GetObjectInput{Bucket: bucket, Key: objectKey})
		if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != http.StatusBadRequest {
			t.Fatalf("Download without the key: %v", err)
		}
	})
	assertNoCustomerKeys(t, s.server, "managed", key, other)
}
