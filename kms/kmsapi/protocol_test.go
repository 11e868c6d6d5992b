package kmsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/cofferlabs/coffer/policy"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/kms"
	"github.com/cofferlabs/coffer/sigv4"
	"github.com/cofferlabs/coffer/storage/mem"
)

type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func TestProtocolErrors(t *testing.T) {
	s := startServer(t, func(_ *kms.Options, c *Config) {
		c.Verifier.Now = func() time.Time { return time.Now() }
	})
	unsigned := func(method, target, contentType, body string) func(t *testing.T) (int, http.Header, []byte) {
		return func(t *testing.T) (int, http.Header, []byte) {
			req, _ := http.NewRequest(method, s.URL+"/", strings.NewReader(body))
			if target != "" {
				req.Header.Set("X-Amz-Target", target)
			}
			req.Header.Set("Content-Type", contentType)
			return send(t, req)
		}
	}
	signed := func(target, body string, edit ...func(*http.Request)) func(t *testing.T) (int, http.Header, []byte) {
		return func(t *testing.T) (int, http.Header, []byte) { return s.call(t, target, body, edit...) }
	}
	cases := []struct {
		name   string
		do     func(t *testing.T) (int, http.Header, []byte)
		status int
		code   string
		msg    string
	}{
		{"no credentials", unsigned(http.MethodPost, "TrentService.ListKeys", contentType, "{}"), 403, codeMissingAuthenticationToken, "Missing Authentication Token"},
		{"GET", unsigned(http.MethodGet, "", contentType, ""), 405, codeUnknownOperation, ""},
		{"unknown target", signed("Bogus", "{}"), 400, codeUnknownOperation, ""},
		{"another service's target", signed("", "{}", func(r *http.Request) { r.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables") }), 400, codeUnknownOperation, ""},
		{"XML content type", signed("ListKeys", "{}", func(r *http.Request) { r.Header.Set("Content-Type", "application/xml") }), 400, codeSerialization, ""},
		{"unknown access key", signed("ListKeys", "{}", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testAccessKey, "AKIANOBODY", 1))
		}), 400, codeUnrecognizedClient, "The security token included in the request is invalid."},
		{"body changed after signing", signed("ListKeys", `{"Limit":1}`, func(r *http.Request) {
			b := []byte(`{"Limit":2}`)
			r.Body = http.NoBody
			r.Body = readCloser(b)
		}), 400, codeInvalidSignature, msgSignatureMismatch},
		{"malformed Authorization", signed("ListKeys", "{}", func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x") }), 400, codeIncompleteSignature, ""},
		{"SigV2", signed("ListKeys", "{}", func(r *http.Request) { r.Header.Set("Authorization", "AWS "+testAccessKey+":c2lnbmF0dXJl") }), 400, codeIncompleteSignature, ""},
		{"not JSON", signed("ListKeys", `{"Limit":`), 400, codeSerialization, ""},
		{"array body", signed("ListKeys", `[1]`), 400, codeSerialization, "The request body must be a JSON object."},
		{"wrong member type", signed("ListKeys", `{"Limit":"ten"}`), 400, codeSerialization, "Member Limit must be of type integer, not string."},
		{"bad base64 blob", signed("Decrypt", `{"CiphertextBlob":"***"}`), 400, codeSerialization, "A blob member is not valid base64."},
		{"two JSON values", signed("ListKeys", `{} {}`), 400, codeSerialization, ""},
		{"body too large", signed("CreateKey", `{"Description":"`+strings.Repeat("d", MaxRequestBody)+`"}`), 413, codeRequestEntityTooLarge, ""},
		{"validation", signed("GenerateRandom", `{"NumberOfBytes":2000}`), 400, "ValidationException",
			"1 validation error detected: Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"},
		{"invalid ciphertext has no message", signed("Decrypt", `{"CiphertextBlob":"AAAA"}`), 400, "InvalidCiphertextException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := tc.do(t)
			var e errorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if status != tc.status || e.Type != tc.code || h.Get("X-Amzn-ErrorType") != tc.code || h.Get("Content-Type") != contentType {
				t.Fatalf("got %d %s (header %q, %q): %s; want %d %s", status, e.Type, h.Get("X-Amzn-ErrorType"), h.Get("Content-Type"), body, tc.status, tc.code)
			}
			if tc.msg != "" && e.Message != tc.msg {
				t.Fatalf("message %q, want %q", e.Message, tc.msg)
			}
			if len(h.Get("x-amzn-RequestId")) != 36 {
				t.Fatalf("x-amzn-RequestId %q", h.Get("x-amzn-RequestId"))
			}
			if tc.code == "InvalidCiphertextException" && bytes.Contains(body, []byte("message")) {
				t.Fatalf("body %s carries a message", body)
			}
		})
	}
}

func TestClockSkewMessage(t *testing.T) {
	s := startServer(t, func(_ *kms.Options, c *Config) {
		c.Verifier.Now = func() time.Time { return time.Now().Add(time.Hour) }
	})
	status, _, body := s.call(t, "ListKeys", "{}")
	var e errorBody
	_ = json.Unmarshal(body, &e)
	if status != 400 || e.Type != codeInvalidSignature || !strings.HasPrefix(e.Message, "Signature expired: ") || !strings.HasSuffix(e.Message, " - 15 min.)") {
		t.Fatalf("%d %s", status, body)
	}
}

func readCloser(b []byte) *bodyReader { return &bodyReader{Reader: bytes.NewReader(b)} }

type bodyReader struct{ *bytes.Reader }

func (*bodyReader) Close() error { return nil }

// TestRequestContext checks what the KMS learns of the request: the
// principal from Identify, the request id also sent back, the source
// address, the user agent and the signature version; and that an HTTP
// caller cannot claim to be another service.
func TestRequestContext(t *testing.T) {
	alice := coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice", UserID: "AIDAALICE"}
	// A user may list keys once an identity policy allows it.
	listKeys := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}`
	s := startServer(t, func(o *kms.Options, c *Config) {
		o.Policy = policy.NewAuthorizer(userPolicies{alice.ARN: {[]byte(listKeys)}}, testAccount)
		c.Identify = func(ak string) (coffer.Principal, bool) {
			p := alice
			p.AccessKeyID = ak
			return p, ak == testAccessKey
		}
	})
	status, h, body := s.call(t, "ListKeys", "{}", func(r *http.Request) { r.Header.Set("User-Agent", "coffer-test/1") })
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	e := s.audit.last()
	want := coffer.RequestInfo{RequestID: h.Get("x-amzn-RequestId"), SourceIP: "127.0.0.1", UserAgent: "coffer-test/1", SignatureVersion: 4}
	if e.EventName != "ListKeys" || e.Request != want || e.Principal.ARN != alice.ARN || e.Principal.AccessKeyID != testAccessKey {
		t.Fatalf("event = %+v", e)
	}
	var out struct {
		Keys      []any
		Truncated bool
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Keys == nil {
		t.Fatalf("ListKeys body %s", body)
	}

	// The middleware's facts are kept, except a claimed ViaService.
	srv := startServer(t)
	handler := srv.Config.Handler
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := coffer.RequestInfo{SourceIP: "198.51.100.4", SecureTransport: true, ViaService: "s3.amazonaws.com"}
		handler.ServeHTTP(w, r.WithContext(coffer.WithRequestInfo(r.Context(), info)))
	})
	if status, _, body := srv.call(t, "ListKeys", "{}"); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	got := srv.audit.last().Request
	if got.SourceIP != "198.51.100.4" || !got.SecureTransport || got.ViaService != "" {
		t.Fatalf("request info = %+v", got)
	}
}

func TestMetrics(t *testing.T) {
	s := startServer(t)
	s.call(t, "ListKeys", "{}")
	s.call(t, "ListKeys", "{}")
	s.call(t, "DescribeKey", `{"KeyId":"alias/none"}`)
	// A second handler on the same registry shares the series.
	New(Config{KMS: s.kms, Verifier: &sigv4.Verifier{}, Metrics: s.registry})
	cases := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"coffer_kms_requests_total", map[string]string{"op": "ListKeys", "code": "200"}, 2},
		{"coffer_kms_requests_total", map[string]string{"op": "DescribeKey", "code": "400"}, 1},
		{"coffer_kms_errors_total", map[string]string{"op": "DescribeKey", "code": "NotFoundException"}, 1},
	}
	families, err := s.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		got := -1.0
		for _, f := range families {
			if f.GetName() != tc.family {
				continue
			}
			for _, m := range f.GetMetric() {
				match := true
				for _, l := range m.GetLabel() {
					if want, ok := tc.labels[l.GetName()]; ok && want != l.GetValue() {
						match = false
					}
				}
				if match {
					got = m.GetCounter().GetValue()
				}
			}
		}
		if got != tc.want {
			t.Fatalf("%s%v = %v, want %v", tc.family, tc.labels, got, tc.want)
		}
	}
}

// brokenStore is a key store whose writes fail.
type brokenStore struct{ *mem.Store }

func (brokenStore) CreateKey(context.Context, string, []byte) error {
	return errors.New("disk on fire at /var/lib/coffer")
}

// TestInternalErrors: a failure that is not the client's is a 500 with
// public text only; the detail goes to the log.
func TestInternalErrors(t *testing.T) {
	k, err := kms.New(brokenStore{mem.New()}, bytes.Repeat([]byte{7}, 32), kms.Options{Region: testRegion, AccountID: testAccount, Policy: policy.NewKeyPolicies()})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := &server{Server: httptest.NewServer(New(Config{
		KMS:       k,
		Verifier:  &sigv4.Verifier{Secret: func(string) (string, bool) { return testSecret, true }},
		Region:    testRegion,
		AccountID: testAccount,
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
	}))}
	defer s.Close()
	status, h, body := s.call(t, "CreateKey", "{}")
	if status != 500 || h.Get("X-Amzn-ErrorType") != "KMSInternalException" || bytes.Contains(body, []byte("fire")) {
		t.Fatalf("%d %s", status, body)
	}
	if !strings.Contains(logs.String(), "disk on fire") || !strings.Contains(logs.String(), h.Get("x-amzn-RequestId")) {
		t.Fatalf("log = %s", logs.String())
	}
}

// userPolicies is a coffer.Identities holding only identity policies, by
// principal ARN.
type userPolicies map[string][][]byte

func (userPolicies) AccessKey(string) (coffer.Principal, string, bool) {
	return coffer.Principal{}, "", false
}

func (u userPolicies) IdentityPolicies(p coffer.Principal) [][]byte { return u[p.ARN] }
