package s3api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cofferlabs/coffer/sigv4"
)

const (
	testAccessKey = "AKIATESTCOFFER000001"
	testSecretKey = "coffer-test-secret-key-0000000000000000"
	testRegion    = "us-east-1"
)

var testCredentials = aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}

func testVerifier() *sigv4.Verifier {
	return &sigv4.Verifier{Secret: func(ak string) (string, bool) {
		if ak == testAccessKey {
			return testSecretKey, true
		}
		return "", false
	}}
}

// signedRequest builds a request signed like an S3 SDK signs it: with the
// body's SHA-256 in x-amz-content-sha256.
func signedRequest(t testing.TB, method, url string, body []byte, header map[string]string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		r.Body = http.NoBody
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	payload := r.Header.Get("x-amz-content-sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
		r.Header.Set("x-amz-content-sha256", payload)
	}
	signRequest(t, r, payload, time.Now())
	return r
}

func signRequest(t testing.TB, r *http.Request, payload string, when time.Time) {
	t.Helper()
	err := v4.NewSigner().SignHTTP(context.Background(), testCredentials, r, payload, "s3", testRegion, when,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
}

// do sends r and returns the response with its body read.
func do(t testing.TB, client *http.Client, r *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s %s: %v", r.Method, r.URL, err)
	}
	return resp, body
}
