package s3api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

type errorBody struct {
	Code, Message, ArgumentName, ArgumentValue, Resource, RequestId string
	AWSAccessKeyId, StringToSign, SignatureProvided                 string
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// errorCase is one request that must fail with a given status and code.
type errorCase struct {
	name     string
	method   string
	path     string
	body     []byte
	header   map[string]string
	build    func(t *testing.T, base string) *http.Request // for requests signedRequest cannot make
	status   int
	code     string
	message  string // checked when set
	check    func(t *testing.T, resp *http.Response)
	checkDoc func(t *testing.T, doc errorBody)
}

func runErrorCases(t *testing.T, env *testEnv, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r *http.Request
			if tc.build != nil {
				r = tc.build(t, env.server.URL)
			} else {
				r = signedRequest(t, tc.method, env.url(tc.path), tc.body, tc.header)
			}
			resp, body := do(t, env.server.Client(), r)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if resp.Header.Get("x-amz-request-id") == "" || resp.Header.Get("x-amz-id-2") == "" {
				t.Errorf("request ids missing")
			}
			if tc.check != nil {
				tc.check(t, resp)
			}
			if r.Method == http.MethodHead || tc.status == http.StatusNotModified {
				if len(body) != 0 {
					t.Fatalf("body on %s: %s", r.Method, body)
				}
				return
			}
			var doc errorBody
			if err := xml.Unmarshal(body, &doc); err != nil {
				t.Fatalf("error body %q: %v", body, err)
			}
			if doc.Code != tc.code || (tc.message != "" && doc.Message != tc.message) {
				t.Fatalf("got %s %q, want %s %q", doc.Code, doc.Message, tc.code, tc.message)
			}
			if doc.RequestId != resp.Header.Get("x-amz-request-id") {
				t.Errorf("RequestId %q differs from header", doc.RequestId)
			}
			if tc.checkDoc != nil {
				tc.checkDoc(t, doc)
			}
		})
	}
}

func TestErrorResponses(t *testing.T) {
	env := newTestEnv(t, overPlainHTTP())
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "errs")
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("errs"), Key: aws.String("obj"), Body: stringsReader("0123456789")}); err != nil {
		t.Fatal(err)
	}
	upload, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("errs"), Key: aws.String("mpu")})
	if err != nil {
		t.Fatal(err)
	}
	uploadPath := "/errs/mpu?uploadId=" + aws.ToString(upload.UploadId)
	deleteDoc := []byte(`<Delete><Object><Key>obj2</Key></Object></Delete>`)

	cases := []errorCase{
		{name: "invalid content-md5", method: "PUT", path: "/errs/k", body: []byte("x"), header: map[string]string{"Content-MD5": "not-base64!"}, status: 400, code: "InvalidDigest"},
		{name: "wrong content-md5", method: "PUT", path: "/errs/k", body: []byte("x"), header: map[string]string{"Content-MD5": md5Base64([]byte("y"))}, status: 400, code: "BadDigest"},
		{name: "wrong payload sha256", method: "PUT", path: "/errs/k", body: []byte("abc"), header: map[string]string{"x-amz-content-sha256": sha256Hex([]byte("abd"))}, status: 400, code: "XAmzContentSHA256Mismatch"},
		{name: "invalid payload sha256", method: "PUT", path: "/errs/k", body: []byte("abc"), header: map[string]string{"x-amz-content-sha256": "nothex"}, status: 400, code: "InvalidArgument"},
		{name: "wrong crc32", method: "PUT", path: "/errs/k", body: []byte("abc"), header: map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}, status: 400, code: "BadDigest"},
		{name: "invalid crc32 value", method: "PUT", path: "/errs/k", body: []byte("abc"), header: map[string]string{"x-amz-checksum-crc32": "AAAA"}, status: 400, code: "InvalidRequest"},
		{name: "two checksums", method: "PUT", path: "/errs/k", body: []byte("abc"), header: map[string]string{"x-amz-checksum-crc32": "NSRBwg==", "x-amz-checksum-sha1": "qZk+NkcGgWq6PiVxeFDCbJzQ2J0="}, status: 400, code: "InvalidRequest"},
		{name: "unknown sse", method: "PUT", path: "/errs/k", body: []byte("x"), header: map[string]string{"x-amz-server-side-encryption": "aes:kms"}, status: 400, code: "InvalidArgument", message: msgSSEUnsupported},
		{name: "kms over http", method: "PUT", path: "/errs/k", body: []byte("x"), header: map[string]string{"x-amz-server-side-encryption": "aws:kms"}, status: 400, code: "InvalidArgument", message: msgKMSInsecure},
		{name: "if-none-match etag on put", method: "PUT", path: "/errs/k", body: []byte("x"), header: map[string]string{"If-None-Match": `"abc"`}, status: 501, code: "NotImplemented"},
		{name: "metadata too large", method: "PUT", path: "/errs/k", body: []byte("x"), header: map[string]string{"x-amz-meta-big": strings.Repeat("m", 2100)}, status: 400, code: "MetadataTooLarge"},
		{name: "bad storage class", method: "PUT", path: "/errs/k", body: []byte("x"), header: map[string]string{"x-amz-storage-class": "FROZEN"}, status: 400, code: "InvalidStorageClass"},
		{name: "key too long", method: "PUT", path: "/errs/" + strings.Repeat("k", 1025), body: []byte("x"), status: 400, code: "KeyTooLongError"},
		{name: "no content-length", build: func(t *testing.T, base string) *http.Request {
			r, _ := http.NewRequest("PUT", base+"/errs/k", io.MultiReader(strings.NewReader("chunked body")))
			r.Header.Set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
			signRequest(t, r, "UNSIGNED-PAYLOAD", time.Now())
			return r
		}, status: 411, code: "MissingContentLength"},
		{name: "sse header on get", method: "GET", path: "/errs/obj", header: map[string]string{"x-amz-server-side-encryption": "AES256"}, status: 400, code: "InvalidArgument", message: msgSSENotForOp},
		{name: "sse header on head", method: "HEAD", path: "/errs/obj", header: map[string]string{"x-amz-server-side-encryption": "AES256"}, status: 400},
		{name: "part number zero", method: "GET", path: "/errs/obj?partNumber=0", status: 400, code: "InvalidArgument", message: "Part number must be an integer between 1 and 10000, inclusive"},
		{name: "part number and range", method: "GET", path: "/errs/obj?partNumber=1", header: map[string]string{"Range": "bytes=0-1"}, status: 400, code: "InvalidRequest"},
		{name: "part number beyond", method: "GET", path: "/errs/obj?partNumber=2", status: 416, code: "InvalidPartNumber"},
		{name: "head part number beyond", method: "HEAD", path: "/errs/obj?partNumber=2", status: 416},
		{name: "unsatisfiable range", method: "GET", path: "/errs/obj", header: map[string]string{"Range": "bytes=10-"}, status: 416, code: "InvalidRange",
			check: func(t *testing.T, resp *http.Response) {
				if got := resp.Header.Get("Content-Range"); got != "bytes */10" {
					t.Errorf("Content-Range %q", got)
				}
			}},
		{name: "version id", method: "GET", path: "/errs/obj?versionId=abc", status: 400, code: "InvalidArgument"},
		{name: "not modified", method: "GET", path: "/errs/obj", header: map[string]string{"If-None-Match": `"781e5e245d69b566979b86e28d23f2c7"`}, status: 304,
			check: func(t *testing.T, resp *http.Response) {
				if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
					t.Errorf("304 without validators: %v", resp.Header)
				}
			}},
		{name: "head missing", method: "HEAD", path: "/errs/none", status: 404},
		{name: "sse header on upload part", method: "PUT", path: uploadPath + "&partNumber=1", body: []byte("x"), header: map[string]string{"x-amz-server-side-encryption": "AES256"}, status: 400, code: "InvalidArgument", message: msgSSENotForOp},
		{name: "bad part number", method: "PUT", path: uploadPath + "&partNumber=abc", body: []byte("x"), status: 400, code: "InvalidArgument"},
		{name: "missing part number", method: "PUT", path: uploadPath, body: []byte("x"), status: 400, code: "InvalidArgument"},
		{name: "malformed complete", method: "POST", path: uploadPath, body: []byte("<CompleteMultipartUpload><Part>"), status: 400, code: "MalformedXML"},
		{name: "empty complete", method: "POST", path: uploadPath, body: []byte("<CompleteMultipartUpload/>"), status: 400, code: "MalformedXML"},
		{name: "complete unknown upload", method: "POST", path: "/errs/mpu?uploadId=nope", body: []byte(`<CompleteMultipartUpload><Part><ETag>a</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`), status: 404, code: "NoSuchUpload"},
		{name: "delete without digest", method: "POST", path: "/errs?delete", body: deleteDoc, status: 400, code: "InvalidRequest", message: "Missing required header for this request: Content-Md5"},
		{name: "delete wrong digest", method: "POST", path: "/errs?delete", body: deleteDoc, header: map[string]string{"Content-MD5": md5Base64([]byte("other"))}, status: 400, code: "BadDigest"},
		{name: "delete wrong checksum", method: "POST", path: "/errs?delete", body: deleteDoc, header: map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}, status: 400, code: "BadDigest"},
		{name: "delete malformed", method: "POST", path: "/errs?delete", body: []byte("<Delete>"), header: map[string]string{"Content-MD5": md5Base64([]byte("<Delete>"))}, status: 400, code: "MalformedXML"},
		{name: "create bucket malformed", method: "PUT", path: "/newbkt", body: []byte("<CreateBucketConfiguration>"), status: 400, code: "MalformedXML"},
		{name: "create bucket exists", method: "PUT", path: "/errs", status: 409, code: "BucketAlreadyOwnedByYou"},
		{name: "create bucket invalid", method: "PUT", path: "/Bad_Name", status: 400, code: "InvalidBucketName"},
		{name: "max-keys negative", method: "GET", path: "/errs?list-type=2&max-keys=-1", status: 400, code: "InvalidArgument"},
		{name: "max-keys not a number", method: "GET", path: "/errs?list-type=2&max-keys=ten", status: 400, code: "InvalidArgument"},
		{name: "bad encoding type", method: "GET", path: "/errs?list-type=2&encoding-type=xml", status: 400, code: "InvalidArgument"},
		{name: "bad continuation token", method: "GET", path: "/errs?list-type=2&continuation-token=", status: 400, code: "InvalidArgument"},
		{name: "bad max-parts", method: "GET", path: uploadPath + "&max-parts=x", status: 400, code: "InvalidArgument"},
		{name: "copy source without key", method: "PUT", path: "/errs/c", header: map[string]string{"x-amz-copy-source": "errs"}, status: 400, code: "InvalidArgument", message: msgInvalidCopySource},
		{name: "copy source missing", method: "PUT", path: "/errs/c", header: map[string]string{"x-amz-copy-source": "errs/none"}, status: 404, code: "NoSuchKey"},
		{name: "bad copy source range", method: "PUT", path: uploadPath + "&partNumber=1", header: map[string]string{"x-amz-copy-source": "errs/obj", "x-amz-copy-source-range": "bytes=5-"}, status: 400, code: "InvalidArgument"},
		{name: "attributes without names", method: "GET", path: "/errs/obj?attributes", status: 400, code: "InvalidArgument"},
		{name: "attributes unknown name", method: "GET", path: "/errs/obj?attributes", header: map[string]string{"x-amz-object-attributes": "Colour"}, status: 400, code: "InvalidArgument"},
		{name: "method not allowed", method: "PATCH", path: "/errs/obj", status: 405, code: "MethodNotAllowed"},
		{name: "post without form", method: "POST", path: "/errs/obj", status: 405, code: "MethodNotAllowed"},
		{name: "object tagging", method: "PUT", path: "/errs/obj?tagging", body: []byte("<Tagging/>"), status: 501, code: "NotImplemented"},
		{name: "bucket encryption of a missing bucket", method: "GET", path: "/nobucket?encryption", status: 404, code: "NoSuchBucket"},
		{name: "anonymous", build: func(t *testing.T, base string) *http.Request {
			r, _ := http.NewRequest("GET", base+"/errs/obj", nil)
			return r
		}, status: 403, code: "AccessDenied"},
		{name: "unknown access key", build: func(t *testing.T, base string) *http.Request {
			r, _ := http.NewRequest("GET", base+"/errs/obj", nil)
			r.Header.Set("x-amz-content-sha256", sha256Hex(nil))
			creds := testCredentials
			creds.AccessKeyID = "AKIAUNKNOWN000000000"
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, sha256Hex(nil), "s3", testRegion, time.Now()); err != nil {
				t.Fatal(err)
			}
			return r
		}, status: 403, code: "InvalidAccessKeyId"},
		{name: "wrong secret", build: func(t *testing.T, base string) *http.Request {
			r, _ := http.NewRequest("GET", base+"/errs/obj", nil)
			r.Header.Set("x-amz-content-sha256", sha256Hex(nil))
			creds := testCredentials
			creds.SecretAccessKey = "wrong"
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, sha256Hex(nil), "s3", testRegion, time.Now()); err != nil {
				t.Fatal(err)
			}
			return r
		}, status: 403, code: "SignatureDoesNotMatch", checkDoc: func(t *testing.T, doc errorBody) {
			if doc.AWSAccessKeyId != testAccessKey || !strings.HasPrefix(doc.StringToSign, "AWS4-HMAC-SHA256\n") || len(doc.SignatureProvided) != 64 {
				t.Errorf("signature details: %+v", doc)
			}
		}},
		{name: "clock skew", build: func(t *testing.T, base string) *http.Request {
			r, _ := http.NewRequest("GET", base+"/errs/obj", nil)
			r.Header.Set("x-amz-content-sha256", sha256Hex(nil))
			signRequest(t, r, sha256Hex(nil), time.Now().Add(-time.Hour))
			return r
		}, status: 403, code: "RequestTimeTooSkewed"},
		{name: "expired presigned url", build: func(t *testing.T, base string) *http.Request {
			r, _ := http.NewRequest("GET", base+"/errs/obj?X-Amz-Expires=60", nil)
			u, _, err := v4.NewSigner().PresignHTTP(context.Background(), testCredentials, r, "UNSIGNED-PAYLOAD", "s3", testRegion, time.Now().Add(-2*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			r, _ = http.NewRequest("GET", u, nil)
			return r
		}, status: 403, code: "AccessDenied", message: "Request has expired"},
		{name: "signature v2 not matching", build: func(t *testing.T, base string) *http.Request {
			r, _ := http.NewRequest("GET", base+"/errs/obj", nil)
			r.Header.Set("Authorization", "AWS "+testAccessKey+":frJIUN8DYpKDtOLCwo//yllqDzg=")
			r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
			return r
		}, status: 403, code: "SignatureDoesNotMatch"},
		{name: "signature v2 malformed", build: func(t *testing.T, base string) *http.Request {
			r, _ := http.NewRequest("GET", base+"/errs/obj", nil)
			r.Header.Set("Authorization", "AWS "+testAccessKey+":c2lnbmF0dXJl")
			r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
			return r
		}, status: 400, code: "AuthorizationHeaderMalformed"},
	}
	runErrorCases(t, env, cases)
}

// TestErrorResponsesOverTLS covers the encryption requests that need TLS
// to get past validation (SSE-KMS without a KMS is NotImplemented); every
// SSE-C row is in ssec_e2e_test.go.
func TestErrorResponsesOverTLS(t *testing.T) {
	env := newTestEnv(t)
	createBucket(t, env.sdk(t), "tlserrs")
	key := bytes.Repeat([]byte{7}, 32)
	cases := []errorCase{
		{name: "sse-kms", method: "PUT", path: "/tlserrs/k", body: []byte("x"), header: map[string]string{"x-amz-server-side-encryption": "aws:kms"}, status: 501, code: "NotImplemented"},
		{name: "sse-c wrong md5", method: "PUT", path: "/tlserrs/k", body: []byte("x"), header: map[string]string{hdrSSECAlgorithm: "AES256", hdrSSECKey: b64(key), hdrSSECKeyMD5: md5b64([]byte("x"))}, status: 400, code: "InvalidArgument", message: msgSSECBadMD5},
		{name: "sse-c wrong algorithm", method: "PUT", path: "/tlserrs/k", body: []byte("x"), header: map[string]string{hdrSSECAlgorithm: "AES128", hdrSSECKey: b64(key), hdrSSECKeyMD5: md5b64(key)}, status: 400, code: "InvalidEncryptionAlgorithmError"},
		{name: "sse-c with sse", method: "PUT", path: "/tlserrs/k", body: []byte("x"), header: map[string]string{hdrSSE: "AES256", hdrSSECAlgorithm: "AES256", hdrSSECKey: b64(key), hdrSSECKeyMD5: md5b64(key)}, status: 400, code: "InvalidArgument", message: msgSSECIncompatible},
		{name: "dsse", method: "PUT", path: "/tlserrs/k", body: []byte("x"), header: map[string]string{hdrSSE: "aws:kms:dsse"}, status: 501, code: "NotImplemented"},
	}
	runErrorCases(t, env, cases)
	if strings.Contains(env.logs.String(), b64(key)) {
		t.Fatal("SSE-C key in the log")
	}
}

// TestDeclaredLengthTooLarge sends only the headers of a 6 GiB PUT: the
// answer must come before any body is read.
func TestDeclaredLengthTooLarge(t *testing.T) {
	env := newTestEnv(t, overPlainHTTP())
	createBucket(t, env.sdk(t), "huge")
	r, _ := http.NewRequest("PUT", env.url("/huge/k"), nil)
	r.Header.Set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
	r.Header.Set("Content-Length", "6442450944")
	signRequest(t, r, "UNSIGNED-PAYLOAD", time.Now())
	conn, err := net.Dial("tcp", env.server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head bytes.Buffer
	head.WriteString("PUT /huge/k HTTP/1.1\r\nHost: " + r.Host + "\r\n")
	if err := r.Header.Write(&head); err != nil {
		t.Fatal(err)
	}
	head.WriteString("\r\n")
	if _, err := conn.Write(head.Bytes()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !bytes.Contains(body, []byte("<Code>EntityTooLarge</Code>")) {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}
