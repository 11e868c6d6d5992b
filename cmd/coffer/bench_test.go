package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

// headerMap turns name/value pairs into a map, failing on an odd count.
func headerMap(t *testing.T, pairs []string) map[string]string {
	t.Helper()
	if len(pairs)%2 != 0 {
		t.Fatalf("odd header list %q", pairs)
	}
	m := map[string]string{}
	for i := 0; i < len(pairs); i += 2 {
		m[http.CanonicalHeaderKey(pairs[i])] = pairs[i+1]
	}
	return m
}

func TestEncryptionHeaders(t *testing.T) {
	fixedKey := bytes.Repeat([]byte{0x5a}, 32)
	fixedMD5 := md5.Sum(fixedKey)
	ssec := map[string]string{
		"X-Amz-Server-Side-Encryption-Customer-Algorithm": "AES256",
		"X-Amz-Server-Side-Encryption-Customer-Key":       base64.StdEncoding.EncodeToString(fixedKey),
		"X-Amz-Server-Side-Encryption-Customer-Key-Md5":   base64.StdEncoding.EncodeToString(fixedMD5[:]),
	}
	cases := []struct {
		name      string
		sse, key  string
		bucketKey bool
		random    []byte
		wantPut   map[string]string
		wantGet   map[string]string
		wantErr   string
	}{
		{name: "bucket default", wantPut: map[string]string{}, wantGet: map[string]string{}},
		{name: "SSE-S3", sse: "AES256", wantPut: map[string]string{"X-Amz-Server-Side-Encryption": "AES256"}, wantGet: map[string]string{}},
		{name: "SSE-KMS default key", sse: "aws:kms", wantPut: map[string]string{"X-Amz-Server-Side-Encryption": "aws:kms"}, wantGet: map[string]string{}},
		{name: "SSE-KMS with key and bucket key", sse: "aws:kms", key: "alias/k", bucketKey: true, wantGet: map[string]string{},
			wantPut: map[string]string{"X-Amz-Server-Side-Encryption": "aws:kms", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": "alias/k",
				"X-Amz-Server-Side-Encryption-Bucket-Key-Enabled": "true"}},
		{name: "SSE-C", sse: "SSE-C", random: fixedKey, wantPut: ssec, wantGet: ssec},
		{name: "SSE-C with a KMS key", sse: "SSE-C", key: "alias/k", random: fixedKey, wantErr: "--sse aws:kms"},
		{name: "SSE-C with a bucket key", sse: "SSE-C", bucketKey: true, random: fixedKey, wantErr: "--sse aws:kms"},
		{name: "SSE-C without randomness", sse: "SSE-C", random: fixedKey[:31], wantErr: "SSE-C key"},
		{name: "key without aws:kms", key: "alias/k", wantErr: "--sse aws:kms"},
		{name: "unknown", sse: "rot13", wantErr: "SSE-C"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			put, get, err := encryptionHeaders(tc.sse, tc.key, tc.bucketKey, bytes.NewReader(tc.random))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := headerMap(t, put); !maps.Equal(got, tc.wantPut) {
				t.Errorf("PUT headers %v, want %v", got, tc.wantPut)
			}
			if got := headerMap(t, get); !maps.Equal(got, tc.wantGet) {
				t.Errorf("GET headers %v, want %v", got, tc.wantGet)
			}
		})
	}
}

// Every run draws its own key, and a broken random source is an error,
// not a zero key.
func TestEncryptionHeadersSSECKeyPerRun(t *testing.T) {
	first, _, err := encryptionHeaders("SSE-C", "", false, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := encryptionHeaders("SSE-C", "", false, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a, b := headerMap(t, first), headerMap(t, second)
	keyName := "X-Amz-Server-Side-Encryption-Customer-Key"
	raw, err := base64.StdEncoding.DecodeString(a[keyName])
	if err != nil || len(raw) != 32 {
		t.Fatalf("key %q: %d bytes, %v", a[keyName], len(raw), err)
	}
	if a[keyName] == b[keyName] {
		t.Fatal("two runs used the same SSE-C key")
	}
	if _, _, err := encryptionHeaders("SSE-C", "", false, iotest.ErrReader(errors.New("no entropy"))); err == nil {
		t.Fatal("a failing random source gave a key")
	}
}

// The bench sends the SSE-C trio, signed, on every PUT and GET.
func TestBenchSendsSSECOnPutAndGet(t *testing.T) {
	put, get, err := encryptionHeaders("SSE-C", "", false, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	want := headerMap(t, put)
	var mu sync.Mutex
	seen := map[string]int{}
	stored := map[string]int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
		if len(parts) == 1 { // the bucket
			return
		}
		if r.Method == http.MethodPut || r.Method == http.MethodGet {
			signed := r.Header.Get("Authorization")
			for name, value := range want {
				if r.Header.Get(name) != value || !strings.Contains(signed, strings.ToLower(name)) {
					t.Errorf("%s %s: %s = %q (signed: %v)", r.Method, r.URL.Path, name, r.Header.Get(name), strings.Contains(signed, strings.ToLower(name)))
				}
			}
			seen[r.Method]++
		}
		switch r.Method {
		case http.MethodPut:
			stored[r.URL.Path] = r.ContentLength
		case http.MethodGet:
			_, _ = w.Write(make([]byte, stored[r.URL.Path]))
		}
	}))
	defer srv.Close()
	client := newSignedClient(srv.URL, "us-east-1", "s3", rootCredentials{"AK", "SK"}, 2)
	results, err := bench(context.Background(), client, benchConfig{bucket: "b", objects: 3, size: 1000, concurrency: 2,
		ops: []string{"put", "get"}, cleanup: true, putHeaders: put, getHeaders: get})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Errors != 0 {
			t.Fatalf("%s: %d errors", r.Op, r.Errors)
		}
	}
	if seen[http.MethodPut] != 3 || seen[http.MethodGet] != 3 || !slices.Equal(put, get) {
		t.Fatalf("requests with the key: %v", seen)
	}
}
