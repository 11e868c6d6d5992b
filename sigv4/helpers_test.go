package sigv4

import (
	"context"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The credentials of every example in the AWS documentation.
const (
	exampleAccessKey = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// exampleVerifier knows the documentation's key and lives at the
// documentation's instant, 2013-05-24T00:00:00Z.
func exampleVerifier() *Verifier {
	now := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	return &Verifier{
		Secret: func(ak string) (string, bool) {
			return exampleSecret, ak == exampleAccessKey
		},
		Now: func() time.Time { return now },
	}
}

// header is one request header in the order a test lists them.
type header struct{ name, value string }

// newRequest builds a server-side request as net/http would hand it to a
// handler: RequestURI is the target as sent, Host set separately.
func newRequest(method, target, host string, headers []header, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
	}
	r.Host = host
	for _, h := range headers {
		r.Header.Add(h.name, h.value)
	}
	return r
}

// readAll reads an Auth body to its end and returns the data and the error
// that ended it (nil for a clean io.EOF).
func readAll(t *testing.T, a *Auth) ([]byte, error) {
	t.Helper()
	defer a.Body.Close()
	return io.ReadAll(a.Body)
}

// headerEditor changes request headers in tests.
type headerEditor struct{ r *http.Request }

func (e *headerEditor) set(k, v string) { e.r.Header.Set(k, v) }
func (e *headerEditor) del(k string)    { e.r.Header.Del(k) }

// crc32IEEE is the table of x-amz-checksum-crc32.
var crc32IEEE = crc32.IEEETable

// resign replaces a request's Authorization with a fresh SDK signature at
// chunkRequestTime, signing every header it now has.
func resign(t *testing.T, r *http.Request, payload string) {
	t.Helper()
	r.Header.Del("Authorization")
	r.Header.Del("X-Amz-Date")
	saved := r.ContentLength
	r.ContentLength = -1
	if err := v4.NewSigner(s3Signing).SignHTTP(context.Background(), sdkCredentials, r, payload, "s3", testRegion, chunkRequestTime); err != nil {
		t.Fatal(err)
	}
	r.ContentLength = saved
}
