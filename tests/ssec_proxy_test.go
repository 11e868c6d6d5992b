package tests

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// tlsProxy is a TLS-terminating reverse proxy on 127.0.0.1 in front of a
// plain HTTP backend, as a load balancer would be: it keeps the client's
// Host (so SigV4 signatures still verify) and sets X-Forwarded-For and
// X-Forwarded-Proto: https, replacing whatever the client sent.
func tlsProxy(t *testing.T, backend string) *httptest.Server {
	t.Helper()
	target, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
		r.SetXForwarded()
	}}
	srv := httptest.NewTLSServer(proxy)
	t.Cleanup(srv.Close)
	return srv
}

// TestSSECBehindTLSProxy puts SSE-C requests through a TLS-terminating
// proxy to Coffer's plain HTTP port: accepted with --trusted-proxy naming
// the proxy's address, refused as insecure (and nothing stored) without.
func TestSSECBehindTLSProxy(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		trusted bool
	}{
		{name: "proxy trusted", args: []string{"--trusted-proxy", "127.0.0.1/32"}, trusted: true},
		{name: "no trusted proxy"},
		{name: "another network trusted", args: []string{"--trusted-proxy", "10.0.0.0/8"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, append([]string{"--log-level", "debug"}, tc.args...)...)
			proxy := tlsProxy(t, s.endpoint)
			ctx := context.Background()
			client := sdkClientAt(proxy.URL, proxy.Client())
			key, other := newSSECKey(t), newSSECKey(t)
			alg, k, kmd5 := key.sdk()
			bucket := aws.String("proxied-ssec")
			if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
				t.Fatal(err)
			}
			data := randomBytes("proxied "+tc.name, 700_000)
			put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("secret"), Body: unseekable{bytes.NewReader(data)},
				ContentLength: aws.Int64(int64(len(data))), SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
			if !tc.trusted {
				if !refusedAsInsecure(err) {
					t.Fatalf("SSE-C through an untrusted proxy: %v", err)
				}
				var notFound *types.NotFound
				if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("secret")}); !errors.As(err, &notFound) {
					t.Fatalf("a refused PUT left an object: %v", err)
				}
				assertNoCustomerKeys(t, s, "secret", key)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(put.SSECustomerKeyMD5) != key.md5b64 {
				t.Fatalf("PutObject through the proxy: key MD5 %q", aws.ToString(put.SSECustomerKeyMD5))
			}
			get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("secret"), SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("GetObject through the proxy: %v, equal %v", err, bytes.Equal(got, data))
			}
			oalg, ok, omd5 := other.sdk()
			_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("secret"), SSECustomerAlgorithm: oalg, SSECustomerKey: ok, SSECustomerKeyMD5: omd5})
			s3ErrorCode(t, err, http.StatusForbidden, "Forbidden")
			// The proxy is trusted, the HTTP port is not TLS: a client
			// elsewhere cannot reach it, but one that reaches it directly
			// without the proxy's header is still refused.
			direct := s.sdkClient()
			_, err = direct.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("secret"), SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
			if !refusedAsInsecure(err) {
				t.Fatalf("SSE-C straight to the HTTP port, no forwarded header: %v", err)
			}
			assertNoCustomerKeys(t, s, "secret", key, other)
		})
	}
}
