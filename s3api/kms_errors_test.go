package s3api

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cofferlabs/coffer"
)

// signV2 signs r with SigV2 ("Authorization: AWS key:signature") for the
// resource path given (with its signed subresources).
func signV2(r *http.Request, resource string) {
	date := time.Now().UTC().Format(http.TimeFormat)
	r.Header.Set("Date", date)
	var amz []string
	for name, values := range r.Header {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, "x-amz-") {
			amz = append(amz, lower+":"+strings.Join(values, ","))
		}
	}
	sort.Strings(amz)
	toSign := r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" + date + "\n"
	for _, h := range amz {
		toSign += h + "\n"
	}
	mac := hmac.New(sha1.New, []byte(testSecretKey))
	mac.Write([]byte(toSign + resource))
	r.Header.Set("Authorization", "AWS "+testAccessKey+":"+b64(mac.Sum(nil)))
}

func v2Request(method, base, path string, body string, header map[string]string) *http.Request {
	r, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	for k, v := range header {
		r.Header.Set(k, v)
	}
	signV2(r, path)
	return r
}

// TestSSEKMSRequestErrors covers the SSE-KMS and encryption API errors of
// spec §3.4 and §3.7 on the wire, over TLS with a KMS configured.
func TestSSEKMSRequestErrors(t *testing.T) {
	km := newFakeKMS()
	env := newTestEnv(t, withKMS(km))
	client := env.sdk(t)
	createBucket(t, client, "enc")
	arn := km.createKey()
	if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("enc"), Key: aws.String("kms-object"), Body: strings.NewReader("v"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(arn),
	}); err != nil {
		t.Fatal(err)
	}
	twoRules := []byte(`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`)
	noRules := []byte(`<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></ServerSideEncryptionConfiguration>`)
	aesWithKey := []byte(`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`)
	noAlgorithm := []byte(`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`)
	dsse := []byte(`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms:dsse</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`)
	badBlocked := []byte(`<ServerSideEncryptionConfiguration><Rule><BlockedEncryptionTypes><EncryptionType>SSE-S3</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`)
	withMD5 := func(body []byte) map[string]string { return map[string]string{"Content-MD5": md5Base64(body)} }
	noKMS := []byte(`<ObjectEncryption xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></ObjectEncryption>`)
	badBucketKey := []byte(`<ObjectEncryption><SSE-KMS><KMSKeyArn>` + arn + `</KMSKeyArn><BucketKeyEnabled>maybe</BucketKeyEnabled></SSE-KMS></ObjectEncryption>`)
	rekey := []byte(`<ObjectEncryption><SSE-KMS><KMSKeyArn>` + arn + `</KMSKeyArn></SSE-KMS></ObjectEncryption>`)
	objectDoc := `<ObjectEncryption><SSE-KMS><KMSKeyArn>` + arn + `</KMSKeyArn></SSE-KMS></ObjectEncryption>`

	cases := []errorCase{
		{name: "key id with AES256", method: "PUT", path: "/enc/k", body: []byte("x"), header: map[string]string{hdrSSE: "AES256", hdrSSEKMSKeyID: arn}, status: 400, code: "InvalidArgument", message: msgKMSNeedsHeader},
		{name: "context without aws:kms", method: "PUT", path: "/enc/k", body: []byte("x"), header: map[string]string{hdrSSEContext: b64([]byte(`{"a":"b"}`))}, status: 400, code: "InvalidArgument", message: msgKMSNeedsHeader},
		{name: "unknown SSE value", method: "PUT", path: "/enc/k", body: []byte("x"), header: map[string]string{hdrSSE: "aes:kms"}, status: 400, code: "InvalidArgument", message: msgSSEUnsupported},
		{name: "context not base64", method: "PUT", path: "/enc/k", body: []byte("x"), header: map[string]string{hdrSSE: "aws:kms", hdrSSEContext: "%%%"}, status: 400, code: "InvalidArgument", message: msgSSEContext},
		{name: "context not a string map", method: "PUT", path: "/enc/k", body: []byte("x"), header: map[string]string{hdrSSE: "aws:kms", hdrSSEContext: b64([]byte(`{"a":1}`))}, status: 400, code: "InvalidArgument", message: msgSSEContext},
		{name: "context in the aws namespace", method: "PUT", path: "/enc/k", body: []byte("x"), header: map[string]string{hdrSSE: "aws:kms", hdrSSEContext: b64([]byte(`{"aws:s3:arn":"arn:aws:s3:::other/k"}`))}, status: 400, code: "InvalidArgument"},
		{name: "missing KMS key", method: "PUT", path: "/enc/k", body: []byte("x"), header: map[string]string{hdrSSE: "aws:kms", hdrSSEKMSKeyID: "alias/missing"}, status: 400, code: "KMS.NotFoundException"},
		{name: "dsse", method: "PUT", path: "/enc/k", body: []byte("x"), header: map[string]string{hdrSSE: "aws:kms:dsse"}, status: 501, code: "NotImplemented"},
		{name: "SSE-KMS with SigV2", build: func(t *testing.T, base string) *http.Request {
			return v2Request("PUT", base, "/enc/k", "x", map[string]string{hdrSSE: "aws:kms"})
		}, status: 400, code: "InvalidArgument", message: msgKMSNeedsSigV4, checkDoc: func(t *testing.T, doc errorBody) {
			if doc.ArgumentName != "Authorization" {
				t.Errorf("ArgumentName %q", doc.ArgumentName)
			}
		}},
		{name: "GET of an SSE-KMS object with SigV2", build: func(t *testing.T, base string) *http.Request {
			return v2Request("GET", base, "/enc/kms-object", "", nil)
		}, status: 400, code: "InvalidArgument", message: msgKMSNeedsSigV4},
		{name: "UpdateObjectEncryption with SigV2", build: func(t *testing.T, base string) *http.Request {
			return v2Request("PUT", base, "/enc/kms-object?encryption", objectDoc, map[string]string{"Content-MD5": md5Base64([]byte(objectDoc))})
		}, status: 400, code: "InvalidRequest", message: msgUpdateNeedsSigV4},

		{name: "bucket encryption: missing bucket first", method: "PUT", path: "/nobucket?encryption", body: []byte("not xml"), status: 404, code: "NoSuchBucket"},
		{name: "bucket encryption: no integrity header", method: "PUT", path: "/enc?encryption", body: aesWithKey, status: 400, code: "InvalidRequest"},
		{name: "bucket encryption: not XML", method: "PUT", path: "/enc?encryption", body: []byte("<x"), header: withMD5([]byte("<x")), status: 400, code: "MalformedXML"},
		{name: "bucket encryption: no rule", method: "PUT", path: "/enc?encryption", body: noRules, header: withMD5(noRules), status: 400, code: "MalformedXML"},
		{name: "bucket encryption: two rules", method: "PUT", path: "/enc?encryption", body: twoRules, header: withMD5(twoRules), status: 400, code: "MalformedXML"},
		{name: "bucket encryption: no algorithm", method: "PUT", path: "/enc?encryption", body: noAlgorithm, header: withMD5(noAlgorithm), status: 400, code: "MalformedXML"},
		{name: "bucket encryption: AES256 with a key", method: "PUT", path: "/enc?encryption", body: aesWithKey, header: withMD5(aesWithKey), status: 400, code: "InvalidArgument",
			message: "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
			checkDoc: func(t *testing.T, doc errorBody) {
				if doc.ArgumentName != "ApplyServerSideEncryptionByDefault" {
					t.Errorf("ArgumentName %q", doc.ArgumentName)
				}
			}},
		{name: "bucket encryption: bad Content-MD5", method: "PUT", path: "/enc?encryption", body: aesWithKey, header: withMD5([]byte("other")), status: 400, code: "BadDigest"},
		{name: "bucket encryption: dsse", method: "PUT", path: "/enc?encryption", body: dsse, header: withMD5(dsse), status: 501, code: "NotImplemented"},
		{name: "bucket encryption: unknown blocked type", method: "PUT", path: "/enc?encryption", body: badBlocked, header: withMD5(badBlocked), status: 400, code: "MalformedXML"},
		{name: "get bucket encryption: missing bucket", method: "GET", path: "/nobucket?encryption", status: 404, code: "NoSuchBucket"},
		{name: "delete bucket encryption: missing bucket", method: "DELETE", path: "/nobucket?encryption", status: 404, code: "NoSuchBucket"},

		{name: "update encryption: no integrity header", method: "PUT", path: "/enc/kms-object?encryption", body: rekey, status: 400, code: "InvalidRequest"},
		{name: "update encryption: no SSE-KMS", method: "PUT", path: "/enc/kms-object?encryption", body: noKMS, header: withMD5(noKMS), status: 400, code: "InvalidRequest", message: msgUpdateNeedsType},
		{name: "update encryption: bad bucket key", method: "PUT", path: "/enc/kms-object?encryption", body: badBucketKey, header: withMD5(badBucketKey), status: 400, code: "InvalidRequest", message: msgUpdateBadBucketKey},
		{name: "update encryption: missing object", method: "PUT", path: "/enc/none?encryption", body: rekey, header: withMD5(rekey), status: 404, code: "NoSuchKey"},
		{name: "update encryption: version", method: "PUT", path: "/enc/kms-object?encryption&versionId=v1", body: rekey, header: withMD5(rekey), status: 400, code: "InvalidArgument"},
	}
	runErrorCases(t, env, cases)
	if n := km.count("GenerateDataKey"); n != 2 {
		t.Fatalf("%d GenerateDataKey calls; only the first PUT and the missing key's should have reached the KMS", n)
	}
}

// TestSSEKMSOverPlainHTTP: SSE-KMS needs TLS, to us or to a trusted proxy
// (package transport's word in the request context wins over the
// connection's).
func TestSSEKMSOverPlainHTTP(t *testing.T) {
	trustedProxy := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			secure := r.Header.Get("X-Test-Forwarded-Proto") == "https"
			ctx := coffer.WithRequestInfo(r.Context(), coffer.RequestInfo{SourceIP: "203.0.113.7", SecureTransport: secure})
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	km := newFakeKMS()
	env := newTestEnv(t, overPlainHTTP(), withKMS(km), behind(trustedProxy))
	createBucket(t, env.sdk(t), "plain")
	put := func(proto string) (*http.Response, []byte) {
		return do(t, env.server.Client(), signedRequest(t, "PUT", env.url("/plain/k"), []byte("x"),
			map[string]string{hdrSSE: "aws:kms", "X-Test-Forwarded-Proto": proto}))
	}
	if resp, body := put("http"); resp.StatusCode != 400 || !strings.Contains(string(body), msgKMSInsecure) {
		t.Fatalf("plain HTTP: %d %s", resp.StatusCode, body)
	}
	if resp, body := put("https"); resp.StatusCode != 200 || resp.Header.Get(hdrSSE) != "aws:kms" {
		t.Fatalf("TLS at the proxy: %d %s", resp.StatusCode, body)
	}
	if call := km.last(); call.Info.SourceIP != "203.0.113.7" || !call.Info.SecureTransport {
		t.Fatalf("the KMS saw %+v, not the transport's facts", call.Info)
	}
}
