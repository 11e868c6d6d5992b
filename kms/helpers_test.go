package kms

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/internal/testkit"
	"github.com/cofferlabs/coffer/policy"
	"github.com/cofferlabs/coffer/storage/mem"
)

const (
	testRegion  = "us-east-1"
	testAccount = "111122223333"
)

var testEpoch = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// clock is the shared settable test clock.
type clock = testkit.Clock

// recorder is an Auditor that keeps every event.
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
	if len(r.events) == 0 {
		return coffer.AuditEvent{}
	}
	return r.events[len(r.events)-1]
}

func (r *recorder) named(name string) []coffer.AuditEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []coffer.AuditEvent
	for _, e := range r.events {
		if e.EventName == name {
			out = append(out, e)
		}
	}
	return out
}

type fixture struct {
	t     testing.TB
	store *mem.Store
	clock *clock
	audit *recorder
	kms   *KMS
	api   *API
	ctx   context.Context // the account's root user
}

func ramp(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

var testRootKey = ramp(0x00, 32)

func rootPrincipal() coffer.Principal {
	return coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount, AccessKeyID: "AKIAROOT"}
}

func userPrincipal(name string) coffer.Principal {
	return coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/" + name, UserName: name, UserID: "AIDA" + name, AccessKeyID: "AKIA" + name}
}

func asPrincipal(p coffer.Principal) context.Context {
	return coffer.WithPrincipal(context.Background(), p)
}

// viaS3 is a context as S3 makes it when it calls the KMS for p.
func viaS3(p coffer.Principal) context.Context {
	return coffer.WithRequestInfo(asPrincipal(p), coffer.RequestInfo{RequestID: "req-s3", ViaService: "s3.amazonaws.com", SecureTransport: true})
}

func newFixture(t testing.TB, opts ...func(*Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, store: mem.New(), clock: testkit.NewClock(testEpoch), audit: &recorder{}}
	f.kms = f.open(opts...)
	f.api = f.kms.API()
	f.ctx = asPrincipal(rootPrincipal())
	return f
}

// open makes a KMS over the fixture's store (again, for persistence tests).
func (f *fixture) open(opts ...func(*Options)) *KMS {
	f.t.Helper()
	o := Options{Region: testRegion, AccountID: testAccount, Policy: policy.NewKeyPolicies(), Auditor: f.audit, Now: f.clock.Now}
	for _, apply := range opts {
		apply(&o)
	}
	k, err := New(f.store, testRootKey, o)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	return k
}

// newKey creates a key with the default policy and returns its metadata.
func (f *fixture) newKey() *KeyMetadata {
	f.t.Helper()
	out, err := f.api.CreateKey(f.ctx, &CreateKeyInput{Description: "test key"})
	if err != nil {
		f.t.Fatalf("CreateKey: %v", err)
	}
	return out.KeyMetadata
}

func (f *fixture) encrypt(keyID string, plaintext []byte, ec map[string]string) []byte {
	f.t.Helper()
	out, err := f.api.Encrypt(f.ctx, &EncryptInput{KeyId: keyID, Plaintext: plaintext, EncryptionContext: ec})
	if err != nil {
		f.t.Fatalf("Encrypt: %v", err)
	}
	return out.CiphertextBlob
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// code is the KMS error code of err ("" for nil, "internal" for others).
func code(err error) string {
	if err == nil {
		return ""
	}
	var ke *coffer.KMSError
	if errors.As(err, &ke) {
		return ke.Code
	}
	return "internal: " + err.Error()
}

func message(err error) string {
	var ke *coffer.KMSError
	if errors.As(err, &ke) {
		return ke.Message
	}
	return ""
}

func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := code(err); got != want {
		t.Fatalf("error = %v (code %q), want code %q", err, got, want)
	}
}

// callCase is one API call and the error code (and, when not empty, the
// message) it must fail with; code "" means it must succeed.
type callCase struct {
	name string
	call func() error
	code string
	msg  string
}

func runCalls(t *testing.T, cases []callCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, tc.code)
			if tc.msg != "" && message(err) != tc.msg {
				t.Fatalf("message\n%q\nwant\n%q", message(err), tc.msg)
			}
		})
	}
}

func i32(v int32) *int32   { return &v }
func str(s string) *string { return &s }
