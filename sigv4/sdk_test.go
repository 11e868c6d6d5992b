package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var sdkCredentials = aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}

// s3Signing is how the S3 client configures the signer: the path is
// already escaped once and must not be escaped again.
func s3Signing(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }

// roundTripTargets are paths and queries that stress canonicalisation.
var roundTripTargets = []struct {
	name   string
	target string // escaped path and query as they go on the wire
}{
	{"plain key", "/bucket/plain.txt"},
	{"space and plus", "/bucket/" + escapeKey("a b+c.txt")},
	{"unicode", "/bucket/" + escapeKey("ünïcødé/日本語.txt")},
	{"double slash", "/bucket/" + escapeKey("x//y/")},
	{"encoded slash", "/bucket/" + escapeKey("a%2Fb")},
	{"percent-2F on the wire", "/bucket/a%2Fb"},
	{"sub-delims escaped", "/bucket/" + escapeKey("~t!$&'()*+,;=:@.txt")},
	{"sub-delims raw", "/bucket/raw!$&'()*+,;=:@~.txt"},
	{"dot segments kept", "/bucket/a/./b/../c"},
	{"bucket root", "/bucket"},
	{"service root", "/"},
	{"list v2 query", "/bucket?list-type=2&prefix=a%20b%2Bc&delimiter=%2F&start-after=%E2%82%AC"},
	{"subresource without value", "/bucket?uploads"},
	{"repeated keys", "/bucket/k?z=2&a=1&a=0&b"},
	{"reserved chars in query", "/bucket/k?versionId=3%2FL4kq%3D%3D&x-id=GetObject&tag=a%26b%3Dc"},
}

func TestSignHTTPRoundTrip(t *testing.T) {
	srv := newVerifyServer(t, testVerifier(), "s3", false)
	signer := v4.NewSigner(s3Signing)
	for _, tt := range roundTripTargets {
		for _, method := range []string{http.MethodGet, http.MethodPut} {
			t.Run(tt.name+"/"+method, func(t *testing.T) {
				body := []byte{}
				if method == http.MethodPut {
					body = []byte("payload of " + tt.name)
				}
				req, err := http.NewRequest(method, srv.URL+tt.target, bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(body)
				hash := hex.EncodeToString(sum[:])
				req.Header.Set("X-Amz-Content-Sha256", hash)
				req.Header.Set("X-Amz-Meta-Note", "  spaced   out  value ")
				req.Header.Add("X-Amz-Meta-Multi", "one")
				req.Header.Add("X-Amz-Meta-Multi", "two")
				if err := signer.SignHTTP(context.Background(), sdkCredentials, req, hash, "s3", testRegion, time.Now()); err != nil {
					t.Fatal(err)
				}
				do(t, req)
				c := srv.last(t)
				c.ok(t)
				if c.auth.AccessKey != testAccessKey || c.auth.Region != testRegion || c.auth.PayloadSHA256 != hash {
					t.Fatalf("Auth = %+v", c.auth)
				}
				if !bytes.Equal(c.body, body) {
					t.Fatalf("body = %q", c.body)
				}
			})
		}
	}
}

func TestPresignHTTPRoundTrip(t *testing.T) {
	srv := newVerifyServer(t, testVerifier(), "s3", false)
	signer := v4.NewSigner(s3Signing)
	for _, tt := range roundTripTargets {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tt.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			q := req.URL.Query()
			q.Set("X-Amz-Expires", "300")
			req.URL.RawQuery = q.Encode()
			signed, headers, err := signer.PresignHTTP(context.Background(), sdkCredentials, req, UnsignedPayload, "s3", testRegion, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			get, err := http.NewRequest(http.MethodGet, signed, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range headers {
				if !strings.EqualFold(k, "host") {
					get.Header[k] = v
				}
			}
			do(t, get)
			c := srv.last(t)
			c.ok(t)
			if !c.auth.Presigned || c.auth.AccessKey != testAccessKey {
				t.Fatalf("Auth = %+v", c.auth)
			}
		})
	}
}

func TestPresignedHeaderRules(t *testing.T) {
	srv := newVerifyServer(t, testVerifier(), "s3", false)
	signer := v4.NewSigner(s3Signing)
	presign := func(t *testing.T, signedHeaders http.Header) string {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/bucket/key?X-Amz-Expires=60", nil)
		for k, v := range signedHeaders {
			req.Header[k] = v
		}
		u, _, err := signer.PresignHTTP(context.Background(), sdkCredentials, req, UnsignedPayload, "s3", testRegion, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	tests := []struct {
		name     string
		signed   http.Header // headers the URL was signed with
		sent     http.Header // headers the holder sends
		wantErr  error
		unsigned []string
	}{
		{
			name:   "signed SSE header sent",
			signed: http.Header{"X-Amz-Server-Side-Encryption": {"AES256"}},
			sent:   http.Header{"X-Amz-Server-Side-Encryption": {"AES256"}},
		},
		{
			name:     "unsigned SSE-C headers added",
			sent:     http.Header{"X-Amz-Server-Side-Encryption-Customer-Algorithm": {"AES256"}, "X-Amz-Server-Side-Encryption-Customer-Key-Md5": {"x"}},
			wantErr:  ErrHeadersNotSigned,
			unsigned: []string{"x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key-md5"},
		},
		{
			name:     "unsigned ACL added",
			sent:     http.Header{"X-Amz-Acl": {"public-read"}},
			wantErr:  ErrHeadersNotSigned,
			unsigned: []string{"x-amz-acl"},
		},
		{
			name:     "unsigned copy source added",
			sent:     http.Header{"X-Amz-Copy-Source": {"/other/key"}},
			wantErr:  ErrHeadersNotSigned,
			unsigned: []string{"x-amz-copy-source"},
		},
		{
			name: "content sha256 header is covered by the payload hash",
			sent: http.Header{"X-Amz-Content-Sha256": {UnsignedPayload}},
		},
		{
			name:    "content sha256 header that is not what was signed",
			sent:    http.Header{"X-Amz-Content-Sha256": {strings.Repeat("ab", 32)}},
			wantErr: ErrSignatureDoesNotMatch,
		},
		{
			name:    "signed header value changed",
			signed:  http.Header{"X-Amz-Server-Side-Encryption": {"AES256"}},
			sent:    http.Header{"X-Amz-Server-Side-Encryption": {"aws:kms"}},
			wantErr: ErrSignatureDoesNotMatch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPut, presign(t, tt.signed), strings.NewReader("data"))
			for k, v := range tt.sent {
				req.Header[k] = v
			}
			do(t, req)
			c := srv.last(t)
			if tt.wantErr == nil {
				c.ok(t)
				return
			}
			if !errors.Is(c.verifyErr, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", c.verifyErr, tt.wantErr)
			}
			var hns *HeadersNotSignedError
			if tt.unsigned != nil && (!errors.As(c.verifyErr, &hns) || strings.Join(hns.Headers, ",") != strings.Join(tt.unsigned, ",")) {
				t.Fatalf("unsigned headers = %v, want %v", hns, tt.unsigned)
			}
		})
	}
}

// Services other than S3 sign the body's digest without sending it.
func TestOtherServicesHashTheBody(t *testing.T) {
	tests := []struct {
		service, contentType, body string
		sendHashHeader             bool
	}{
		{"kms", "application/x-amz-json-1.1", `{"KeyId":"alias/coffer","Plaintext":"aGVsbG8="}`, false},
		{"sts", "application/x-www-form-urlencoded", "Action=GetCallerIdentity&Version=2011-06-15", false},
		{"iam", "application/x-www-form-urlencoded", "", false},
		{"kms", "application/x-amz-json-1.1", `{"KeyId":"k"}`, true},
	}
	signer := v4.NewSigner()
	for _, tt := range tests {
		t.Run(tt.service+"/"+tt.contentType, func(t *testing.T) {
			srv := newVerifyServer(t, testVerifier(), tt.service, false)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			sum := sha256.Sum256([]byte(tt.body))
			hash := hex.EncodeToString(sum[:])
			if tt.sendHashHeader {
				req.Header.Set("X-Amz-Content-Sha256", hash)
			}
			if err := signer.SignHTTP(context.Background(), sdkCredentials, req, hash, tt.service, testRegion, time.Now()); err != nil {
				t.Fatal(err)
			}
			do(t, req)
			c := srv.last(t)
			c.ok(t)
			if string(c.body) != tt.body || c.auth.DecodedLength != int64(len(tt.body)) {
				t.Fatalf("body = %q, DecodedLength %d", c.body, c.auth.DecodedLength)
			}
		})
	}
}

func TestOtherServiceBodyTampered(t *testing.T) {
	srv := newVerifyServer(t, testVerifier(), "kms", false)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(`{"KeyId":"mine"}`))
	sum := sha256.Sum256([]byte(`{"KeyId":"mine"}`))
	if err := v4.NewSigner().SignHTTP(context.Background(), sdkCredentials, req, hex.EncodeToString(sum[:]), "kms", testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(strings.NewReader(`{"KeyId":"your"}`))
	do(t, req)
	if err := srv.last(t).verifyErr; !errors.Is(err, ErrSignatureDoesNotMatch) {
		t.Fatalf("Verify error = %v, want ErrSignatureDoesNotMatch", err)
	}
}

func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}
