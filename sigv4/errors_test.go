package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var signTime = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// signedGet is a header-signed server-side request, signed at signTime.
func signedGet(t *testing.T, target string, creds aws.Credentials, service string, edit func(r *http.Request)) *http.Request {
	t.Helper()
	r := newRequest("GET", target, "bucket.s3.test", []header{
		{"X-Amz-Content-Sha256", emptySHA256},
		{"X-Amz-Meta-Color", "blue"},
	}, "")
	if err := v4.NewSigner(s3Signing).SignHTTP(context.Background(), creds, r, emptySHA256, service, testRegion, signTime); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(r)
	}
	return r
}

func verifierAt(now time.Time) *Verifier {
	v := testVerifier()
	v.Now = func() time.Time { return now }
	return v
}

func TestHeaderAuthErrors(t *testing.T) {
	wrongSecret := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret + "x"}
	unknownKey := aws.Credentials{AccessKeyID: "NOSUCHKEY", SecretAccessKey: testSecret}
	setAuth := func(v string) func(r *http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", v) }
	}
	authWith := func(old, new string) func(r *http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
		}
	}
	tests := []struct {
		name    string
		target  string
		creds   aws.Credentials
		service string // signed for; the server expects s3
		now     time.Time
		edit    func(r *http.Request)
		wantErr error
	}{
		{name: "valid", wantErr: nil},
		{name: "wrong secret", creds: wrongSecret, wantErr: ErrSignatureDoesNotMatch},
		{name: "unknown access key", creds: unknownKey, wantErr: ErrInvalidAccessKeyID},
		{name: "tampered signed header", edit: func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "red") }, wantErr: ErrSignatureDoesNotMatch},
		{name: "signed header removed", edit: func(r *http.Request) { r.Header.Del("X-Amz-Meta-Color") }, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered path", edit: func(r *http.Request) { r.RequestURI = "/other" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "path re-encoded", target: "/a%20b", edit: func(r *http.Request) { r.RequestURI = "/a+b" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered query", target: "/k?versionId=1", edit: func(r *http.Request) { r.RequestURI = "/k?versionId=2" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "query added", target: "/k", edit: func(r *http.Request) { r.RequestURI = "/k?acl" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "method changed", edit: func(r *http.Request) { r.Method = "DELETE" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "host changed", edit: func(r *http.Request) { r.Host = "other.s3.test" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "payload hash changed", edit: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload) }, wantErr: ErrSignatureDoesNotMatch},
		{name: "signature flipped", edit: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := a[len(a)-1]
			r.Header.Set("Authorization", a[:len(a)-1]+string("01"[(last+1)%2]))
		}, wantErr: ErrSignatureDoesNotMatch},
		{name: "skew just inside", now: signTime.Add(14 * time.Minute), wantErr: nil},
		{name: "skew past", now: signTime.Add(16 * time.Minute), wantErr: ErrRequestTimeTooSkewed},
		{name: "skew future", now: signTime.Add(-16 * time.Minute), wantErr: ErrRequestTimeTooSkewed},
		{name: "other service", service: "kms", wantErr: ErrAuthorizationHeaderMalformed},
		{name: "x-amz-date missing", edit: func(r *http.Request) { r.Header.Del("X-Amz-Date") }, wantErr: ErrMissingDate},
		{name: "x-amz-date malformed", edit: func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-03-04T05:06:07Z") }, wantErr: ErrMissingDate},
		{name: "x-amz-date on another day", edit: func(r *http.Request) { r.Header.Set("X-Amz-Date", "20260305T050607Z") }, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "x-amz-date unsigned", edit: authWith("x-amz-date;", ""), wantErr: ErrHeadersNotSigned},
		{name: "signed header listed twice", edit: authWith("x-amz-date", "x-amz-meta-color"), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "signed header upper-case", edit: authWith("x-amz-date", "X-Amz-Date"), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "credential date malformed", edit: authWith("/20260304/", "/2026034/"), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "date header not signed", edit: func(r *http.Request) {
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", signTime.Format(http.TimeFormat))
		}, wantErr: ErrHeadersNotSigned},
		{name: "content sha256 missing", edit: func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") }, wantErr: ErrMissingContentSHA256},
		{name: "content sha256 upper-case hex", edit: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", strings.ToUpper(emptySHA256)) }, wantErr: ErrInvalidContentSHA256},
		{name: "content sha256 unknown token", edit: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "STREAMING-PAYLOAD") }, wantErr: ErrInvalidContentSHA256},
		{name: "content sha256 sigv4a streaming", edit: func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")
		}, wantErr: ErrUnsupportedAlgorithm},
		{name: "aws-chunked without streaming payload", edit: func(r *http.Request) { r.Header.Set("Content-Encoding", "gzip, aws-chunked") }, wantErr: ErrInvalidContentSHA256},
		{name: "host not signed", edit: setAuth("AWS4-HMAC-SHA256 Credential=" + testAccessKey + "/20260304/" + testRegion + "/s3/aws4_request, SignedHeaders=x-amz-date, Signature=" + strings.Repeat("0", 64)), wantErr: ErrHeadersNotSigned},
		{name: "sigv2 header not matching", edit: setAuth("AWS " + testAccessKey + ":frJIUN8DYpKDtOLCwo//yllqDzg="), wantErr: ErrSignatureDoesNotMatch},
		{name: "sigv4a header", edit: setAuth("AWS4-ECDSA-P256-SHA256 Credential=" + testAccessKey + "/20260304/s3/aws4_request, SignedHeaders=host, Signature=00"), wantErr: ErrUnsupportedAlgorithm},
		{name: "empty header", edit: setAuth(""), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "two authorization headers", edit: func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) }, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "header and presign together", target: "/k?X-Amz-Algorithm=AWS4-HMAC-SHA256", wantErr: ErrAuthorizationQueryMalformed},
		{name: "sigv2 query malformed", edit: func(r *http.Request) {
			r.Header.Del("Authorization")
			r.RequestURI = "/k?AWSAccessKeyId=" + testAccessKey + "&Expires=1&Signature=abc"
		}, wantErr: ErrAuthorizationQueryMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds, service, target, now := sdkCredentials, "s3", "/key", signTime
			if tt.creds.AccessKeyID != "" {
				creds = tt.creds
			}
			if tt.service != "" {
				service = tt.service
			}
			if tt.target != "" {
				target = tt.target
			}
			if !tt.now.IsZero() {
				now = tt.now
			}
			r := signedGet(t, target, creds, service, tt.edit)
			a, err := verifierAt(now).Verify(r, "s3")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (a.AccessKey != testAccessKey || a.Anonymous) {
				t.Fatalf("Auth = %+v", a)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Fatal("error text contains the secret")
			}
		})
	}
}

func TestDateHeaderAuth(t *testing.T) {
	r := newRequest("GET", "/key", "bucket.s3.test", []header{
		{"X-Amz-Content-Sha256", emptySHA256},
		{"Date", signTime.Format(http.TimeFormat)},
	}, "")
	cred := credential{accessKey: testAccessKey, date: "20260304", region: testRegion, service: "s3"}
	signed := []string{"date", "host", "x-amz-content-sha256"}
	canonical := canonicalRequest("GET", "/key", "", canonicalHeaders(r, signed), signed, emptySHA256)
	sig := hmacSHA256(SigningKey(testSecret, cred.date, cred.region, "s3"), stringToSign(signTime.Format(timeFormat), cred.scope(), canonical))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20260304/"+testRegion+"/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256,Signature="+hex.EncodeToString(sig))
	if _, err := verifierAt(signTime).Verify(r, "s3"); err != nil {
		t.Fatalf("Verify with a Date header: %v", err)
	}
}

func TestPresignErrors(t *testing.T) {
	presign := func(t *testing.T, target, expires string, when time.Time, creds aws.Credentials) string {
		t.Helper()
		r := newRequest("GET", target, "bucket.s3.test", nil, "")
		q := r.URL.Query()
		q.Set("X-Amz-Expires", expires)
		r.URL.RawQuery = q.Encode()
		u, _, err := v4.NewSigner(s3Signing).PresignHTTP(context.Background(), creds, r, UnsignedPayload, "s3", testRegion, when)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(u, "http://bucket.s3.test")
	}
	valid := presign(t, "/key", "3600", signTime, sdkCredentials)
	edit := func(old, new string) string { return strings.Replace(valid, old, new, 1) }
	tests := []struct {
		name    string
		target  string
		now     time.Time
		wantErr error
	}{
		{"valid", valid, signTime.Add(time.Hour), nil},
		{"expired", valid, signTime.Add(time.Hour + time.Second), ErrRequestExpired},
		{"dated in the future", valid, signTime.Add(-16 * time.Minute), ErrRequestTimeTooSkewed},
		{"slightly in the future", valid, signTime.Add(-14 * time.Minute), nil},
		{"seven days", presign(t, "/key", "604800", signTime, sdkCredentials), signTime.Add(6 * 24 * time.Hour), nil},
		{"more than seven days", presign(t, "/key", "604801", signTime, sdkCredentials), signTime, ErrAuthorizationQueryMalformed},
		{"zero expiry", presign(t, "/key", "0", signTime, sdkCredentials), signTime, ErrAuthorizationQueryMalformed},
		{"negative expiry", presign(t, "/key", "-5", signTime, sdkCredentials), signTime, ErrAuthorizationQueryMalformed},
		{"expiry not a number", presign(t, "/key", "soon", signTime, sdkCredentials), signTime, ErrAuthorizationQueryMalformed},
		{"expiry changed", edit("X-Amz-Expires=3600", "X-Amz-Expires=7200"), signTime, ErrSignatureDoesNotMatch},
		{"wrong secret", presign(t, "/key", "60", signTime, aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: "nope"}), signTime, ErrSignatureDoesNotMatch},
		{"unknown key", presign(t, "/key", "60", signTime, aws.Credentials{AccessKeyID: "NOSUCH", SecretAccessKey: "x"}), signTime, ErrInvalidAccessKeyID},
		{"signature missing", edit("&X-Amz-Signature=", "&X-Amz-Nothing="), signTime, ErrAuthorizationQueryMalformed},
		{"credential missing", edit("X-Amz-Credential=", "X-Amz-Nothing="), signTime, ErrAuthorizationQueryMalformed},
		{"date given twice", valid + "&X-Amz-Date=20260304T050607Z", signTime, ErrAuthorizationQueryMalformed},
		{"date malformed", edit("X-Amz-Date=20260304T050607Z", "X-Amz-Date=20260304"), signTime, ErrAuthorizationQueryMalformed},
		{"date not the credential's", edit("X-Amz-Date=20260304T050607Z", "X-Amz-Date=20260305T050607Z"), signTime, ErrAuthorizationQueryMalformed},
		{"other algorithm", edit("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256"), signTime, ErrUnsupportedAlgorithm},
		{"signed headers without host", edit("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date"), signTime, ErrHeadersNotSigned},
		{"signature not hex", edit("X-Amz-Signature=", "X-Amz-Signature=zz"), signTime, ErrAuthorizationQueryMalformed},
		{"credential service kms", edit("%2Fs3%2Faws4_request", "%2Fkms%2Faws4_request"), signTime, ErrAuthorizationQueryMalformed},
		{"credential terminal", edit("aws4_request", "aws5_request"), signTime, ErrAuthorizationQueryMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest("GET", tt.target, "bucket.s3.test", nil, "")
			a, err := verifierAt(tt.now).Verify(r, "s3")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify(%s) error = %v, want %v", tt.target, err, tt.wantErr)
			}
			if err == nil && !a.Presigned {
				t.Fatalf("Auth = %+v", a)
			}
		})
	}
}

func TestAnonymous(t *testing.T) {
	data := testData(1000)
	sum := sha256.Sum256(data)
	unsignedChunked := newChunkEncoder(payloadStreamingUnsignedTrailer, awsStyle, []header{{"x-amz-checksum-crc32", crcBase64(data, crc32IEEE)}}).encode(data, 300)
	tests := []struct {
		name        string
		headers     []header
		body        string
		wantBody    []byte
		wantPayload string
		wantErr     error
	}{
		{name: "no credentials", body: string(data), wantBody: data},
		{name: "digest sent", headers: []header{{"X-Amz-Content-Sha256", hex.EncodeToString(sum[:])}}, body: string(data), wantBody: data, wantPayload: hex.EncodeToString(sum[:])},
		{name: "unsigned payload", headers: []header{{"X-Amz-Content-Sha256", UnsignedPayload}}, body: string(data), wantBody: data},
		{name: "unsigned chunked with trailer", headers: []header{
			{"X-Amz-Content-Sha256", StreamingUnsignedPayloadTrailer}, {"Content-Encoding", "aws-chunked"},
			{"X-Amz-Decoded-Content-Length", "1000"}, {"X-Amz-Trailer", "x-amz-checksum-crc32"},
		}, body: unsignedChunked, wantBody: data},
		{name: "signed chunks without credentials", headers: []header{{"X-Amz-Content-Sha256", StreamingPayload}}, wantErr: ErrInvalidContentSHA256},
		{name: "bad payload value", headers: []header{{"X-Amz-Content-Sha256", "nope"}}, wantErr: ErrInvalidContentSHA256},
		{name: "aws-chunked without streaming payload", headers: []header{{"Content-Encoding", "aws-chunked"}}, wantErr: ErrInvalidContentSHA256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest("PUT", "/bucket/key", "s3.test", tt.headers, tt.body)
			a, err := testVerifier().Verify(r, "s3")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if !a.Anonymous || a.AccessKey != "" || a.PayloadSHA256 != tt.wantPayload {
				t.Fatalf("Auth = %+v", a)
			}
			got, err := readAll(t, a)
			if err != nil || string(got) != string(tt.wantBody) {
				t.Fatalf("body: %d bytes, %v", len(got), err)
			}
		})
	}
}

func TestZeroVerifierRejectsSignedRequests(t *testing.T) {
	r := signedGet(t, "/key", sdkCredentials, "s3", nil)
	if _, err := (&Verifier{}).Verify(r, "s3"); !errors.Is(err, ErrInvalidAccessKeyID) {
		t.Fatalf("Verify error = %v, want ErrInvalidAccessKeyID", err)
	}
}

func TestOtherServiceBodyLimit(t *testing.T) {
	body := strings.Repeat("x", MaxHashedBody+1)
	r := newRequest("POST", "/", "kms.test", nil, body)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), sdkCredentials, r, hex.EncodeToString(sum[:]), "kms", testRegion, signTime); err != nil {
		t.Fatal(err)
	}
	if _, err := verifierAt(signTime).Verify(r, "kms"); !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("Verify error = %v, want ErrPayloadTooLarge", err)
	}
	r = newRequest("POST", "/", "kms.test", []header{{"X-Amz-Content-Sha256", UnsignedPayload}}, "{}")
	if err := v4.NewSigner().SignHTTP(context.Background(), sdkCredentials, r, UnsignedPayload, "kms", testRegion, signTime); err != nil {
		t.Fatal(err)
	}
	if _, err := verifierAt(signTime).Verify(r, "kms"); !errors.Is(err, ErrInvalidContentSHA256) {
		t.Fatalf("Verify error = %v, want ErrInvalidContentSHA256", err)
	}
}
