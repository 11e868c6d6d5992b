package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"
)

// wantAPIError checks an SDK error's code and message.
func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != code || api.ErrorMessage() != message {
		t.Fatalf("got %v, want %s %q", err, code, message)
	}
}

// ssecGet reads an object with the customer key k.
func (f *ssecFixture) ssecGet(t *testing.T, key string, k ssecKey) (*s3.GetObjectOutput, []byte, error) {
	t.Helper()
	out, err := f.client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil {
		return nil, nil, err
	}
	return out, readAll(t, out.Body), nil
}

// TestSSECRoundTrip writes, reads, heads and inspects SSE-C objects of
// several sizes with aws-sdk-go-v2: every answer carries the SSE-C pair
// and never x-amz-server-side-encryption, and ETags are not MD5s.
func TestSSECRoundTrip(t *testing.T) {
	f := newSSECFixture(t)
	ctx := context.Background()
	key := newSSECKey(10)
	sizes := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"one block", 64 << 10},
		{"several blocks", 300<<10 + 7},
	}
	for _, tc := range sizes {
		t.Run(tc.name, func(t *testing.T) {
			name := "round/" + strings.ReplaceAll(tc.name, " ", "-")
			data := randomBytes(tc.size, int64(tc.size)+1)
			put := f.putSSEC(t, name, data, key)
			if aws.ToString(put.SSECustomerAlgorithm) != "AES256" || aws.ToString(put.SSECustomerKeyMD5) != key.md5 || put.ServerSideEncryption != "" {
				t.Fatalf("PUT answered %q %q %q", aws.ToString(put.SSECustomerAlgorithm), aws.ToString(put.SSECustomerKeyMD5), put.ServerSideEncryption)
			}
			wantSSECPair(t, rawHeader(t, put.ResultMetadata), &key)
			if aws.ToString(put.ETag) == `"`+md5Hex(data)+`"` {
				t.Fatal("an SSE-C ETag must not be the MD5 of the data")
			}
			if again := f.putSSEC(t, name+"-again", data, key); aws.ToString(again.ETag) == aws.ToString(put.ETag) {
				t.Fatal("two PUTs of the same data and key gave the same ETag")
			}

			get, body, err := f.ssecGet(t, name, key)
			if err != nil || !bytes.Equal(body, data) || aws.ToString(get.ETag) != aws.ToString(put.ETag) {
				t.Fatalf("GET: %v, %d bytes, ETag %s", err, len(body), aws.ToString(get.ETag))
			}
			wantSSECPair(t, rawHeader(t, get.ResultMetadata), &key)

			head, err := f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String(name),
				SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
			if err != nil || aws.ToInt64(head.ContentLength) != int64(tc.size) || aws.ToString(head.SSECustomerKeyMD5) != key.md5 || head.ServerSideEncryption != "" {
				t.Fatalf("HEAD: %v %+v", err, head)
			}
			wantSSECPair(t, rawHeader(t, head.ResultMetadata), &key)

			if tc.size > 10 {
				ranged, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String(name), Range: aws.String("bytes=3-9"),
					SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
				if err != nil || !bytes.Equal(readAll(t, ranged.Body), data[3:10]) {
					t.Fatalf("ranged GET: %v", err)
				}
			}

			attrs, err := f.client.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("ssec"), Key: aws.String(name),
				ObjectAttributes:     []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize},
				SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
			if err != nil || aws.ToInt64(attrs.ObjectSize) != int64(tc.size) || `"`+aws.ToString(attrs.ETag)+`"` != aws.ToString(put.ETag) {
				t.Fatalf("GetObjectAttributes: %v %+v", err, attrs)
			}
			h := rawHeader(t, attrs.ResultMetadata)
			if h.Get(hdrSSE) != "" || h.Get(hdrSSECAlgorithm) != "" || h.Get(hdrSSECKeyMD5) != "" {
				t.Fatalf("GetObjectAttributes carries SSE fields: %v", h)
			}
		})
	}

	// Listings carry no SSE fields.
	r := signedRequest(t, "GET", f.env.url("/ssec?list-type=2"), nil, nil)
	resp, body := do(t, f.env.server.Client(), r)
	if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte("Encryption")) || bytes.Contains(body, []byte("SSECustomer")) {
		t.Fatalf("listing: %d %s", resp.StatusCode, body)
	}
	// Deleting needs no key (spec §3.6).
	if _, err := f.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ssec"), Key: aws.String("round/one-byte")}); err != nil {
		t.Fatal(err)
	}
	f.noKeyMaterial(t, key)
}

// TestSSECMultipart uploads an SSE-C object in two parts, the second
// copied from another SSE-C object: Create, UploadPart and UploadPartCopy answer
// with the SSE-C pair, Complete without it, and the key is optional on
// Complete.
func TestSSECMultipart(t *testing.T) {
	f := newSSECFixture(t)
	ctx := context.Background()
	key, sourceKey := newSSECKey(20), newSSECKey(21)
	source := randomBytes(300<<10, 22)
	f.putSSEC(t, "mp/source", source, sourceKey)
	withKey := func(in *s3.UploadPartInput) *s3.UploadPartInput {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(key.b64), aws.String(key.md5)
		return in
	}

	create, err := f.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mp/object"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
	if err != nil {
		t.Fatal(err)
	}
	wantSSECPair(t, rawHeader(t, create.ResultMetadata), &key)
	part1 := randomBytes(5<<20, 23)
	up1, err := f.client.UploadPart(ctx, withKey(&s3.UploadPartInput{Bucket: aws.String("ssec"), Key: aws.String("mp/object"), UploadId: create.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(part1)}))
	if err != nil {
		t.Fatal(err)
	}
	wantSSECPair(t, rawHeader(t, up1.ResultMetadata), &key)
	up2, err := f.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("ssec"), Key: aws.String("mp/object"), UploadId: create.UploadId,
		PartNumber: aws.Int32(2), CopySource: aws.String("ssec/mp/source"), CopySourceRange: aws.String("bytes=0-99999"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(sourceKey.b64), CopySourceSSECustomerKeyMD5: aws.String(sourceKey.md5),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
	if err != nil {
		t.Fatal(err)
	}
	wantSSECPair(t, rawHeader(t, up2.ResultMetadata), &key)

	// ListParts needs no key.
	parts, err := f.client.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("ssec"), Key: aws.String("mp/object"), UploadId: create.UploadId})
	if err != nil || len(parts.Parts) != 2 {
		t.Fatalf("ListParts: %v %+v", err, parts)
	}
	done, err := f.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mp/object"), UploadId: create.UploadId,
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: up1.ETag}, {PartNumber: aws.Int32(2), ETag: up2.CopyPartResult.ETag},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	h := rawHeader(t, done.ResultMetadata)
	wantSSECPair(t, h, nil) // Complete reports no SSE-C pair (spec §3.3) ...
	if h.Get(hdrSSE) != "" {
		t.Fatalf("... and no %s: %v", hdrSSE, h) // ... nor the SSE-S3 header of another type
	}
	if !strings.HasSuffix(aws.ToString(done.ETag), `-2"`) {
		t.Fatalf("multipart ETag %s", aws.ToString(done.ETag))
	}
	want := append(append([]byte{}, part1...), source[:100000]...)
	get, body, err := f.ssecGet(t, "mp/object", key)
	if err != nil || !bytes.Equal(body, want) || aws.ToString(get.ETag) != aws.ToString(done.ETag) {
		t.Fatalf("GET of the completed object: %v, %d bytes", err, len(body))
	}
	wantSSECPair(t, rawHeader(t, get.ResultMetadata), &key)
	head, err := f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String("mp/object"), PartNumber: aws.Int32(2),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
	if err != nil || aws.ToInt64(head.ContentLength) != 100000 || aws.ToInt32(head.PartsCount) != 2 {
		t.Fatalf("HEAD of part 2: %v %+v", err, head)
	}
	_, err = f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("mp/object")})
	wantAPIError(t, err, "InvalidRequest", msgSSECRequired)

	// Complete without the key (spec §3.2: required only with checksums or
	// a policy demanding it).
	second, err := f.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mp/keyless-complete"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
	if err != nil {
		t.Fatal(err)
	}
	small := randomBytes(1000, 24)
	only, err := f.client.UploadPart(ctx, withKey(&s3.UploadPartInput{Bucket: aws.String("ssec"), Key: aws.String("mp/keyless-complete"), UploadId: second.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(small)}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mp/keyless-complete"), UploadId: second.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: only.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	if _, body, err := f.ssecGet(t, "mp/keyless-complete", key); err != nil || !bytes.Equal(body, small) {
		t.Fatalf("GET after a keyless Complete: %v", err)
	}
	f.noKeyMaterial(t, key, sourceKey)
}

// TestSSECCopy copies in all four directions (SSE-C to SSE-C with a new
// key, SSE-C to SSE-S3 and SSE-KMS, and back), and rotates a key by
// copying an object onto itself.
func TestSSECCopy(t *testing.T) {
	f := newSSECFixture(t)
	ctx := context.Background()
	oldKey, newKey := newSSECKey(30), newSSECKey(31)
	data := randomBytes(200<<10, 32)
	kinds := map[string]func(in *s3.PutObjectInput){
		"SSE-C": func(in *s3.PutObjectInput) {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(oldKey.b64), aws.String(oldKey.md5)
		},
		"SSE-S3":  func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAes256 },
		"SSE-KMS": func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAwsKms },
	}
	for name, set := range kinds {
		in := &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("from/" + name), Body: bytes.NewReader(data)}
		set(in)
		if _, err := f.client.PutObject(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		from    string
		to      types.ServerSideEncryption // "" with toSSEC false: the bucket default
		toSSEC  bool
		wantMD5 bool // the copy's ETag is the data's MD5
	}{
		{from: "SSE-C", toSSEC: true},
		{from: "SSE-C", to: "", wantMD5: true},
		{from: "SSE-C", to: types.ServerSideEncryptionAwsKms},
		{from: "SSE-S3", toSSEC: true},
		{from: "SSE-KMS", toSSEC: true},
	}
	for _, tc := range cases {
		target := map[bool]string{true: "SSE-C", false: string(tc.to)}[tc.toSSEC]
		t.Run(tc.from+" to "+target, func(t *testing.T) {
			dest := "to/" + tc.from + "-" + target
			in := &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String(dest), CopySource: aws.String("ssec/from/" + tc.from), ServerSideEncryption: tc.to}
			if tc.from == "SSE-C" {
				in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = aws.String("AES256"), aws.String(oldKey.b64), aws.String(oldKey.md5)
			}
			if tc.toSSEC {
				in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(newKey.b64), aws.String(newKey.md5)
			}
			out, err := f.client.CopyObject(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			h := rawHeader(t, out.ResultMetadata)
			if tc.toSSEC {
				wantSSECPair(t, h, &newKey)
				if _, body, err := f.ssecGet(t, dest, newKey); err != nil || !bytes.Equal(body, data) {
					t.Fatalf("GET with the new key: %v", err)
				}
				if tc.from == "SSE-C" {
					_, _, err := f.ssecGet(t, dest, oldKey)
					wantAPIError(t, err, "AccessDenied", msgSSECWrongKey)
				}
				return
			}
			wantSSECPair(t, h, nil)
			wantSSE := tc.to
			if wantSSE == "" {
				wantSSE = types.ServerSideEncryptionAes256
			}
			if out.ServerSideEncryption != wantSSE {
				t.Fatalf("copy is %q, want %q", out.ServerSideEncryption, wantSSE)
			}
			if got := aws.ToString(out.CopyObjectResult.ETag) == `"`+md5Hex(data)+`"`; got != tc.wantMD5 {
				t.Fatalf("ETag %s: MD5 %v, want %v", aws.ToString(out.CopyObjectResult.ETag), got, tc.wantMD5)
			}
			get, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String(dest)})
			if err != nil || !bytes.Equal(readAll(t, get.Body), data) || get.ServerSideEncryption != wantSSE {
				t.Fatalf("GET of the copy: %v", err)
			}
		})
	}

	t.Run("rotate a key in place", func(t *testing.T) {
		put := f.putSSEC(t, "rotating", data, oldKey)
		out, err := f.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String("rotating"), CopySource: aws.String("ssec/rotating"),
			CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(oldKey.b64), CopySourceSSECustomerKeyMD5: aws.String(oldKey.md5),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(newKey.b64), SSECustomerKeyMD5: aws.String(newKey.md5)})
		if err != nil {
			t.Fatal(err)
		}
		wantSSECPair(t, rawHeader(t, out.ResultMetadata), &newKey)
		if aws.ToString(out.CopyObjectResult.ETag) != aws.ToString(put.ETag) {
			t.Fatalf("re-wrapping changed the ETag: %s, was %s", aws.ToString(out.CopyObjectResult.ETag), aws.ToString(put.ETag))
		}
		get, body, err := f.ssecGet(t, "rotating", newKey)
		if err != nil || !bytes.Equal(body, data) || aws.ToString(get.ETag) != aws.ToString(put.ETag) {
			t.Fatalf("GET with the new key: %v", err)
		}
		_, _, err = f.ssecGet(t, "rotating", oldKey)
		wantAPIError(t, err, "AccessDenied", msgSSECWrongKey)
	})
	f.noKeyMaterial(t, oldKey, newKey)
}

// TestSSECPresigned uses presigned URLs that carry SSE-C as signed headers
// (aws-sdk-go-v2's presigner), and refuses x-amz-* headers a presigned URL
// did not sign (spec §3.4, last row).
func TestSSECPresigned(t *testing.T) {
	f := newSSECFixture(t)
	ctx := context.Background()
	key, other := newSSECKey(40), newSSECKey(41)
	presigner := s3.NewPresignClient(f.client)
	data := []byte("sent to a presigned URL")
	send := func(t *testing.T, method, target string, signed http.Header, extra map[string]string, body []byte) (*http.Response, []byte) {
		t.Helper()
		r, err := http.NewRequest(method, target, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body == nil {
			r.Body = http.NoBody
		}
		for name, values := range signed {
			if !strings.EqualFold(name, "Host") {
				r.Header[name] = values
			}
		}
		for name, value := range extra {
			r.Header.Set(name, value)
		}
		return do(t, f.env.server.Client(), r)
	}

	put, err := presigner.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("presigned"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(put.URL)
	if err != nil || !strings.Contains(u.Query().Get("X-Amz-SignedHeaders"), hdrSSECKey) {
		t.Fatalf("the SDK did not sign the SSE-C headers: %s", u.Query().Get("X-Amz-SignedHeaders"))
	}
	resp, body := send(t, put.Method, put.URL, put.SignedHeader, nil, data)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %d %s", resp.StatusCode, body)
	}
	wantSSECPair(t, resp.Header, &key)

	get, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("presigned"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
	if err != nil {
		t.Fatal(err)
	}
	resp, body = send(t, get.Method, get.URL, get.SignedHeader, nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("presigned GET: %d %s", resp.StatusCode, body)
	}
	wantSSECPair(t, resp.Header, &key)

	plainGet, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("presigned")})
	if err != nil {
		t.Fatal(err)
	}
	plainPut, err := presigner.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("presigned-plain")})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		method   string
		target   string
		signed   http.Header
		extra    map[string]string
		body     []byte
		status   int
		code     string
		message  string
		unsigned string // HeadersNotSigned, when set
	}{
		{name: "unsigned SSE-C headers added", method: "GET", target: plainGet.URL, signed: plainGet.SignedHeader, extra: key.headers(objectSSEC),
			status: 403, code: "AccessDenied", message: msgNotSigned,
			unsigned: "x-amz-server-side-encryption-customer-algorithm, x-amz-server-side-encryption-customer-key, x-amz-server-side-encryption-customer-key-md5"},
		{name: "unsigned SSE header added to a PUT", method: "PUT", target: plainPut.URL, signed: plainPut.SignedHeader, extra: map[string]string{hdrSSE: "AES256"}, body: data,
			status: 403, code: "AccessDenied", message: msgNotSigned, unsigned: hdrSSE},
		{name: "unsigned SSE-C headers added to a PUT", method: "PUT", target: plainPut.URL, signed: plainPut.SignedHeader, extra: other.headers(objectSSEC), body: data,
			status: 403, code: "AccessDenied", message: msgNotSigned},
		{name: "signed SSE-C headers left out", method: "GET", target: get.URL, status: 403, code: "SignatureDoesNotMatch"},
		{name: "another key than the signed one", method: "GET", target: get.URL, signed: get.SignedHeader, extra: other.headers(objectSSEC),
			status: 403, code: "SignatureDoesNotMatch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := send(t, tc.method, tc.target, tc.signed, tc.extra, tc.body)
			var doc struct{ Code, Message, HeadersNotSigned string }
			if resp.StatusCode != tc.status || decodeXML(body, &doc) != nil || doc.Code != tc.code || (tc.message != "" && doc.Message != tc.message) {
				t.Fatalf("%d %s, want %d %s %q", resp.StatusCode, body, tc.status, tc.code, tc.message)
			}
			if tc.unsigned != "" && doc.HeadersNotSigned != tc.unsigned {
				t.Fatalf("HeadersNotSigned %q, want %q", doc.HeadersNotSigned, tc.unsigned)
			}
			if bytes.Contains(body, []byte(key.b64)) || bytes.Contains(body, []byte(other.b64)) {
				t.Fatal("the error echoes a customer key")
			}
		})
	}
	_, err = f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String("presigned-plain")})
	wantCode(t, err, "NotFound")
	f.noKeyMaterial(t, key, other)
}

// ssecPolicyForm signs, with minio-go, a POST policy for bucket/key whose
// conditions pin the x-amz-* fields signed (an SSE-C trio, say), and
// returns the form's fields, overridden by extra.
func ssecPolicyForm(t *testing.T, env *testEnv, bucket, key string, signed, extra map[string]string) map[string]string {
	t.Helper()
	policy := minio.NewPostPolicy()
	errs := []error{policy.SetBucket(bucket), policy.SetKey(key), policy.SetExpires(time.Now().UTC().Add(10 * time.Minute))}
	// Conditions in name order, so that which one fails first, and so the
	// error text, does not depend on map iteration.
	for _, name := range slices.Sorted(maps.Keys(signed)) {
		errs = append(errs, policy.SetUserData(strings.TrimPrefix(name, "x-amz-"), signed[name]))
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	_, form, err := minioClient(t, env, false).PresignedPostPolicy(context.Background(), policy)
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range extra {
		form[name] = value
	}
	return form
}

// TestSSECPostObject uploads through a browser form whose fields carry the
// SSE-C trio; a failed condition on the key never quotes it.
func TestSSECPostObject(t *testing.T) {
	f := newSSECFixture(t)
	ctx := context.Background()
	key, other := newSSECKey(50), newSSECKey(51)
	target := f.env.url("/ssec")

	resp, body := do(t, f.env.server.Client(), formRequest(t, target, ssecPolicyForm(t, f.env, "ssec", "form", key.headers(objectSSEC), nil), "f.txt", []byte("form data")))
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	wantSSECPair(t, resp.Header, &key)
	if _, got, err := f.ssecGet(t, "form", key); err != nil || string(got) != "form data" {
		t.Fatalf("GET of the form upload: %v", err)
	}
	_, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("form")})
	wantAPIError(t, err, "InvalidRequest", msgSSECRequired)

	cases := []errorCase{
		{name: "another key than the policy's", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, ssecPolicyForm(t, f.env, "ssec", "form-other", key.headers(objectSSEC), other.headers(objectSSEC)), "f", []byte("x"))
		}, status: 403, code: "AccessDenied",
			message: `Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-server-side-encryption-customer-key", "*****"]`},
		{name: "another MD5 than the policy's", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, ssecPolicyForm(t, f.env, "ssec", "form-other", key.headers(objectSSEC), map[string]string{hdrSSECKeyMD5: other.md5}), "f", []byte("x"))
		}, status: 403, code: "AccessDenied",
			message: `Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-server-side-encryption-customer-key-MD5", "*****"]`},
		{name: "SSE with SSE-C", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, ssecPolicyForm(t, f.env, "ssec", "form-other", headerSet(key.headers(objectSSEC), map[string]string{hdrSSE: "AES256"}), nil), "f", []byte("x"))
		}, status: 400, code: "InvalidArgument", message: msgSSECIncompatible, checkDoc: argument(hdrSSE, "AES256")},
		{name: "SSE-C fields the policy does not cover", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, ssecPolicyForm(t, f.env, "ssec", "form-other", nil, key.headers(objectSSEC)), "f", []byte("x"))
		}, status: 403, code: "AccessDenied", message: "Invalid according to Policy: Extra input fields: " + hdrSSECAlgorithm},
		{name: "no MD5", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, ssecPolicyForm(t, f.env, "ssec", "form-other", map[string]string{hdrSSECAlgorithm: "AES256", hdrSSECKey: key.b64}, nil), "f", []byte("x"))
		}, status: 400, code: "InvalidArgument", message: msgSSECNoMD5},
	}
	runErrorCases(t, f.env, cases)
	_, err = f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String("form-other")})
	wantCode(t, err, "NotFound")
	f.noKeyMaterial(t, key, other)
}

// TestSSECBlockedEncryptionTypes blocks SSE-C on a bucket: every SSE-C
// write (PUT, copy, POST, multipart) gets 403 while existing SSE-C objects
// stay readable and other writes work; NONE or a reset lifts the block.
func TestSSECBlockedEncryptionTypes(t *testing.T) {
	f := newSSECFixture(t)
	ctx := context.Background()
	key := newSSECKey(60)
	data := randomBytes(1000, 61)
	f.putSSEC(t, "before", data, key)
	if _, err := f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("plain"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	setBlocked := func(t *testing.T, blocked ...types.EncryptionType) {
		t.Helper()
		_, err := f.client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("ssec"),
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
				BlockedEncryptionTypes:             &types.BlockedEncryptionTypes{EncryptionType: blocked},
			}}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := blockedTypes(t, f.client, "ssec"); len(got) != len(blocked) || (len(got) > 0 && got[0] != blocked[0]) {
			t.Fatalf("blocked types %v, want %v", got, blocked)
		}
	}
	sseC := func(k ssecKey) (*string, *string, *string) {
		return aws.String("AES256"), aws.String(k.b64), aws.String(k.md5)
	}
	writes := []struct {
		name string
		do   func() error
	}{
		{"PutObject", func() error {
			in := &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("blocked"), Body: bytes.NewReader(data)}
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = sseC(key)
			_, err := f.client.PutObject(ctx, in)
			return err
		}},
		{"CopyObject to SSE-C", func() error {
			in := &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String("blocked"), CopySource: aws.String("ssec/plain")}
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = sseC(key)
			_, err := f.client.CopyObject(ctx, in)
			return err
		}},
		{"CopyObject re-keying SSE-C", func() error {
			in := &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String("before"), CopySource: aws.String("ssec/before")}
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = sseC(newSSECKey(62))
			in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = sseC(key)
			_, err := f.client.CopyObject(ctx, in)
			return err
		}},
		{"CreateMultipartUpload", func() error {
			in := &s3.CreateMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("blocked")}
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = sseC(key)
			_, err := f.client.CreateMultipartUpload(ctx, in)
			return err
		}},
		{"POST Object", func() error {
			resp, body := do(t, f.env.server.Client(), formRequest(t, f.env.url("/ssec"), ssecPolicyForm(t, f.env, "ssec", "blocked", key.headers(objectSSEC), nil), "f", data))
			var doc struct{ Code, Message string }
			if resp.StatusCode == http.StatusNoContent {
				return nil
			}
			if err := decodeXML(body, &doc); err != nil {
				return err
			}
			return &smithy.GenericAPIError{Code: doc.Code, Message: doc.Message}
		}},
	}

	setBlocked(t, types.EncryptionTypeSseC)
	for _, w := range writes {
		t.Run("blocked "+w.name, func(t *testing.T) {
			wantAPIError(t, w.do(), "AccessDenied", msgSSECBlocked)
		})
	}
	_, err := f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String("blocked")})
	wantCode(t, err, "NotFound")
	uploads, err := f.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("ssec")})
	if err != nil || len(uploads.Uploads) != 0 {
		t.Fatalf("a blocked CreateMultipartUpload left an upload: %v %+v", err, uploads)
	}
	// Reads of SSE-C objects, and writes of other types, still work.
	if _, body, err := f.ssecGet(t, "before", key); err != nil || !bytes.Equal(body, data) {
		t.Fatalf("GET of an existing SSE-C object on a blocking bucket: %v", err)
	}
	in := &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String("decrypted"), CopySource: aws.String("ssec/before")}
	in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = sseC(key)
	if _, err := f.client.CopyObject(ctx, in); err != nil {
		t.Fatalf("copying an SSE-C object out to SSE-S3: %v", err)
	}
	if _, err := f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("sse-s3"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}

	setBlocked(t, types.EncryptionTypeNone)
	for _, w := range writes {
		t.Run("unblocked "+w.name, func(t *testing.T) {
			if err := w.do(); err != nil {
				t.Fatal(err)
			}
		})
	}
	f.noKeyMaterial(t, key)
}

// TestSSECBlockedByDefault: with sse.Options.BlockSSECByDefault (serve
// --block-sse-c-by-default) a new bucket blocks SSE-C until its owner
// lifts the block.
func TestSSECBlockedByDefault(t *testing.T) {
	f := newSSECFixture(t, blockingSSECByDefault())
	ctx := context.Background()
	key := newSSECKey(70)
	if got := blockedTypes(t, f.client, "ssec"); len(got) != 1 || got[0] != types.EncryptionTypeSseC {
		t.Fatalf("a new bucket blocks %v, want [SSE-C]", got)
	}
	put := func() error {
		_, err := f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k"), Body: stringsReader("x"),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
		return err
	}
	wantAPIError(t, put(), "AccessDenied", msgSSECBlocked)
	if _, err := f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("plain"), Body: stringsReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err := f.client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("ssec"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
			BlockedEncryptionTypes:             &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeNone}},
		}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := put(); err != nil {
		t.Fatalf("PUT after unblocking: %v", err)
	}
	// A reset goes back to the server's choice, not around it.
	if _, err := f.client.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("ssec")}); err != nil {
		t.Fatal(err)
	}
	if got := blockedTypes(t, f.client, "ssec"); len(got) != 1 || got[0] != types.EncryptionTypeSseC {
		t.Fatalf("a reset bucket blocks %v, want [SSE-C]", got)
	}
	wantAPIError(t, put(), "AccessDenied", msgSSECBlocked)
}

// decodeXML reads an XML body (an error document, say).
func decodeXML(body []byte, v any) error { return xml.Unmarshal(body, v) }
