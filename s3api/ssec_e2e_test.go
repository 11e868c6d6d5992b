package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The public texts of spec §3.4 that s3api does not already name.
const (
	msgSSECRequired      = "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."
	msgSSECWrongKey      = "Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key."
	msgSSECNotApplicable = "The encryption parameters are not applicable to this object."
	msgUploadKeyPresence = "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters."
	msgUploadKeyMismatch = "The provided encryption parameters did not match the ones used originally."
	msgSSECBlocked       = "This request was rejected because this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please specify a different server-side encryption type"
	msgBadAlgorithm      = "The Encryption request you specified is not valid. Supported value: AES256."
	msgNotSigned         = "There were headers present in the request which were not signed"
)

// ssecKey is a customer key as its owner holds it.
type ssecKey struct {
	raw      []byte
	b64, md5 string
}

func newSSECKey(seed int64) ssecKey {
	raw := randomBytes(32, seed)
	return ssecKey{raw: raw, b64: b64(raw), md5: md5b64(raw)}
}

// headers is the SSE-C trio, for the object itself (objectSSEC) or for a
// copy source (copySourceSSEC).
func (k ssecKey) headers(names ssecHeaders) map[string]string {
	return map[string]string{names.algorithm: "AES256", names.key: k.b64, names.keyMD5: k.md5}
}

// secrets are the forms of the key that must never reach a log line, an
// audit record or the disk: the key (hex, base64) and its MD5.
func (k ssecKey) secrets() []string {
	sum := md5.Sum(k.raw)
	return []string{hex.EncodeToString(k.raw), k.b64, k.md5, hex.EncodeToString(sum[:])}
}

// headerSet merges header maps; later ones win.
func headerSet(sets ...map[string]string) map[string]string {
	h := map[string]string{}
	for _, s := range sets {
		maps.Copy(h, s)
	}
	return h
}

// ssecFixture is a TLS endpoint (a fake KMS behind SSE-KMS, every audit
// event recorded) with a bucket "ssec", and a plain-HTTP listener serving
// the same handler over the same store.
type ssecFixture struct {
	env     *testEnv
	plain   *testEnv // only server is set
	client  *s3.Client
	auditor *recordingAuditor
}

func newSSECFixture(t *testing.T, opts ...envOption) *ssecFixture {
	t.Helper()
	auditor := &recordingAuditor{}
	env := newTestEnv(t, append([]envOption{withKMS(newFakeKMS()), withAuditor(auditor)}, opts...)...)
	plain := httptest.NewServer(env.server.Config.Handler)
	t.Cleanup(plain.Close)
	f := &ssecFixture{env: env, plain: &testEnv{server: plain}, client: env.sdk(t), auditor: auditor}
	createBucket(t, f.client, "ssec")
	return f
}

// blockingSSECByDefault makes new buckets refuse SSE-C writes.
func blockingSSECByDefault() envOption {
	return func(s *envSettings) { s.sse.BlockSSECByDefault = true }
}

// noKeyMaterial fails when any form of the keys reached the log or the
// audit trail.
func (f *ssecFixture) noKeyMaterial(t *testing.T, keys ...ssecKey) {
	t.Helper()
	f.auditor.mu.Lock()
	events, err := json.Marshal(f.auditor.events)
	f.auditor.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	logs := f.env.logs.String()
	for _, k := range keys {
		for _, secret := range k.secrets() {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds customer key material %q", secret)
			}
			if bytes.Contains(events, []byte(secret)) {
				t.Errorf("the audit trail holds customer key material %q", secret)
			}
		}
	}
}

// putSSEC stores data under key with the customer key k.
func (f *ssecFixture) putSSEC(t *testing.T, key string, data []byte, k ssecKey) *s3.PutObjectOutput {
	t.Helper()
	out, err := f.client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("ssec"), Key: aws.String(key), Body: bytes.NewReader(data),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5),
	})
	if err != nil {
		t.Fatalf("PUT %s: %v", key, err)
	}
	return out
}

// rawHeader is the HTTP header of the response an SDK call got.
func rawHeader(t *testing.T, md middleware.Metadata) http.Header {
	t.Helper()
	resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		t.Fatal("no raw response in the SDK's metadata")
	}
	return resp.Header
}

// wantSSECPair checks a response's encryption headers: the SSE-C pair with
// k's MD5 and never x-amz-server-side-encryption when k is set; no SSE-C
// header at all when it is nil.
func wantSSECPair(t *testing.T, h http.Header, k *ssecKey) {
	t.Helper()
	if k == nil {
		if h.Get(hdrSSECAlgorithm) != "" || h.Get(hdrSSECKeyMD5) != "" {
			t.Fatalf("SSE-C headers where none belong: %v", h)
		}
		return
	}
	if h.Get(hdrSSECAlgorithm) != "AES256" || h.Get(hdrSSECKeyMD5) != k.md5 || h.Get(hdrSSE) != "" {
		t.Fatalf("encryption headers %q %q %q, want AES256, the key's MD5 and no %s",
			h.Get(hdrSSECAlgorithm), h.Get(hdrSSECKeyMD5), h.Get(hdrSSE), hdrSSE)
	}
	if h.Get(hdrSSECKey) != "" {
		t.Fatal("the response echoes the customer key")
	}
}

// argument checks an error document's ArgumentName (and ArgumentValue,
// unless value is "*").
func argument(name, value string) func(*testing.T, errorBody) {
	return func(t *testing.T, doc errorBody) {
		t.Helper()
		if doc.ArgumentName != name || (value != "*" && doc.ArgumentValue != value) {
			t.Fatalf("ArgumentName %q ArgumentValue %q, want %q %q", doc.ArgumentName, doc.ArgumentValue, name, value)
		}
	}
}

// completeDoc is a CompleteMultipartUpload document for parts 1..n.
func completeDoc(etags ...string) []byte {
	var b strings.Builder
	b.WriteString("<CompleteMultipartUpload>")
	for i, etag := range etags {
		b.WriteString("<Part><PartNumber>" + strconv.Itoa(i+1) + "</PartNumber><ETag>" + etag + "</ETag></Part>")
	}
	b.WriteString("</CompleteMultipartUpload>")
	return []byte(b.String())
}

// TestSSECErrors drives every SSE-C row of spec §3.4 through raw signed
// requests over HTTPS, in the validation order S3 applies, and checks that
// no refused write stored anything.
func TestSSECErrors(t *testing.T) {
	f := newSSECFixture(t)
	ctx := context.Background()
	keyA, keyB := newSSECKey(1), newSSECKey(2)
	a, b := keyA.headers(objectSSEC), keyB.headers(objectSSEC)
	srcA, srcB := keyA.headers(copySourceSSEC), keyB.headers(copySourceSSEC)
	short := []byte("0123456789")
	doubled := []byte(keyA.b64) // botocore's double encoding: the base64 text taken as the key
	f.putSSEC(t, "obj", []byte("customer data"), keyA)
	f.putSSEC(t, "empty", nil, keyA)
	if _, err := f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("plain"), Body: stringsReader("plain data")}); err != nil {
		t.Fatal(err)
	}
	upload, err := f.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mpu"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(keyA.b64), SSECustomerKeyMD5: aws.String(keyA.md5)})
	if err != nil {
		t.Fatal(err)
	}
	part, err := f.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ssec"), Key: aws.String("mpu"), UploadId: upload.UploadId,
		PartNumber: aws.Int32(1), Body: stringsReader("last part"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(keyA.b64), SSECustomerKeyMD5: aws.String(keyA.md5)})
	if err != nil {
		t.Fatal(err)
	}
	plainUpload, err := f.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mpu-plain")})
	if err != nil {
		t.Fatal(err)
	}
	partPath := "/ssec/mpu?partNumber=2&uploadId=" + aws.ToString(upload.UploadId)
	plainPartPath := "/ssec/mpu-plain?partNumber=1&uploadId=" + aws.ToString(plainUpload.UploadId)
	attributes := map[string]string{"x-amz-object-attributes": "ETag,ObjectSize"}
	copyFrom := func(src string) map[string]string { return map[string]string{hdrCopySource: src} }
	trio := func(alg string, key []byte, sum string) map[string]string {
		h := map[string]string{}
		for name, v := range map[string]string{hdrSSECAlgorithm: alg, hdrSSECKey: b64(key), hdrSSECKeyMD5: sum} {
			if v != "" {
				h[name] = v
			}
		}
		return h
	}
	sseArg := func(value string) func(*testing.T, errorBody) { return argument(hdrSSE, value) }

	cases := []errorCase{
		// Validation, in S3's order (spec §3.4): SSE with SSE-C first.
		{name: "SSE and SSE-C", method: "PUT", path: "/ssec/new", body: []byte("x"), header: headerSet(a, map[string]string{hdrSSE: "AES256"}),
			status: 400, code: "InvalidArgument", message: msgSSECIncompatible, checkDoc: sseArg("AES256")},
		{name: "SSE and SSE-C before the algorithm", method: "PUT", path: "/ssec/new", body: []byte("x"),
			header: headerSet(a, map[string]string{hdrSSE: "aws:kms", hdrSSECAlgorithm: "AES512"}),
			status: 400, code: "InvalidArgument", message: msgSSECIncompatible, checkDoc: sseArg("aws:kms")},
		{name: "unknown algorithm", method: "PUT", path: "/ssec/new", body: []byte("x"), header: headerSet(a, map[string]string{hdrSSECAlgorithm: "AES512"}),
			status: 400, code: "InvalidEncryptionAlgorithmError", message: msgBadAlgorithm, checkDoc: sseArg("AES512")},
		{name: "unknown algorithm without a key", method: "PUT", path: "/ssec/new", body: []byte("x"), header: map[string]string{hdrSSECAlgorithm: "aws:kms"},
			status: 400, code: "InvalidEncryptionAlgorithmError", message: msgBadAlgorithm, checkDoc: sseArg("aws:kms")},
		{name: "key and MD5 without algorithm", method: "PUT", path: "/ssec/new", body: []byte("x"), header: trio("", keyA.raw, keyA.md5),
			status: 400, code: "InvalidArgument", message: msgSSECNoAlgorithm, checkDoc: sseArg("*")},
		{name: "MD5 alone", method: "PUT", path: "/ssec/new", body: []byte("x"), header: map[string]string{hdrSSECKeyMD5: keyA.md5},
			status: 400, code: "InvalidArgument", message: msgSSECNoAlgorithm, checkDoc: sseArg("*")},
		{name: "algorithm and MD5 without key", method: "PUT", path: "/ssec/new", body: []byte("x"), header: map[string]string{hdrSSECAlgorithm: "AES256", hdrSSECKeyMD5: keyA.md5},
			status: 400, code: "InvalidArgument", message: msgSSECNoKey},
		{name: "algorithm alone", method: "PUT", path: "/ssec/new", body: []byte("x"), header: map[string]string{hdrSSECAlgorithm: "AES256"},
			status: 400, code: "InvalidArgument", message: msgSSECNoKey},
		{name: "no MD5", method: "PUT", path: "/ssec/new", body: []byte("x"), header: trio("AES256", keyA.raw, ""),
			status: 400, code: "InvalidArgument", message: msgSSECNoMD5},
		{name: "MD5 of another key", method: "PUT", path: "/ssec/new", body: []byte("x"), header: headerSet(a, map[string]string{hdrSSECKeyMD5: keyB.md5}),
			status: 400, code: "InvalidArgument", message: msgSSECBadMD5, checkDoc: sseArg("*")},
		{name: "MD5 not base64", method: "PUT", path: "/ssec/new", body: []byte("x"), header: headerSet(a, map[string]string{hdrSSECKeyMD5: "not base64!"}),
			status: 400, code: "InvalidArgument", message: msgSSECBadMD5},
		{name: "MD5 checked before length", method: "PUT", path: "/ssec/new", body: []byte("x"), header: trio("AES256", short, keyA.md5),
			status: 400, code: "InvalidArgument", message: msgSSECBadMD5},
		{name: "10-byte key", method: "PUT", path: "/ssec/new", body: []byte("x"), header: trio("AES256", short, md5b64(short)),
			status: 400, code: "InvalidArgument", message: msgSSECBadKey},
		{name: "double-encoded key", method: "PUT", path: "/ssec/new", body: []byte("x"), header: trio("AES256", doubled, md5b64(doubled)),
			status: 400, code: "InvalidArgument", message: msgSSECBadKey},
		{name: "key not base64", method: "PUT", path: "/ssec/new", body: []byte("x"), header: headerSet(a, map[string]string{hdrSSECKey: "*not base64*"}),
			status: 400, code: "InvalidArgument", message: msgSSECBadKey},
		{name: "CreateMultipartUpload without MD5", method: "POST", path: "/ssec/new?uploads", header: trio("AES256", keyA.raw, ""),
			status: 400, code: "InvalidArgument", message: msgSSECNoMD5},

		// Reads.
		{name: "GET unknown algorithm", method: "GET", path: "/ssec/obj", header: headerSet(a, map[string]string{hdrSSECAlgorithm: "AES512"}),
			status: 400, code: "InvalidEncryptionAlgorithmError", message: msgBadAlgorithm, checkDoc: sseArg("AES512")},
		{name: "GET 10-byte key", method: "GET", path: "/ssec/obj", header: trio("AES256", short, md5b64(short)),
			status: 400, code: "InvalidArgument", message: msgSSECBadKey},
		{name: "GET double-encoded key (botocore without an MD5)", method: "GET", path: "/ssec/obj", header: trio("AES256", doubled, md5b64(doubled)),
			status: 403, code: "AccessDenied", message: msgSSECWrongKey},
		{name: "HEAD double-encoded key", method: "HEAD", path: "/ssec/obj", header: trio("AES256", doubled, md5b64(doubled)), status: 403},
		{name: "GET MD5 of another key", method: "GET", path: "/ssec/obj", header: headerSet(a, map[string]string{hdrSSECKeyMD5: keyB.md5}),
			status: 400, code: "InvalidArgument", message: msgSSECBadMD5},
		{name: "GET without key", method: "GET", path: "/ssec/obj", status: 400, code: "InvalidRequest", message: msgSSECRequired},
		{name: "HEAD without key", method: "HEAD", path: "/ssec/obj", status: 400},
		{name: "GetObjectAttributes without key", method: "GET", path: "/ssec/obj?attributes", header: attributes,
			status: 400, code: "InvalidRequest", message: msgSSECRequired},
		{name: "GET with a wrong key", method: "GET", path: "/ssec/obj", header: b, status: 403, code: "AccessDenied", message: msgSSECWrongKey},
		{name: "HEAD with a wrong key", method: "HEAD", path: "/ssec/obj", header: b, status: 403},
		{name: "ranged GET with a wrong key", method: "GET", path: "/ssec/obj", header: headerSet(b, map[string]string{"Range": "bytes=2-5"}),
			status: 403, code: "AccessDenied", message: msgSSECWrongKey},
		{name: "part GET with a wrong key", method: "GET", path: "/ssec/obj?partNumber=1", header: b, status: 403, code: "AccessDenied", message: msgSSECWrongKey},
		{name: "GetObjectAttributes with a wrong key", method: "GET", path: "/ssec/obj?attributes", header: headerSet(attributes, b),
			status: 403, code: "AccessDenied", message: msgSSECWrongKey},
		{name: "GET zero bytes with a wrong key", method: "GET", path: "/ssec/empty", header: b, status: 403, code: "AccessDenied", message: msgSSECWrongKey},
		{name: "HEAD zero bytes with a wrong key", method: "HEAD", path: "/ssec/empty", header: b, status: 403},
		{name: "HEAD zero bytes without key", method: "HEAD", path: "/ssec/empty", status: 400},
		{name: "GET of a non-SSE-C object with a key", method: "GET", path: "/ssec/plain", header: a,
			status: 400, code: "InvalidRequest", message: msgSSECNotApplicable},
		{name: "HEAD of a non-SSE-C object with a key", method: "HEAD", path: "/ssec/plain", header: a, status: 400},
		{name: "GET with x-amz-server-side-encryption", method: "GET", path: "/ssec/obj", header: headerSet(a, map[string]string{hdrSSE: "AES256"}),
			status: 400, code: "InvalidArgument", message: msgSSENotForOp},
		{name: "GET of a missing object with a key", method: "GET", path: "/ssec/missing", header: a, status: 404, code: "NoSuchKey"},

		// Copies: the source's key travels in the copy-source trio.
		{name: "copy without the source's key", method: "PUT", path: "/ssec/copied", header: copyFrom("ssec/obj"),
			status: 400, code: "InvalidRequest", message: msgSSECRequired},
		{name: "copy with the source's key as the destination's", method: "PUT", path: "/ssec/copied", header: headerSet(copyFrom("ssec/obj"), a),
			status: 400, code: "InvalidRequest", message: msgSSECRequired},
		{name: "copy with a wrong source key", method: "PUT", path: "/ssec/copied", header: headerSet(copyFrom("ssec/obj"), srcB),
			status: 403, code: "AccessDenied", message: msgSSECWrongKey},
		{name: "copy with a source key for a non-SSE-C source", method: "PUT", path: "/ssec/copied", header: headerSet(copyFrom("ssec/plain"), srcA),
			status: 400, code: "InvalidRequest", message: msgSSECNotApplicable},
		{name: "copy with an unknown source algorithm", method: "PUT", path: "/ssec/copied",
			header: headerSet(copyFrom("ssec/obj"), srcA, map[string]string{copySourceSSEC.algorithm: "AES512"}),
			status: 400, code: "InvalidEncryptionAlgorithmError", message: msgBadAlgorithm},
		{name: "copy with a source MD5 of another key", method: "PUT", path: "/ssec/copied",
			header: headerSet(copyFrom("ssec/obj"), srcA, map[string]string{copySourceSSEC.keyMD5: keyB.md5}),
			status: 400, code: "InvalidArgument", message: msgSSECBadMD5},
		{name: "copy to SSE and SSE-C", method: "PUT", path: "/ssec/copied", header: headerSet(copyFrom("ssec/obj"), srcA, b, map[string]string{hdrSSE: "AES256"}),
			status: 400, code: "InvalidArgument", message: msgSSECIncompatible, checkDoc: sseArg("AES256")},

		// Multipart: every part repeats the upload's key.
		{name: "part without the upload's key", method: "PUT", path: partPath, body: []byte("p"),
			status: 400, code: "InvalidRequest", message: msgUploadKeyPresence},
		{name: "part with a key for an upload without one", method: "PUT", path: plainPartPath, body: []byte("p"), header: a,
			status: 400, code: "InvalidRequest", message: msgUploadKeyPresence},
		{name: "part with another key", method: "PUT", path: partPath, body: []byte("p"), header: b,
			status: 400, code: "InvalidRequest", message: msgUploadKeyMismatch},
		{name: "part with x-amz-server-side-encryption", method: "PUT", path: partPath, body: []byte("p"), header: headerSet(a, map[string]string{hdrSSE: "AES256"}),
			status: 400, code: "InvalidArgument", message: msgSSENotForOp, checkDoc: sseArg("AES256")},
		{name: "part copy without the upload's key", method: "PUT", path: partPath, header: headerSet(copyFrom("ssec/plain")),
			status: 400, code: "InvalidRequest", message: msgUploadKeyPresence},
		{name: "part copy without the source's key", method: "PUT", path: partPath, header: headerSet(copyFrom("ssec/obj"), a),
			status: 400, code: "InvalidRequest", message: msgSSECRequired},
		{name: "part copy with a wrong source key", method: "PUT", path: partPath, header: headerSet(copyFrom("ssec/obj"), a, srcB),
			status: 403, code: "AccessDenied", message: msgSSECWrongKey},
		{name: "part copy with another key", method: "PUT", path: partPath, header: headerSet(copyFrom("ssec/obj"), srcA, b),
			status: 400, code: "InvalidRequest", message: msgUploadKeyMismatch},
		// Last: a wrongly accepted completion would end the upload.
		{name: "complete with another key", method: "POST", path: "/ssec/mpu?uploadId=" + aws.ToString(upload.UploadId),
			body: completeDoc(aws.ToString(part.ETag)), header: b, status: 400, code: "InvalidRequest", message: msgUploadKeyMismatch},
	}
	runErrorCases(t, f.env, cases)

	for _, name := range []string{"new", "copied"} {
		_, err := f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String(name)})
		wantCode(t, err, "NotFound")
	}
	parts, err := f.client.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("ssec"), Key: aws.String("mpu"), UploadId: upload.UploadId})
	if err != nil || len(parts.Parts) != 1 {
		t.Fatalf("refused parts were stored: %v %+v", err, parts)
	}
	f.noKeyMaterial(t, keyA, keyB)
}

// TestSSECOverPlainHTTP sends every kind of SSE-C request over plain HTTP:
// each is refused with 400 InvalidRequest, a valid key or not stored
// nothing, and the same server serves them over HTTPS.
func TestSSECOverPlainHTTP(t *testing.T) {
	f := newSSECFixture(t)
	ctx := context.Background()
	key := newSSECKey(3)
	trio, src := key.headers(objectSSEC), key.headers(copySourceSSEC)
	f.putSSEC(t, "obj", []byte("over TLS"), key)
	upload, err := f.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mpu"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
	if err != nil {
		t.Fatal(err)
	}
	uploadID := aws.ToString(upload.UploadId)
	insecure := func(name, method, path string, body []byte, header map[string]string) errorCase {
		return errorCase{name: name, method: method, path: path, body: body, header: header, status: 400, code: "InvalidRequest", message: msgSSECInsecure}
	}
	cases := []errorCase{
		insecure("PutObject", "PUT", "/ssec/http", []byte("x"), trio),
		insecure("GetObject", "GET", "/ssec/obj", nil, trio),
		{name: "HeadObject", method: "HEAD", path: "/ssec/obj", header: trio, status: 400},
		insecure("GetObjectAttributes", "GET", "/ssec/obj?attributes", nil, headerSet(trio, map[string]string{"x-amz-object-attributes": "ObjectSize"})),
		insecure("CreateMultipartUpload", "POST", "/ssec/http?uploads", nil, trio),
		insecure("UploadPart", "PUT", "/ssec/mpu?partNumber=1&uploadId="+uploadID, []byte("part"), trio),
		insecure("UploadPartCopy", "PUT", "/ssec/mpu?partNumber=1&uploadId="+uploadID, nil, headerSet(trio, src, map[string]string{hdrCopySource: "ssec/obj"})),
		insecure("CompleteMultipartUpload", "POST", "/ssec/mpu?uploadId="+uploadID, completeDoc(`"0"`), trio),
		insecure("CopyObject to SSE-C", "PUT", "/ssec/http", nil, headerSet(trio, map[string]string{hdrCopySource: "ssec/obj"})),
		insecure("CopyObject from SSE-C", "PUT", "/ssec/http", nil, headerSet(src, map[string]string{hdrCopySource: "ssec/obj"})),
		insecure("ListParts", "GET", "/ssec/mpu?uploadId="+uploadID, nil, trio),
		{name: "POST Object", build: func(t *testing.T, base string) *http.Request {
			return formRequest(t, base+"/ssec", ssecPolicyForm(t, f.env, "ssec", "http", key.headers(objectSSEC), nil), "f", []byte("form data"))
		}, status: 400, code: "InvalidRequest", message: msgSSECInsecure},
	}
	runErrorCases(t, f.plain, cases)

	// aws-sdk-go-v2 sends SSE-C over HTTP when asked; the server refuses.
	plainClient := s3.New(func() s3.Options {
		o := sdkOptions(f.plain.server.URL, f.plain.server.Client())
		o.UsePathStyle = true
		return o
	}())
	_, err = plainClient.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("http"), Body: stringsReader("sdk"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
	wantCode(t, err, "InvalidRequest")

	// Nothing was stored; over HTTPS the object and the upload are intact.
	_, err = f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String("http"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
	wantCode(t, err, "NotFound")
	uploads, err := f.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("ssec")})
	if err != nil || len(uploads.Uploads) != 1 || aws.ToString(uploads.Uploads[0].UploadId) != uploadID {
		t.Fatalf("uploads after the refused requests: %v %+v", err, uploads)
	}
	parts, err := f.client.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("ssec"), Key: aws.String("mpu"), UploadId: upload.UploadId})
	if err != nil || len(parts.Parts) != 0 {
		t.Fatalf("a part sent over HTTP was stored: %v %+v", err, parts)
	}
	get, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("obj"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key.b64), SSECustomerKeyMD5: aws.String(key.md5)})
	if err != nil || string(readAll(t, get.Body)) != "over TLS" {
		t.Fatalf("GET over HTTPS: %v", err)
	}
	f.noKeyMaterial(t, key)
}

// TestSSECBucketEncryptionDocuments: BlockedEncryptionTypes takes NONE or
// SSE-C, and SSE-C is no default algorithm (spec §3.7).
func TestSSECBucketEncryptionDocuments(t *testing.T) {
	f := newSSECFixture(t)
	rule := func(inner string) []byte {
		return []byte(`<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>` + inner + `</Rule></ServerSideEncryptionConfiguration>`)
	}
	aes := `<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>`
	put := func(body []byte) map[string]string { return map[string]string{"Content-MD5": md5Base64(body)} }
	cases := []errorCase{
		{name: "SSE-C as the default algorithm", method: "PUT", path: "/ssec?encryption",
			body:   rule(`<ApplyServerSideEncryptionByDefault><SSEAlgorithm>SSE-C</SSEAlgorithm></ApplyServerSideEncryptionByDefault>`),
			status: 400, code: "MalformedXML"},
		{name: "unknown blocked type", method: "PUT", path: "/ssec?encryption",
			body:   rule(aes + `<BlockedEncryptionTypes><EncryptionType>AES256</EncryptionType></BlockedEncryptionTypes>`),
			status: 400, code: "MalformedXML"},
		{name: "lower-case blocked type", method: "PUT", path: "/ssec?encryption",
			body:   rule(aes + `<BlockedEncryptionTypes><EncryptionType>sse-c</EncryptionType></BlockedEncryptionTypes>`),
			status: 400, code: "MalformedXML"},
		{name: "two rules", method: "PUT", path: "/ssec?encryption",
			body:   []byte(`<ServerSideEncryptionConfiguration><Rule>` + aes + `</Rule><Rule><BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`),
			status: 400, code: "MalformedXML"},
		{name: "missing bucket first", method: "PUT", path: "/nosuch?encryption", body: []byte("not XML"), status: 404, code: "NoSuchBucket"},
	}
	for i := range cases {
		cases[i].header = put(cases[i].body)
	}
	runErrorCases(t, f.env, cases)
	got, err := f.client.GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String("ssec")})
	if err != nil || len(got.ServerSideEncryptionConfiguration.Rules) != 1 || got.ServerSideEncryptionConfiguration.Rules[0].BlockedEncryptionTypes != nil {
		t.Fatalf("a refused configuration changed the bucket: %v %+v", err, got)
	}
}

// blockedTypes is a GetBucketEncryption answer's blocked types.
func blockedTypes(t *testing.T, client *s3.Client, bucket string) []types.EncryptionType {
	t.Helper()
	got, err := client.GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	rules := got.ServerSideEncryptionConfiguration.Rules
	if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault == nil || rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("bucket %s's rule: %+v", bucket, rules)
	}
	if rules[0].BlockedEncryptionTypes == nil {
		return nil
	}
	return rules[0].BlockedEncryptionTypes.EncryptionType
}

// Reads of SSE-KMS objects need TLS as much as writes do (spec §3.5: S3
// refuses every GET and PUT of a KMS-protected object over plain HTTP);
// SSE-S3 objects read fine either way.
func TestKMSObjectReadsNeedTLS(t *testing.T) {
	km := newFakeKMS()
	f := newSSECFixture(t, withKMS(km))
	ctx := context.Background()
	arn := km.createKey()
	if _, err := f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("kms"), Body: stringsReader("kms data"),
		ServerSideEncryption: "aws:kms", SSEKMSKeyId: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("s3"), Body: stringsReader("s3 data")}); err != nil {
		t.Fatal(err)
	}
	runErrorCases(t, f.plain, []errorCase{
		{name: "GET of an SSE-KMS object over HTTP", method: "GET", path: "/ssec/kms", status: 400, code: "InvalidArgument",
			message: "Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection."},
	})
	resp, err := f.plain.server.Client().Do(signedRequest(t, "GET", f.plain.server.URL+"/ssec/s3", nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET of an SSE-S3 object over HTTP: %d", resp.StatusCode)
	}
	out, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("kms")})
	if err != nil {
		t.Fatalf("GET over HTTPS: %v", err)
	}
	out.Body.Close()
}
