package kmsapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/internal/testkit"
	"github.com/cofferlabs/coffer/kms"
	"github.com/cofferlabs/coffer/policy"
	"github.com/cofferlabs/coffer/sigv4"
	"github.com/cofferlabs/coffer/storage/mem"
)

const (
	testRegion    = "us-east-1"
	testAccount   = "111122223333"
	testAccessKey = "AKIAIOSFODNN7EXAMPLE"
	testSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// kmsEpoch is the KMS's clock in these tests (the verifier's is real).
var kmsEpoch = time.Date(2026, 3, 4, 5, 6, 7, 250_000_000, time.UTC)

type recorder struct {
	mu     sync.Mutex
	events []coffer.AuditEvent
}

func (r *recorder) Record(_ context.Context, e coffer.AuditEvent) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) last() coffer.AuditEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.events[len(r.events)-1]
}

// clock is the shared settable test clock.
type clock = testkit.Clock

type server struct {
	*httptest.Server
	kms      *kms.KMS
	audit    *recorder
	clock    *clock
	registry *prometheus.Registry
}

type serverOption func(*kms.Options, *Config)

func startServer(t testing.TB, opts ...serverOption) *server {
	t.Helper()
	s := &server{audit: &recorder{}, clock: testkit.NewClock(kmsEpoch), registry: prometheus.NewRegistry()}
	ko := kms.Options{Region: testRegion, AccountID: testAccount, Policy: policy.NewKeyPolicies(), Auditor: s.audit, Now: s.clock.Now}
	cfg := Config{
		Verifier:  &sigv4.Verifier{Secret: func(ak string) (string, bool) { return testSecret, ak == testAccessKey }},
		Region:    testRegion,
		AccountID: testAccount,
		Metrics:   s.registry,
	}
	for _, o := range opts {
		o(&ko, &cfg)
	}
	k, err := kms.New(mem.New(), bytes.Repeat([]byte{7}, 32), ko)
	if err != nil {
		t.Fatal(err)
	}
	s.kms, cfg.KMS = k, k
	s.Server = httptest.NewServer(New(cfg))
	t.Cleanup(s.Close)
	return s
}

// client is aws-sdk-go-v2's KMS client against s, without retries so that
// tests see each error.
func (s *server) client(opts ...func(*awskms.Options)) *awskms.Client {
	o := awskms.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		RetryMaxAttempts: 1,
	}
	for _, apply := range opts {
		apply(&o)
	}
	return awskms.New(o)
}

// call sends a SigV4-signed KMS request with a raw body and returns the
// response status, headers and body.
func (s *server) call(t *testing.T, target, body string, edit ...func(*http.Request)) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", targetPrefix+target)
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "kms", testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, e := range edit {
		e(req)
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}
