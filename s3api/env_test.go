package s3api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/internal/testkit"
	"github.com/cofferlabs/coffer/sse"
	"github.com/cofferlabs/coffer/storage/mem"
)

// testEnv is a real Coffer S3 endpoint: s3api over sse over storage/mem,
// served by httptest on 127.0.0.1.
type testEnv struct {
	server   *httptest.Server
	store    *tamperingStore
	logs     *lockedBuffer
	registry *prometheus.Registry
}

type envSettings struct {
	config    Config
	plainHTTP bool
	sse       sse.Options
	wrap      func(http.Handler) http.Handler
}

type envOption func(*envSettings)

func withDomains(domains ...string) envOption {
	return func(s *envSettings) { s.config.Domains = domains }
}

// overPlainHTTP serves without TLS, where SDKs sign the payload's SHA-256
// instead of sending checksum trailers.
func overPlainHTTP() envOption { return func(s *envSettings) { s.plainHTTP = true } }

// withKMS puts km behind SSE-KMS.
func withKMS(km coffer.KeyManager) envOption {
	return func(s *envSettings) { s.sse.KeyManager = km }
}

// withAuditor gives both the front end and the Service an auditor.
func withAuditor(a coffer.Auditor) envOption {
	return func(s *envSettings) { s.config.Auditor, s.sse.Auditor = a, a }
}

// behind puts middleware (a stand-in for package transport) in front.
func behind(wrap func(http.Handler) http.Handler) envOption {
	return func(s *envSettings) { s.wrap = wrap }
}

func newTestEnv(t testing.TB, opts ...envOption) *testEnv {
	t.Helper()
	ctx := context.Background()
	backing := mem.New()
	store := &tamperingStore{Store: backing}
	keys, err := sse.NewKeyring(ctx, backing, bytes.Repeat([]byte{0x42}, 32))
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{store: store, logs: &lockedBuffer{}, registry: prometheus.NewRegistry()}
	settings := envSettings{sse: sse.Options{Region: testRegion, AccountID: "123456789012"}, config: Config{
		Verifier:  testVerifier(),
		Region:    testRegion,
		AccountID: "123456789012",
		Owner:     Owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "coffer"},
		Logger:    slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics:   env.registry,
	}}
	for _, o := range opts {
		o(&settings)
	}
	settings.config.Service = sse.New(store, keys, settings.sse)
	var handler http.Handler = New(settings.config)
	if settings.wrap != nil {
		handler = settings.wrap(handler)
	}
	env.server = httptest.NewUnstartedServer(handler)
	if settings.plainHTTP {
		env.server.Start()
	} else {
		env.server.StartTLS()
	}
	t.Cleanup(env.server.Close)
	return env
}

// sdkOptions are an aws-sdk-go-v2 client's settings as config.LoadDefaultConfig
// makes them (flexible checksums when supported), minus retries.
func sdkOptions(endpoint string, client *http.Client) s3.Options {
	return s3.Options{
		Region:                     testRegion,
		Credentials:                credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		BaseEndpoint:               aws.String(endpoint),
		HTTPClient:                 client,
		RetryMaxAttempts:           3, // retries a connection closed under the -race suite (and 5xx, which tests check by code, not count)
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
}

// sdk returns a path-style aws-sdk-go-v2 client.
func (e *testEnv) sdk(t testing.TB) *s3.Client {
	t.Helper()
	opts := sdkOptions(e.server.URL, e.server.Client())
	opts.UsePathStyle = true
	return s3.New(opts)
}

// virtualHostSDK addresses buckets as <bucket>.<domain>, every name
// resolving to the test server.
func (e *testEnv) virtualHostSDK(t testing.TB, domain string) *s3.Client {
	t.Helper()
	addr := e.server.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	dialer := &net.Dialer{}
	transport := e.server.Client().Transport.(*http.Transport).Clone()
	transport.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr)
	}
	scheme := "http"
	if transport.TLSClientConfig != nil {
		scheme = "https"
		transport.TLSClientConfig.ServerName = "example.com" // the name httptest's certificate holds
	}
	return s3.New(sdkOptions(scheme+"://"+domain+":"+port, &http.Client{Transport: transport}))
}

// url is the server's address of a path-style resource.
func (e *testEnv) url(path string) string { return e.server.URL + path }

// tamperingStore is storage/mem with one fault injected on demand: data
// read back has a byte flipped at a chosen offset of the stored stream, as
// if the disk had rotted.
type tamperingStore struct {
	coffer.Store
	flipAt atomic.Int64 // offset+1 within the stored data; 0 = off
}

func (s *tamperingStore) OpenObjectData(ctx context.Context, rec coffer.ObjectRecord, stream int, offset, length int64) (io.ReadCloser, error) {
	rc, err := s.Store.OpenObjectData(ctx, rec, stream, offset, length)
	if err != nil {
		return nil, err
	}
	at := s.flipAt.Load() - 1
	if at < offset || at >= offset+length {
		return rc, nil
	}
	return &flippingReader{ReadCloser: rc, at: at - offset}, nil
}

type flippingReader struct {
	io.ReadCloser
	at, pos int64
}

func (f *flippingReader) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	if f.at >= f.pos && f.at < f.pos+int64(n) {
		p[f.at-f.pos] ^= 0x01
	}
	f.pos += int64(n)
	return n, err
}

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer = testkit.LockedBuffer

// errorCode extracts the S3 error code of an SDK error.
func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := apiCode(err); got != code {
		t.Fatalf("got error %v (code %q), want %s", err, got, code)
	}
}

func readAll(t testing.TB, r io.ReadCloser) []byte {
	t.Helper()
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
