package sigv4

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const validSig = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"

var authHeaderCases = []struct {
	name    string
	header  string
	wantErr error
}{
	{"canonical", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-date,Signature=" + validSig, nil},
	{"spaces after commas", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + validSig, nil},
	{"many spaces", "AWS4-HMAC-SHA256   Credential=AK/20130524/us-east-1/s3/aws4_request ,  SignedHeaders=host ,Signature=" + validSig + " ", nil},
	{"any order", "AWS4-HMAC-SHA256 Signature=" + validSig + ",SignedHeaders=host,Credential=AK/20130524/us-east-1/s3/aws4_request", nil},
	{"upper-case signature hex", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + strings.ToUpper(validSig), nil},
	{"sigv2", "AWS AK:c2lnbmF0dXJl", ErrUnsupportedAlgorithm},
	{"sigv4a", "AWS4-ECDSA-P256-SHA256 Credential=AK/20130524/s3/aws4_request,SignedHeaders=host,Signature=00", ErrUnsupportedAlgorithm},
	{"bearer", "Bearer token", ErrUnsupportedAlgorithm},
	{"algorithm only", "AWS4-HMAC-SHA256", ErrAuthorizationHeaderMalformed},
	{"leading space", " AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"missing signature", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host", ErrAuthorizationHeaderMalformed},
	{"missing credential", "AWS4-HMAC-SHA256 SignedHeaders=host,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"duplicate component", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"unknown component", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + validSig + ",Extra=1", ErrAuthorizationHeaderMalformed},
	{"component case", "AWS4-HMAC-SHA256 credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"no equals", "AWS4-HMAC-SHA256 Credential,SignedHeaders=host,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"trailing comma", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + validSig + ",", ErrAuthorizationHeaderMalformed},
	{"semicolon separators", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request;SignedHeaders=host;Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"credential four parts", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/aws4_request,SignedHeaders=host,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"credential empty key", "AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"credential bad date", "AWS4-HMAC-SHA256 Credential=AK/20131324/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"credential empty region", "AWS4-HMAC-SHA256 Credential=AK/20130524//s3/aws4_request,SignedHeaders=host,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"credential terminal", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4,SignedHeaders=host,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"signed headers empty", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"signed headers empty name", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;;range,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"signed headers without host", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=range,Signature=" + validSig, ErrHeadersNotSigned},
	{"signed header with space", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x amz,Signature=" + validSig, ErrAuthorizationHeaderMalformed},
	{"signature short", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=abc", ErrAuthorizationHeaderMalformed},
	{"signature not hex", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + strings.Repeat("g", 64), ErrAuthorizationHeaderMalformed},
}

func TestParseAuthorization(t *testing.T) {
	for _, tt := range authHeaderCases {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseAuthorization(tt.header)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if a.cred.accessKey != "AK" || a.cred.scope() != "20130524/us-east-1/s3/aws4_request" || len(a.signature) != 32 || a.signedHeaders[0] != "host" {
				t.Fatalf("parsed %+v", a)
			}
		})
	}
}

func TestURIEncode(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"unreserved kept", "AZaz09-_.~", "AZaz09-_.~"},
		{"space", "a b", "a%20b"},
		{"plus", "a+b", "a%2Bb"},
		{"slash", "a/b", "a%2Fb"},
		{"percent", "100%", "100%25"},
		{"sub-delims", "!$&'()*,;=:@", "%21%24%26%27%28%29%2A%2C%3B%3D%3A%40"},
		{"utf-8", "€", "%E2%82%AC"},
		{"control and high bytes", "\x00\x7f\xff", "%00%7F%FF"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := uriEncode(tt.in); got != tt.want {
				t.Fatalf("uriEncode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct{ name, raw, skip, want string }{
		{"empty", "", "", ""},
		{"subresource", "acl", "", "acl="},
		{"sorted by key", "prefix=J&max-keys=2", "", "max-keys=2&prefix=J"},
		{"repeated key sorted by value", "a=2&a=1&a=10", "", "a=1&a=10&a=2"},
		{"plus is space", "prefix=a+b", "", "prefix=a%20b"},
		{"encoded plus kept", "prefix=a%2Bb", "", "prefix=a%2Bb"},
		{"lower-case escapes normalised", "k=%e2%82%ac", "", "k=%E2%82%AC"},
		{"unreserved unescaped", "k=%41%7E", "", "k=A~"},
		{"reserved escaped", "delimiter=/&k=a=b", "", "delimiter=%2F&k=a%3Db"},
		{"empty pairs dropped", "&a=1&&b=2&", "", "a=1&b=2"},
		{"invalid escape kept raw", "k=%zz", "", "k=%25zz"},
		{"signature skipped", "X-Amz-Signature=abc&X-Amz-Date=1", "X-Amz-Signature", "X-Amz-Date=1"},
		{"sort on encoded key", "a%20b=1&a-b=2&a=3", "", "a=3&a%20b=1&a-b=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canonicalQuery(parseQuery(tt.raw), tt.skip); got != tt.want {
				t.Fatalf("canonicalQuery(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestCollapseSpaces(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"  a  ", "a"},
		{"a   b    c", "a b c"},
		{" a\tb ", "a\tb"},
	}
	for _, tt := range tests {
		if got := collapseSpaces(tt.in); got != tt.want {
			t.Errorf("collapseSpaces(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRequestTarget(t *testing.T) {
	tests := []struct {
		name, target, wantPath, wantQuery string
		rewrite                           func(r *http.Request)
	}{
		{name: "as sent", target: "/b/a%2Fb//c?x=1", wantPath: "/b/a%2Fb//c", wantQuery: "x=1"},
		{name: "router rewrote r.URL", target: "/k%20ey?acl", wantPath: "/k%20ey", wantQuery: "acl", rewrite: func(r *http.Request) { r.URL.Path = "/bucket/k ey" }},
		{name: "no request line falls back to r.URL", target: "/a%2Bb?q", wantPath: "/a%2Bb", wantQuery: "q", rewrite: func(r *http.Request) { r.RequestURI = "" }},
		{name: "absolute form falls back to r.URL", target: "http://h/p?q=1", wantPath: "/p", wantQuery: "q=1"},
		{name: "empty path", target: "http://h?q", wantPath: "/", wantQuery: "q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.target, nil)
			if tt.rewrite != nil {
				tt.rewrite(r)
			}
			p, q := requestTarget(r)
			if p != tt.wantPath || q != tt.wantQuery {
				t.Fatalf("requestTarget = %q, %q", p, q)
			}
		})
	}
}

func TestParsePayload(t *testing.T) {
	tests := []struct {
		in      string
		want    payloadMode
		wantErr error
	}{
		{emptySHA256, payloadDigest, nil},
		{UnsignedPayload, payloadUnsigned, nil},
		{StreamingPayload, payloadStreamingSigned, nil},
		{StreamingPayloadTrailer, payloadStreamingSignedTrailer, nil},
		{StreamingUnsignedPayloadTrailer, payloadStreamingUnsignedTrailer, nil},
		{"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER", 0, ErrUnsupportedAlgorithm},
		{strings.ToUpper(emptySHA256), 0, ErrInvalidContentSHA256},
		{emptySHA256[:63], 0, ErrInvalidContentSHA256},
		{"unsigned-payload", 0, ErrInvalidContentSHA256},
		{"", 0, ErrInvalidContentSHA256},
	}
	for _, tt := range tests {
		got, err := parsePayload(tt.in)
		if !errors.Is(err, tt.wantErr) || (err == nil && got != tt.want) {
			t.Errorf("parsePayload(%q) = %v, %v", tt.in, got, err)
		}
	}
}
