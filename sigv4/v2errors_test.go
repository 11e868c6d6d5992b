package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signV2 is the test's own SigV2 signer: Base64(HMAC-SHA1(secret, sts)).
// Tests write the string to sign out by hand, so they check the package's
// canonicalisation instead of repeating it.
func signV2(secret, sts string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// documentedGet is the Object GET example, valid at its own Date.
func documentedGet() (v2Vector, string) {
	return v2Example("Object GET"), currentSignatures["Object GET"]
}

func TestSigV2HeaderErrors(t *testing.T) {
	vec, sig := documentedGet()
	setAuth := func(v string) func(r *http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", v) }
	}
	setHeader := func(k, v string) func(r *http.Request) {
		return func(r *http.Request) { r.Header.Set(k, v) }
	}
	flipped := strings.Replace(sig, "bWq2", "bWq3", 1)
	tests := []struct {
		name    string
		edit    func(r *http.Request)
		secret  string
		domains []string // nil: the examples' domain
		now     time.Time
		service string
		wantErr error
	}{
		{name: "valid"},
		{name: "wrong secret", secret: exampleSecret + "x", wantErr: ErrSignatureDoesNotMatch},
		{name: "unknown access key", edit: setAuth("AWS NOSUCHKEY:" + sig), wantErr: ErrInvalidAccessKeyID},
		{name: "signature flipped", edit: setAuth("AWS " + exampleAccessKey + ":" + flipped), wantErr: ErrSignatureDoesNotMatch},
		{name: "date changed", edit: setHeader("Date", "Tue, 27 Mar 2007 19:36:43 +0000"), wantErr: ErrSignatureDoesNotMatch},
		{name: "date in GMT form", edit: setHeader("Date", "Tue, 27 Mar 2007 19:36:42 GMT"), wantErr: ErrSignatureDoesNotMatch},
		{name: "x-amz-date added", edit: setHeader("X-Amz-Date", "Tue, 27 Mar 2007 19:36:42 +0000"), wantErr: ErrSignatureDoesNotMatch},
		{name: "x-amz-meta header added", edit: setHeader("X-Amz-Meta-Color", "red"), wantErr: ErrSignatureDoesNotMatch},
		{name: "sse header added", edit: setHeader("X-Amz-Server-Side-Encryption", "aws:kms"), wantErr: ErrSignatureDoesNotMatch},
		{name: "content-type added", edit: setHeader("Content-Type", "text/html"), wantErr: ErrSignatureDoesNotMatch},
		{name: "content-md5 added", edit: setHeader("Content-Md5", "1B2M2Y8AsgTpgAmY7PhCfg=="), wantErr: ErrSignatureDoesNotMatch},
		{name: "method changed", edit: func(r *http.Request) { r.Method = "DELETE" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "path changed", edit: func(r *http.Request) { r.RequestURI = "/photos/kitten.jpg" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "path re-encoded", edit: func(r *http.Request) { r.RequestURI = "/photos/puppy%2Ejpg" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "sub-resource added", edit: func(r *http.Request) { r.RequestURI = "/photos/puppy.jpg?acl" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "versionId added", edit: func(r *http.Request) { r.RequestURI = "/photos/puppy.jpg?versionId=1" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "response override added", edit: func(r *http.Request) { r.RequestURI = "/photos/puppy.jpg?response-content-type=text%2Fhtml" }, wantErr: ErrSignatureDoesNotMatch},
		// SigV2 signs no other query parameter: S3 behaves the same.
		{name: "unsigned parameter added", edit: func(r *http.Request) { r.RequestURI = "/photos/puppy.jpg?x-id=GetObject" }},
		{name: "other bucket in the host", edit: func(r *http.Request) { r.Host = "janedoe.s3.amazonaws.com" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "host with a port", edit: func(r *http.Request) { r.Host = "johnsmith.s3.amazonaws.com:8080" }},
		{name: "host in capitals", edit: func(r *http.Request) { r.Host = "JohnSmith.S3.Amazonaws.com" }},
		{name: "virtual host without Domains", domains: []string{}, wantErr: ErrSignatureDoesNotMatch},
		{name: "virtual host under another domain", domains: []string{"amazonaws.com"}, wantErr: ErrSignatureDoesNotMatch},
		{name: "skew just inside", now: vec.now.Add(14 * time.Minute)},
		{name: "skew past", now: vec.now.Add(16 * time.Minute), wantErr: ErrRequestTimeTooSkewed},
		{name: "skew future", now: vec.now.Add(-16 * time.Minute), wantErr: ErrRequestTimeTooSkewed},
		{name: "date missing", edit: func(r *http.Request) { r.Header.Del("Date") }, wantErr: ErrMissingDate},
		{name: "date malformed", edit: setHeader("Date", "27/03/2007 19:36:42"), wantErr: ErrMissingDate},
		{name: "x-amz-date malformed", edit: setHeader("X-Amz-Date", "yesterday"), wantErr: ErrMissingDate},
		{name: "service kms", service: "kms", wantErr: ErrUnsupportedAlgorithm},
		{name: "service coffer-admin", service: "coffer-admin", wantErr: ErrUnsupportedAlgorithm},
		{name: "spaces after the scheme", edit: setAuth("AWS   " + exampleAccessKey + ":" + sig)},
		{name: "scheme only", edit: setAuth("AWS "), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "no colon", edit: setAuth("AWS " + exampleAccessKey), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "empty access key", edit: setAuth("AWS :" + sig), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "space in access key", edit: setAuth("AWS " + exampleAccessKey + " x:" + sig), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "signature not base64", edit: setAuth("AWS " + exampleAccessKey + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU!"), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "signature unpadded", edit: setAuth("AWS " + exampleAccessKey + ":" + strings.TrimRight(sig, "=")), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "signature too short", edit: setAuth("AWS " + exampleAccessKey + ":" + base64.StdEncoding.EncodeToString(make([]byte, 19))), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "signature hex", edit: setAuth("AWS " + exampleAccessKey + ":" + strings.Repeat("ab", 20)), wantErr: ErrAuthorizationHeaderMalformed},
		{name: "lower-case scheme", edit: setAuth("aws " + exampleAccessKey + ":" + sig), wantErr: ErrUnsupportedAlgorithm},
		{name: "two authorization headers", edit: func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) }, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "header and v2 query together", edit: func(r *http.Request) {
			r.RequestURI = "/photos/puppy.jpg?AWSAccessKeyId=" + exampleAccessKey
		}, wantErr: ErrAuthorizationQueryMalformed},
		{name: "header and v4 presign together", edit: func(r *http.Request) {
			r.RequestURI = "/photos/puppy.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256"
		}, wantErr: ErrAuthorizationQueryMalformed},
		{name: "signed chunks", edit: setHeader("X-Amz-Content-Sha256", StreamingPayload), wantErr: ErrSignatureDoesNotMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vec.request(exampleAccessKey, sig)
			if tt.edit != nil {
				tt.edit(r)
			}
			secret, now, service := exampleSecret, vec.now, "s3"
			if tt.secret != "" {
				secret = tt.secret
			}
			if !tt.now.IsZero() {
				now = tt.now
			}
			if tt.service != "" {
				service = tt.service
			}
			v := v2VerifierAt(exampleAccessKey, secret, now)
			if tt.domains != nil {
				v.Domains = tt.domains
			}
			a, err := v.Verify(r, service)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (a.AccessKey != exampleAccessKey || a.SignatureVersion != SignatureV2) {
				t.Fatalf("Auth = %+v", a)
			}
			if err != nil && strings.Contains(err.Error(), exampleSecret) {
				t.Fatal("error text contains the secret")
			}
		})
	}
}

func TestSigV2QueryErrors(t *testing.T) {
	valid := documentedQueryTarget
	edit := func(old, new string) string {
		if !strings.Contains(valid, old) {
			panic(old)
		}
		return strings.Replace(valid, old, new, 1)
	}
	before := time.Unix(documentedQueryExpires, 0).Add(-time.Hour)
	tests := []struct {
		name    string
		target  string
		headers []header
		host    string
		secret  string
		service string
		now     time.Time
		wantErr error
	}{
		{name: "valid", target: valid},
		{name: "expired", target: valid, now: time.Unix(documentedQueryExpires+1, 0), wantErr: ErrRequestExpired},
		{name: "wrong secret", target: valid, secret: "nope", wantErr: ErrSignatureDoesNotMatch},
		{name: "unknown access key", target: edit("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE", "AWSAccessKeyId=NOSUCHKEY"), wantErr: ErrInvalidAccessKeyID},
		{name: "signature tampered", target: edit("NpgCjnDzrM", "NpgCjnDzrN"), wantErr: ErrSignatureDoesNotMatch},
		{name: "plus left unencoded", target: edit("%2B", "+")},
		{name: "expiry extended", target: edit("Expires=1175139620", "Expires=1175139621"), wantErr: ErrSignatureDoesNotMatch},
		{name: "expiry with leading zero", target: edit("Expires=1175139620", "Expires=01175139620"), wantErr: ErrSignatureDoesNotMatch},
		{name: "path changed", target: edit("/photos/puppy.jpg", "/photos/kitten.jpg"), wantErr: ErrSignatureDoesNotMatch},
		{name: "sub-resource added", target: valid + "&acl", wantErr: ErrSignatureDoesNotMatch},
		{name: "uploadId added", target: valid + "&uploadId=1", wantErr: ErrSignatureDoesNotMatch},
		{name: "unsigned parameter added", target: valid + "&x-id=GetObject"},
		{name: "other bucket in the host", target: valid, host: "janedoe.s3.amazonaws.com", wantErr: ErrSignatureDoesNotMatch},
		{name: "x-amz header added", target: valid, headers: []header{{"X-Amz-Server-Side-Encryption", "aws:kms"}}, wantErr: ErrSignatureDoesNotMatch},
		{name: "x-amz-date header added", target: valid, headers: []header{{"X-Amz-Date", "Mon, 26 Mar 2007 19:37:58 GMT"}}, wantErr: ErrSignatureDoesNotMatch},
		{name: "x-amz parameter added", target: valid + "&x-amz-acl=public-read", wantErr: ErrSignatureDoesNotMatch},
		{name: "content-type header added", target: valid, headers: []header{{"Content-Type", "text/html"}}, wantErr: ErrSignatureDoesNotMatch},
		{name: "content-type parameter added", target: valid + "&content-type=text%2Fhtml", wantErr: ErrSignatureDoesNotMatch},
		{name: "service kms", target: valid, service: "kms", wantErr: ErrUnsupportedAlgorithm},
		{name: "access key missing", target: edit("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&", ""), wantErr: ErrAuthorizationQueryMalformed},
		{name: "access key empty", target: edit("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE", "AWSAccessKeyId="), wantErr: ErrAuthorizationQueryMalformed},
		{name: "access key twice", target: valid + "&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE", wantErr: ErrAuthorizationQueryMalformed},
		{name: "signature missing", target: edit("Signature=", "Sig="), wantErr: ErrAuthorizationQueryMalformed},
		{name: "signature twice", target: valid + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D", wantErr: ErrAuthorizationQueryMalformed},
		{name: "signature not base64", target: edit("NpgCjnDzrM%2B", "NpgCjnDzrM%21"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "signature of SHA-256 size", target: edit("NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D", url.QueryEscape(base64.StdEncoding.EncodeToString(make([]byte, 32)))), wantErr: ErrAuthorizationQueryMalformed},
		{name: "expires missing", target: edit("&Expires=1175139620", ""), wantErr: ErrAuthorizationQueryMalformed},
		{name: "expires twice", target: valid + "&Expires=1175139620", wantErr: ErrAuthorizationQueryMalformed},
		{name: "expires negative", target: edit("Expires=1175139620", "Expires=-1175139620"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "expires signed", target: edit("Expires=1175139620", "Expires=%2B1175139620"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "expires fractional", target: edit("Expires=1175139620", "Expires=1175139620.5"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "expires empty", target: edit("Expires=1175139620", "Expires="), wantErr: ErrAuthorizationQueryMalformed},
		{name: "expires huge", target: edit("Expires=1175139620", "Expires=99999999999999999999"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "signature without access key", target: "/photos/puppy.jpg?Signature=x", wantErr: ErrAuthorizationQueryMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, secret, service, now := documentedQueryHost, exampleSecret, "s3", before
			if tt.host != "" {
				host = tt.host
			}
			if tt.secret != "" {
				secret = tt.secret
			}
			if tt.service != "" {
				service = tt.service
			}
			if !tt.now.IsZero() {
				now = tt.now
			}
			r := newRequest("GET", tt.target, host, tt.headers, "")
			a, err := v2VerifierAt(exampleAccessKey, secret, now).Verify(r, service)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify(%s) error = %v, want %v", tt.target, err, tt.wantErr)
			}
			if err == nil && (!a.Presigned || a.SignatureVersion != SignatureV2) {
				t.Fatalf("Auth = %+v", a)
			}
		})
	}
}

// botocore moves the Content-Type, Content-MD5 and x-amz-* headers it signs
// into the query; a header that is present always wins over its parameter.
func TestSigV2QueryHeaderParameters(t *testing.T) {
	const expires = "1900000000"
	sts := "PUT\n\ntext/plain\n" + expires + "\nx-amz-meta-color:blue\n/bucket/key"
	target := "/bucket/key?AWSAccessKeyId=" + testAccessKey + "&Signature=" + url.QueryEscape(signV2(testSecret, sts)) +
		"&content-type=text%2Fplain&x-amz-meta-color=blue&Expires=" + expires
	tests := []struct {
		name    string
		headers []header
		wantErr error
	}{
		{name: "parameters only"},
		{name: "same headers", headers: []header{{"Content-Type", "text/plain"}, {"X-Amz-Meta-Color", "blue"}}},
		{name: "other content-type header", headers: []header{{"Content-Type", "text/html"}}, wantErr: ErrSignatureDoesNotMatch},
		{name: "empty content-type header", headers: []header{{"Content-Type", ""}}, wantErr: ErrSignatureDoesNotMatch},
		{name: "other x-amz-meta header", headers: []header{{"X-Amz-Meta-Color", "red"}}, wantErr: ErrSignatureDoesNotMatch},
		{name: "extra x-amz header", headers: []header{{"X-Amz-Acl", "public-read"}}, wantErr: ErrSignatureDoesNotMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest("PUT", target, "s3.test", tt.headers, "data")
			_, err := verifierAt(time.Unix(1800000000, 0)).Verify(r, "s3")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// SigV2 never signs the body: it reaches the caller as sent, unless a
// signed x-amz-content-sha256 gives a digest for the body reader to check.
func TestSigV2Body(t *testing.T) {
	data := testData(3000)
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	const date = "Wed, 04 Mar 2026 05:06:07 GMT"
	signed := func(amz ...header) []header {
		sts := "PUT\n\n\n" + date + "\n"
		for _, h := range amz {
			sts += h.name + ":" + h.value + "\n"
		}
		sts += "/bucket/key"
		return append([]header{{"Date", date}, {"Authorization", "AWS " + testAccessKey + ":" + signV2(testSecret, sts)}}, amz...)
	}
	tests := []struct {
		name        string
		headers     []header
		wantPayload string
		wantErr     error
	}{
		{name: "plain body", headers: signed()},
		{name: "signed digest", headers: signed(header{"x-amz-content-sha256", digest}), wantPayload: digest},
		{name: "unsigned payload", headers: signed(header{"x-amz-content-sha256", UnsignedPayload})},
		{name: "signed chunks", headers: signed(header{"x-amz-content-sha256", StreamingPayload}), wantErr: ErrInvalidContentSHA256},
		{name: "aws-chunked without streaming payload", headers: append(signed(), header{"Content-Encoding", "aws-chunked"}), wantErr: ErrInvalidContentSHA256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest("PUT", "/bucket/key", "s3.test", tt.headers, string(data))
			a, err := verifierAt(signTime).Verify(r, "s3")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if a.PayloadSHA256 != tt.wantPayload || a.DecodedLength != int64(len(data)) || a.SignatureVersion != SignatureV2 {
				t.Fatalf("Auth = %+v", a)
			}
			got, err := readAll(t, a)
			if err != nil || string(got) != string(data) {
				t.Fatalf("body: %d bytes, %v", len(got), err)
			}
		})
	}
}

// Key material never comes back in a SigV2 error document.
func TestSigV2SignatureErrorRedactsKeys(t *testing.T) {
	const (
		date        = "Wed, 04 Mar 2026 05:06:07 GMT"
		customerKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
		token       = "session-token-value"
	)
	r := newRequest("GET", "/bucket/key", "s3.test", []header{
		{"Date", date},
		{"X-Amz-Server-Side-Encryption-Customer-Key", customerKey},
		{"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key", customerKey},
		{"X-Amz-Security-Token", token},
		{"X-Amz-Server-Side-Encryption-Customer-Algorithm", "AES256"},
		{"Authorization", "AWS " + testAccessKey + ":" + signV2("wrong", "x")},
	}, "")
	_, err := verifierAt(signTime).Verify(r, "s3")
	var se *SignatureError
	if !errors.As(err, &se) {
		t.Fatalf("Verify error = %v, want a SignatureError", err)
	}
	want := "GET\n\n\n" + date + "\n" +
		"x-amz-copy-source-server-side-encryption-customer-key:<redacted>\n" +
		"x-amz-security-token:<redacted>\n" +
		"x-amz-server-side-encryption-customer-algorithm:AES256\n" +
		"x-amz-server-side-encryption-customer-key:<redacted>\n/bucket/key"
	if se.StringToSign != want {
		t.Fatalf("StringToSign\n%q\nwant\n%q", se.StringToSign, want)
	}
	for _, secret := range []string{customerKey, token, testSecret} {
		if strings.Contains(se.StringToSign+err.Error(), secret) {
			t.Fatalf("error carries %q", secret)
		}
	}
}

// Auth.SignatureVersion tells the schemes apart on every path.
func TestSignatureVersionReported(t *testing.T) {
	v4Presigned := func() *http.Request {
		q := url.Values{"X-Amz-Expires": {"60"}}
		r := newRequest("GET", "/key?"+q.Encode(), "bucket.s3.test", nil, "")
		u, _, err := v4.NewSigner(s3Signing).PresignHTTP(context.Background(), sdkCredentials, r, UnsignedPayload, "s3", testRegion, signTime)
		if err != nil {
			t.Fatal(err)
		}
		return newRequest("GET", strings.TrimPrefix(u, "http://bucket.s3.test"), "bucket.s3.test", nil, "")
	}
	v2Presigned := func() *http.Request {
		expires := strconv.FormatInt(signTime.Add(time.Minute).Unix(), 10)
		sig := signV2(testSecret, "GET\n\n\n"+expires+"\n/bucket/key")
		return newRequest("GET", "/bucket/key?AWSAccessKeyId="+testAccessKey+"&Expires="+expires+"&Signature="+url.QueryEscape(sig), "s3.test", nil, "")
	}
	tests := []struct {
		name string
		req  func() *http.Request
		want SignatureVersion
	}{
		{"anonymous", func() *http.Request { return newRequest("GET", "/bucket/key", "s3.test", nil, "") }, 0},
		{"v4 header", func() *http.Request { return signedGet(t, "/key", sdkCredentials, "s3", nil) }, SignatureV4},
		{"v4 presigned", v4Presigned, SignatureV4},
		{"v2 presigned", v2Presigned, SignatureV2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := verifierAt(signTime).Verify(tt.req(), "s3")
			if err != nil {
				t.Fatal(err)
			}
			if a.SignatureVersion != tt.want {
				t.Fatalf("SignatureVersion = %d, want %d", a.SignatureVersion, tt.want)
			}
		})
	}
}
