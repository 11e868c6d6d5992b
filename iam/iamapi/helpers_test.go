package iamapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/iam"
	"github.com/cofferlabs/coffer/internal/testkit"
	"github.com/cofferlabs/coffer/sigv4"
	"github.com/cofferlabs/coffer/storage/mem"
)

const (
	testRegion  = "us-east-1"
	testAccount = "111122223333"
	rootKeyID   = "AKIAROOTROOTROOTROOT"
	rootSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var (
	testEpoch = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	rootUser  = coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount, AccessKeyID: rootKeyID}
)

// creds are the credentials a test signs with.
type creds struct{ id, secret string }

var root = creds{rootKeyID, rootSecret}

// fakeAuthorizer allows the root user everything and a user only the
// actions granted to them; a deny names its Sid. It remembers every
// request it decided.
type fakeAuthorizer struct {
	mu       sync.Mutex
	grants   map[string]bool   // "<principal ARN> <action>"; action "*" grants all
	denies   map[string]string // "<principal ARN> <action>" -> Sid
	requests []coffer.AccessRequest
	fail     error
}

func newFakeAuthorizer() *fakeAuthorizer {
	return &fakeAuthorizer{grants: map[string]bool{}, denies: map[string]string{}}
}

func (a *fakeAuthorizer) grant(arn, action string) {
	a.mu.Lock()
	a.grants[arn+" "+action] = true
	a.mu.Unlock()
}

func (a *fakeAuthorizer) deny(arn, action, sid string) {
	a.mu.Lock()
	a.denies[arn+" "+action] = sid
	a.mu.Unlock()
}

func (a *fakeAuthorizer) Authorize(ctx context.Context, req coffer.AccessRequest) (coffer.AccessDecision, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests = append(a.requests, req)
	if a.fail != nil {
		return coffer.AccessDecision{}, a.fail
	}
	p, ok := coffer.PrincipalFrom(ctx)
	if !ok {
		return coffer.AccessDecision{}, nil
	}
	if sid, ok := a.denies[p.ARN+" "+req.Action]; ok {
		return coffer.AccessDecision{DenySid: sid, DeniedBy: "identity"}, nil
	}
	allowed := p.IsRoot() || a.grants[p.ARN+" "+req.Action] || a.grants[p.ARN+" *"]
	return coffer.AccessDecision{Allowed: allowed}, nil
}

func (a *fakeAuthorizer) last() coffer.AccessRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.requests[len(a.requests)-1]
}

// recorder is a coffer.Auditor that keeps events.
type recorder struct {
	mu     sync.Mutex
	events []coffer.AuditEvent
}

func (r *recorder) Record(_ context.Context, e coffer.AuditEvent) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) all() []coffer.AuditEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]coffer.AuditEvent(nil), r.events...)
}

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer = testkit.LockedBuffer

type server struct {
	*httptest.Server
	dir    *iam.Directory
	ks     coffer.KeyStore
	authz  *fakeAuthorizer
	audit  *recorder
	logs   *lockedBuffer
	verify *sigv4.Verifier
}

func (s *server) verifier() *sigv4.Verifier { return s.verify }

type serverOption func(*Config, *server)

// withKeyStore opens the directory over ks instead of a new memory store.
func withKeyStore(ks coffer.KeyStore) serverOption {
	return func(_ *Config, s *server) { s.ks = ks }
}

// identifyAs builds the Identify the server uses: the root key, then the
// directory's active keys.
func identifyAs(dir *iam.Directory) func(string) (coffer.Principal, bool) {
	return func(accessKey string) (coffer.Principal, bool) {
		if accessKey == rootKeyID {
			return rootUser, true
		}
		p, _, ok := dir.AccessKey(accessKey)
		return p, ok
	}
}

func startServer(t testing.TB, opts ...serverOption) *server {
	t.Helper()
	s := &server{ks: mem.New(), authz: newFakeAuthorizer(), audit: &recorder{}, logs: &lockedBuffer{}}
	cfg := Config{Region: testRegion, AccountID: testAccount, Auditor: s.audit, Authorizer: s.authz, RootCreated: testEpoch,
		Logger: slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, o := range opts {
		o(&cfg, s)
	}
	dir, err := iam.Open(context.Background(), s.ks, bytes.Repeat([]byte{9}, iam.KeySize), iam.Options{AccountID: testAccount})
	if err != nil {
		t.Fatal(err)
	}
	s.dir, cfg.Directory = dir, dir
	s.verify = &sigv4.Verifier{Secret: func(accessKey string) (string, bool) {
		if accessKey == rootKeyID {
			return rootSecret, true
		}
		_, secret, ok := dir.AccessKey(accessKey)
		return secret, ok
	}}
	cfg.Verifier = s.verify
	if cfg.Identify == nil {
		cfg.Identify = identifyAs(dir)
	}
	s.Server = httptest.NewServer(New(cfg))
	t.Cleanup(s.Close)
	return s
}

// reply is a response as a test sees it.
type reply struct {
	status int
	header http.Header
	body   string
}

// errorCode is the <Code> of an error response ("" for a success).
func (r reply) errorCode() string {
	var e errorResponse
	if xml.Unmarshal([]byte(r.body), &e) != nil {
		return ""
	}
	return e.Error.Code
}

func (r reply) errorMessage() string {
	var e errorResponse
	_ = xml.Unmarshal([]byte(r.body), &e)
	return e.Error.Message
}

// form builds a query-protocol body for an IAM action: Action, Version and
// the given name/value pairs.
func form(action string, pairs ...string) url.Values {
	v := url.Values{"Action": {action}, "Version": {iamVersion}}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

// stsForm builds an STS body.
func stsForm(action string) url.Values {
	return url.Values{"Action": {action}, "Version": {stsVersion}}
}

// call signs body for service with c and sends it; edit may change the
// request after signing.
func (s *server) call(t testing.TB, c creds, service, body string, edit ...func(*http.Request)) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	awsCreds := aws.Credentials{AccessKeyID: c.id, SecretAccessKey: c.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), awsCreds, req, hex.EncodeToString(sum[:]), service, testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, e := range edit {
		e(req)
	}
	return send(t, req)
}

// iam sends an IAM action signed by c.
func (s *server) iam(t testing.TB, c creds, v url.Values) reply {
	t.Helper()
	return s.call(t, c, serviceIAM, v.Encode())
}

func send(t testing.TB, req *http.Request) reply {
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
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// mustOK fails unless r is a 200.
func mustOK(t testing.TB, what string, r reply) reply {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %s", what, r.status, r.body)
	}
	return r
}

// newUser creates a user with an access key through the API and returns
// the key's credentials.
func (s *server) newUser(t testing.TB, name string) creds {
	t.Helper()
	mustOK(t, "CreateUser", s.iam(t, root, form("CreateUser", "UserName", name)))
	return s.newUserKey(t, s.iam(t, root, form("CreateAccessKey", "UserName", name)))
}

// newUserKey reads the credentials out of a CreateAccessKey reply.
func (s *server) newUserKey(t testing.TB, r reply) creds {
	t.Helper()
	mustOK(t, "CreateAccessKey", r)
	var out struct {
		Result struct {
			AccessKey struct{ AccessKeyId, SecretAccessKey string }
		} `xml:"CreateAccessKeyResult"`
	}
	if err := xml.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	return creds{out.Result.AccessKey.AccessKeyId, out.Result.AccessKey.SecretAccessKey}
}

func userARN(path, name string) string { return iam.UserARN(testAccount, path, name) }

// resign signs req again, for body, at when.
func resign(t testing.TB, req *http.Request, c creds, service, body string, when time.Time) {
	t.Helper()
	req.Header.Del("Authorization")
	req.Header.Del("X-Amz-Date")
	sum := sha256.Sum256([]byte(body))
	awsCreds := aws.Credentials{AccessKeyID: c.id, SecretAccessKey: c.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), awsCreds, req, hex.EncodeToString(sum[:]), service, testRegion, when); err != nil {
		t.Fatal(err)
	}
}

func ioNopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func memStore() *mem.Store { return mem.New() }

// brokenStore fails every write once broken is set.
type brokenStore struct {
	coffer.KeyStore
	broken atomic.Bool
}

var errInjected = errors.New("injected key store failure")

func (s *brokenStore) CreateKey(ctx context.Context, name string, sealed []byte) error {
	if s.broken.Load() {
		return errInjected
	}
	return s.KeyStore.CreateKey(ctx, name, sealed)
}

func (s *brokenStore) PutKey(ctx context.Context, name string, sealed []byte) error {
	if s.broken.Load() {
		return errInjected
	}
	return s.KeyStore.PutKey(ctx, name, sealed)
}

func (s *brokenStore) DeleteKey(ctx context.Context, name string) error {
	if s.broken.Load() {
		return errInjected
	}
	return s.KeyStore.DeleteKey(ctx, name)
}
