package auditapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/audit"
	"github.com/cofferlabs/coffer/sigv4"
)

const (
	testAccessKey = "AKIDCOFFERTEST"
	testSecret    = "coffer-test-secret-key"
	readerKey     = "AKIDNOTAUDITOR"
	readerSecret  = "not-an-auditor-secret"
	testRegion    = "eu-west-1"
	testAccount   = "111122223333"
)

var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

var (
	rootUser = coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount, AccessKeyID: "AKIAROOT"}
	alice    = coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/alice", UserName: "alice", UserID: "AIDAALICE", AccessKeyID: "AKIAALICE"}
)

func keyARN(n int) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/0000000%d-0000-0000-0000-000000000000", testRegion, testAccount, n)
}

// fixture is what the test trail holds: seq, minute, name, who, resource.
var fixture = []struct {
	name     string
	who      coffer.Principal
	source   string
	resource coffer.AuditResource
	readOnly bool
}{
	{"CreateKey", rootUser, "kms.amazonaws.com", coffer.AuditResource{Type: "AWS::KMS::Key", ARN: keyARN(1)}, false},
	{"GenerateDataKey", rootUser, "kms.amazonaws.com", coffer.AuditResource{Type: "AWS::KMS::Key", ARN: keyARN(1)}, false},
	{"Decrypt", alice, "kms.amazonaws.com", coffer.AuditResource{Type: "AWS::KMS::Key", ARN: keyARN(1)}, true},
	{"PutBucketEncryption", rootUser, "s3.amazonaws.com", coffer.AuditResource{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::photos"}, false},
	{"GenerateDataKey", alice, "kms.amazonaws.com", coffer.AuditResource{Type: "AWS::KMS::Key", ARN: keyARN(2)}, false},
	{"Decrypt", rootUser, "kms.amazonaws.com", coffer.AuditResource{Type: "AWS::KMS::Key", ARN: keyARN(2)}, true},
	{"GenerateDataKey", alice, "kms.amazonaws.com", coffer.AuditResource{Type: "AWS::KMS::Key", ARN: keyARN(1)}, false},
	{"DeleteBucketEncryption", alice, "s3.amazonaws.com", coffer.AuditResource{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::photos"}, false},
}

// minute returns the time of fixture event i (0-based): one a minute.
func minute(i int) time.Time { return epoch.Add(time.Duration(i) * time.Minute) }

type testServer struct {
	*httptest.Server
	log      *audit.Log
	requests atomic.Int32
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	log, err := audit.Open(t.TempDir(), make([]byte, audit.KeySize), audit.Options{Region: testRegion, AccountID: testAccount,
		FlushInterval: 5 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	for i, f := range fixture {
		log.Record(context.Background(), coffer.AuditEvent{
			Time: minute(i), EventSource: f.source, EventName: f.name, Principal: f.who, ReadOnly: f.readOnly,
			Request:   coffer.RequestInfo{RequestID: fmt.Sprintf("req-%d", i), SourceIP: "192.0.2.1"},
			Resources: []coffer.AuditResource{f.resource},
		})
	}
	verifier := &sigv4.Verifier{Secret: func(ak string) (string, bool) {
		switch ak {
		case testAccessKey:
			return testSecret, true
		case readerKey:
			return readerSecret, true
		}
		return "", false
	}}
	h := New(Config{Log: log, Verifier: verifier, Region: testRegion, AccountID: testAccount,
		Logger: slog.New(slog.DiscardHandler),
		Identify: func(ak string) (coffer.Principal, bool) {
			switch ak {
			case testAccessKey:
				return coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount, AccessKeyID: ak}, true
			case readerKey:
				return coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/reader", UserName: "reader", UserID: "AIDAREADER", AccessKeyID: ak}, true
			}
			return coffer.Principal{}, false
		},
		Authorizer: rootOnly{}})
	s := &testServer{log: log}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// rootOnly lets the account's root user read the trail, and nobody else.
type rootOnly struct{}

func (rootOnly) Authorize(ctx context.Context, _ coffer.AccessRequest) (coffer.AccessDecision, error) {
	p, _ := coffer.PrincipalFrom(ctx)
	return coffer.AccessDecision{Allowed: p.IsRoot()}, nil
}
