package s3api

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cofferlabs/coffer"
)

// callerService records the caller facts the Service is given.
type callerService struct {
	coffer.Service
	principal coffer.Principal
	info      coffer.RequestInfo
	seen      bool
}

func (c *callerService) HeadBucket(ctx context.Context, bucket string) (coffer.BucketInfo, error) {
	c.principal, c.seen = coffer.PrincipalFrom(ctx)
	c.info = coffer.RequestInfoFrom(ctx)
	return coffer.BucketInfo{Name: bucket}, nil
}

func TestCallerInContext(t *testing.T) {
	user := coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/alice", UserName: "alice", UserID: "AIDAALICE"}
	cases := []struct {
		name      string
		identify  func(string) (coffer.Principal, bool)
		transport *coffer.RequestInfo // what a transport layer put in the context
		tls       bool
		want      coffer.Principal
		wantInfo  coffer.RequestInfo
		status    int
	}{
		{name: "root by default", want: coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount, AccessKeyID: testAccessKey},
			wantInfo: coffer.RequestInfo{SourceIP: "192.0.2.1", SignatureVersion: 4, UserAgent: "coffer-test"}, status: 200},
		{name: "over TLS", tls: true, want: coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount, AccessKeyID: testAccessKey},
			wantInfo: coffer.RequestInfo{SourceIP: "192.0.2.1", SecureTransport: true, SignatureVersion: 4, UserAgent: "coffer-test"}, status: 200},
		{name: "identified user", identify: func(string) (coffer.Principal, bool) { return user, true },
			want:     coffer.Principal{AccountID: testAccount, ARN: user.ARN, UserName: "alice", UserID: "AIDAALICE", AccessKeyID: testAccessKey},
			wantInfo: coffer.RequestInfo{SourceIP: "192.0.2.1", SignatureVersion: 4, UserAgent: "coffer-test"}, status: 200},
		{name: "unknown to Identify", identify: func(string) (coffer.Principal, bool) { return coffer.Principal{}, false }, status: 403},
		{name: "transport's facts win", transport: &coffer.RequestInfo{SourceIP: "198.51.100.4", SecureTransport: true},
			want:     coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount, AccessKeyID: testAccessKey},
			wantInfo: coffer.RequestInfo{SourceIP: "198.51.100.4", SecureTransport: true, SignatureVersion: 4, UserAgent: "coffer-test"}, status: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc := &callerService{}
			handler := New(Config{Service: svc, Verifier: testVerifier(), AccountID: testAccount, Identify: tc.identify})
			r := signedRequest(t, "HEAD", "http://localhost/bucket", nil, map[string]string{"User-Agent": "coffer-test"})
			r.RemoteAddr = "192.0.2.1:4321"
			if tc.tls {
				r.TLS = &tls.ConnectionState{HandshakeComplete: true}
			}
			if tc.transport != nil {
				r = r.WithContext(coffer.WithRequestInfo(r.Context(), *tc.transport))
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, r)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.status != 200 {
				return
			}
			tc.wantInfo.RequestID = rec.Header().Get("x-amz-request-id")
			if !svc.seen || svc.principal != tc.want || svc.info != tc.wantInfo {
				t.Fatalf("Service saw %+v %+v\nwant          %+v %+v", svc.principal, svc.info, tc.want, tc.wantInfo)
			}
		})
	}
}

// TestAuditEvents: bucket encryption changes and refused requests become
// audit events with who, from where and the outcome.
func TestAuditEvents(t *testing.T) {
	auditor := &recordingAuditor{}
	km := newFakeKMS()
	env := newTestEnv(t, withKMS(km), withAuditor(auditor))
	createBucket(t, env.sdk(t), "audited")
	doc := []byte(`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/x</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`)
	steps := []struct {
		name    string
		request *http.Request
		status  int
		event   string
		errCode string
		check   func(t *testing.T, e *coffer.AuditEvent)
	}{
		{name: "put bucket encryption", request: signedRequest(t, "PUT", env.url("/audited?encryption"), doc, map[string]string{"Content-MD5": md5Base64(doc)}),
			status: 200, event: "PutBucketEncryption", check: func(t *testing.T, e *coffer.AuditEvent) {
				if e.Parameters["SSEAlgorithm"] != "aws:kms" || e.Parameters["KMSMasterKeyID"] != "alias/x" || e.Parameters["BucketKeyEnabled"] != true ||
					e.Principal.ARN != "arn:aws:iam::123456789012:root" || !e.Request.SecureTransport || e.Request.SourceIP != "127.0.0.1" || e.ReadOnly ||
					len(e.Resources) != 1 || e.Resources[0].ARN != "arn:aws:s3:::audited" || e.EventSource != "s3.amazonaws.com" {
					t.Fatalf("event %+v", e)
				}
			}},
		{name: "refused bucket encryption", request: signedRequest(t, "PUT", env.url("/audited?encryption"), []byte("<x"), map[string]string{"Content-MD5": md5Base64([]byte("<x"))}),
			status: 400, event: "PutBucketEncryption", errCode: "MalformedXML"},
		{name: "delete bucket encryption", request: signedRequest(t, "DELETE", env.url("/audited?encryption"), nil, nil),
			status: 204, event: "DeleteBucketEncryption"},
		{name: "anonymous request", request: func() *http.Request { r, _ := http.NewRequest("GET", env.url("/audited/k"), nil); return r }(),
			status: 403, event: "GetObject", errCode: "AccessDenied", check: func(t *testing.T, e *coffer.AuditEvent) {
				if !e.Principal.Anonymous || !e.ReadOnly || len(e.Resources) != 2 {
					t.Fatalf("event %+v", e)
				}
			}},
		{name: "wrong signature", request: func() *http.Request {
			r := signedRequest(t, "GET", env.url("/audited/k"), nil, nil)
			r.Header.Set("Authorization", r.Header.Get("Authorization")[:len(r.Header.Get("Authorization"))-4]+"0000")
			return r
		}(), status: 403, event: "GetObject", errCode: "SignatureDoesNotMatch", check: func(t *testing.T, e *coffer.AuditEvent) {
			if e.Principal.AccessKeyID != testAccessKey || e.Request.RequestID == "" {
				t.Fatalf("event %+v", e)
			}
		}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			resp, body := do(t, env.server.Client(), step.request)
			if resp.StatusCode != step.status {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			e := auditor.find(step.event)
			if e == nil || e.ErrorCode != step.errCode || e.Request.RequestID != resp.Header.Get("x-amz-request-id") {
				t.Fatalf("event %+v, want %s with error %q", e, step.event, step.errCode)
			}
			if step.check != nil {
				step.check(t, e)
			}
		})
	}
}
