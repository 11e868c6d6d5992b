package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// signedIn is a session the table's requests may use.
type signedIn struct{ cookie, csrf string }

// TestEndpoints drives every console endpoint with good and bad input:
// each case names its request, what it expects, and the error code.
func TestEndpoints(t *testing.T) {
	big := `{"accessKeyId":"` + testRootKey + `","secretAccessKey":"` + strings.Repeat("a", maxSignInBody) + `"}`
	jsonBody := func(body string) func(signedIn) *http.Request {
		return func(signedIn) *http.Request {
			return request(http.MethodPost, sessionPath, body, "Content-Type", "application/json")
		}
	}
	cases := []struct {
		name       string
		req        func(s signedIn) *http.Request
		before     func(h *harness)
		noRouter   bool
		wantStatus int
		wantCode   string // "" for success
		wantAllow  string
	}{
		// sign-in
		{name: "sign in as root", req: func(signedIn) *http.Request { return signInRequest(testRootKey, testRootSecret) }, wantStatus: 200},
		{name: "sign in as a user", req: func(signedIn) *http.Request { return signInRequest(testUserKey, testUserSecret) }, wantStatus: 200},
		{name: "sign in with charset parameter", req: func(signedIn) *http.Request {
			r := signInRequest(testRootKey, testRootSecret)
			r.Header.Set("Content-Type", "application/json; charset=utf-8")
			return r
		}, wantStatus: 200},
		{name: "wrong secret", req: func(signedIn) *http.Request { return signInRequest(testRootKey, testUserSecret) }, wantStatus: 401, wantCode: "InvalidCredentials"},
		{name: "unknown access key", req: func(signedIn) *http.Request { return signInRequest("AKIANOBODYEXAMPLE000", testRootSecret) }, wantStatus: 401, wantCode: "InvalidCredentials"},
		{name: "secret of another key", req: func(signedIn) *http.Request { return signInRequest(testUserKey, testRootSecret) }, wantStatus: 401, wantCode: "InvalidCredentials"},
		{name: "control character in the key", req: jsonBody(`{"accessKeyId":"AKIA\u0000X","secretAccessKey":"x"}`), wantStatus: 401, wantCode: "InvalidCredentials"},
		{name: "empty access key", req: jsonBody(`{"accessKeyId":"","secretAccessKey":"x"}`), wantStatus: 400, wantCode: "MissingCredentials"},
		{name: "missing secret", req: jsonBody(`{"accessKeyId":"AKIA"}`), wantStatus: 400, wantCode: "MissingCredentials"},
		{name: "truncated JSON", req: jsonBody(`{"accessKeyId":`), wantStatus: 400, wantCode: "MalformedJSON"},
		{name: "two JSON objects", req: jsonBody(`{"accessKeyId":"a","secretAccessKey":"b"}{}`), wantStatus: 400, wantCode: "MalformedJSON"},
		{name: "unknown field", req: jsonBody(`{"accessKeyId":"a","secretAccessKey":"b","admin":true}`), wantStatus: 400, wantCode: "MalformedJSON"},
		{name: "array body", req: jsonBody(`["a","b"]`), wantStatus: 400, wantCode: "MalformedJSON"},
		{name: "number for a string", req: jsonBody(`{"accessKeyId":1,"secretAccessKey":"b"}`), wantStatus: 400, wantCode: "MalformedJSON"},
		{name: "empty body", req: jsonBody(``), wantStatus: 400, wantCode: "MalformedJSON"},
		{name: "body too large", req: jsonBody(big), wantStatus: 413, wantCode: "RequestTooLarge"},
		{name: "form instead of JSON", req: func(signedIn) *http.Request {
			return request(http.MethodPost, sessionPath, "accessKeyId=a&secretAccessKey=b", "Content-Type", "application/x-www-form-urlencoded")
		}, wantStatus: 415, wantCode: "UnsupportedMediaType"},
		{name: "no content type", req: func(signedIn) *http.Request {
			return request(http.MethodPost, sessionPath, `{"accessKeyId":"a","secretAccessKey":"b"}`)
		}, wantStatus: 415, wantCode: "UnsupportedMediaType"},
		{name: "cross-site sign-in", req: func(signedIn) *http.Request {
			r := signInRequest(testRootKey, testRootSecret)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}, wantStatus: 403, wantCode: "CrossOriginRequest"},
		{name: "foreign Origin on sign-in", req: func(signedIn) *http.Request {
			r := signInRequest(testRootKey, testRootSecret)
			r.Header.Set("Origin", "https://evil.example")
			return r
		}, wantStatus: 403, wantCode: "CrossOriginRequest"},
		{name: "PUT on the session", req: func(signedIn) *http.Request { return request(http.MethodPut, sessionPath, "{}") },
			wantStatus: 405, wantCode: "MethodNotAllowed", wantAllow: "GET, POST, DELETE"},

		// the session
		{name: "session", req: func(s signedIn) *http.Request { return withSession(request("GET", sessionPath, ""), s.cookie, "") }, wantStatus: 200},
		{name: "session without cookie", req: func(signedIn) *http.Request { return request("GET", sessionPath, "") }, wantStatus: 401, wantCode: "NotSignedIn"},
		{name: "session with a forged cookie", req: func(signedIn) *http.Request {
			return withSession(request("GET", sessionPath, ""), strings.Repeat("A", encodedIDLen), "")
		}, wantStatus: 401, wantCode: "NotSignedIn"},
		{name: "session with a malformed cookie", req: func(signedIn) *http.Request {
			return withSession(request("GET", sessionPath, ""), "not-an-id", "")
		}, wantStatus: 401, wantCode: "NotSignedIn"},
		{name: "expired session", before: func(h *harness) { h.clock.Advance(DefaultIdleTimeout) },
			req:        func(s signedIn) *http.Request { return withSession(request("GET", sessionPath, ""), s.cookie, "") },
			wantStatus: 401, wantCode: "NotSignedIn"},
		{name: "sign out", req: func(s signedIn) *http.Request {
			return withSession(request("DELETE", sessionPath, ""), s.cookie, s.csrf)
		}, wantStatus: 204},
		{name: "sign out without CSRF token", req: func(s signedIn) *http.Request { return withSession(request("DELETE", sessionPath, ""), s.cookie, "") },
			wantStatus: 403, wantCode: "InvalidCSRFToken"},
		{name: "sign out with a wrong CSRF token", req: func(s signedIn) *http.Request {
			return withSession(request("DELETE", sessionPath, ""), s.cookie, newToken())
		}, wantStatus: 403, wantCode: "InvalidCSRFToken"},
		{name: "sign out with two CSRF headers", req: func(s signedIn) *http.Request {
			r := withSession(request("DELETE", sessionPath, ""), s.cookie, s.csrf)
			r.Header.Add(CSRFHeader, s.csrf)
			return r
		}, wantStatus: 403, wantCode: "InvalidCSRFToken"},
		{name: "sign out with the CSRF token as cookie", req: func(s signedIn) *http.Request {
			return withSession(request("DELETE", sessionPath, ""), s.csrf, s.csrf)
		}, wantStatus: 401, wantCode: "NotSignedIn"},
		{name: "sign out without cookie", req: func(s signedIn) *http.Request { return withSession(request("DELETE", sessionPath, ""), "", s.csrf) },
			wantStatus: 401, wantCode: "NotSignedIn"},
		{name: "cross-site sign out", req: func(s signedIn) *http.Request {
			r := withSession(request("DELETE", sessionPath, ""), s.cookie, s.csrf)
			r.Header.Set("Sec-Fetch-Site", "same-site")
			return r
		}, wantStatus: 403, wantCode: "CrossOriginRequest"},

		// other API paths
		{name: "unknown API path", req: func(s signedIn) *http.Request {
			return withSession(request("GET", apiPrefix+"buckets", ""), s.cookie, "")
		},
			wantStatus: 404, wantCode: "NotFound"},
		{name: "API root", req: func(signedIn) *http.Request { return request("GET", "/_coffer/console/api", "") }, wantStatus: 404, wantCode: "NotFound"},
		{name: "outside the console", req: func(signedIn) *http.Request { return request("GET", "/_coffer/other", "") }, wantStatus: 404, wantCode: "NotFound"},

		// the proxy: access
		{name: "proxy without cookie", req: func(signedIn) *http.Request { return request("GET", awsPrefix+"s3/", "") }, wantStatus: 401, wantCode: "NotSignedIn"},
		{name: "proxy with an expired session", before: func(h *harness) { h.clock.Advance(DefaultIdleTimeout + time.Second) },
			req:        func(s signedIn) *http.Request { return withSession(request("GET", awsPrefix+"s3/", ""), s.cookie, "") },
			wantStatus: 401, wantCode: "NotSignedIn"},
		{name: "proxy read", req: func(s signedIn) *http.Request { return withSession(request("GET", awsPrefix+"s3/", ""), s.cookie, "") }, wantStatus: 200},
		{name: "proxy write without CSRF", req: func(s signedIn) *http.Request {
			return withSession(request("PUT", awsPrefix+"s3/bucket", ""), s.cookie, "")
		}, wantStatus: 403, wantCode: "InvalidCSRFToken"},
		{name: "proxy delete with a wrong CSRF token", req: func(s signedIn) *http.Request {
			return withSession(request("DELETE", awsPrefix+"s3/bucket", ""), s.cookie, "x")
		}, wantStatus: 403, wantCode: "InvalidCSRFToken"},
		{name: "proxy cross-site write", req: func(s signedIn) *http.Request {
			r := withSession(request("PUT", awsPrefix+"s3/bucket", ""), s.cookie, s.csrf)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}, wantStatus: 403, wantCode: "CrossOriginRequest"},
		{name: "proxy before the router is set", noRouter: true,
			req:        func(s signedIn) *http.Request { return withSession(request("GET", awsPrefix+"s3/", ""), s.cookie, "") },
			wantStatus: 503, wantCode: "ServiceUnavailable"},

		// the proxy: targets
		{name: "unknown service", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"ec2/", "Action=DescribeInstances"), s.cookie, s.csrf)
		}, wantStatus: 400, wantCode: "UnknownService"},
		{name: "service in upper case", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"S3/", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "UnknownService"},
		{name: "percent-encoded service", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"%73%33/", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "UnknownService"},
		{name: "no service", req: func(s signedIn) *http.Request {
			return withSession(request("GET", "/_coffer/console/api/aws", ""), s.cookie, "")
		},
			wantStatus: 400, wantCode: "UnknownService"},
		{name: "GET on kms", req: func(s signedIn) *http.Request { return withSession(request("GET", awsPrefix+"kms/", ""), s.cookie, "") },
			wantStatus: 405, wantCode: "MethodNotAllowed", wantAllow: "POST"},
		{name: "PATCH on s3", req: func(s signedIn) *http.Request {
			return withSession(request("PATCH", awsPrefix+"s3/bucket", ""), s.cookie, s.csrf)
		}, wantStatus: 405, wantCode: "MethodNotAllowed", wantAllow: "GET, HEAD, PUT, POST, DELETE"},
		{name: "dot-dot segment", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3/bucket/../other", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidPath"},
		{name: "encoded dot-dot segment", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3/bucket/%2e%2E/_coffer/metrics", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidPath"},
		{name: "dot segment", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3/./bucket", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidPath"},
		{name: "operator API through s3", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3/_coffer/metrics", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidPath"},
		{name: "operator API, encoded underscore", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"s3/%5Fcoffer/admin/v1/rotate-master-key", ""), s.cookie, s.csrf)
		}, wantStatus: 400, wantCode: "InvalidPath"},
		{name: "operator API, other case", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3/_COFFER/metrics", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidPath"},
		{name: "operator API behind a double slash", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3//_coffer/metrics", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidPath"},
		{name: "operator API behind an encoded slash", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3/%2F_coffer/metrics", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidPath"},
		{name: "the console through s3", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3/_coffer/console/api/session", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidPath"},
		{name: "path after kms", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"kms/keys", "{}", "X-Amz-Target", "TrentService.ListKeys"), s.cookie, s.csrf)
		}, wantStatus: 400, wantCode: "InvalidPath"},
		{name: "query on iam", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"iam/?Action=DeleteUser", "Action=ListUsers"), s.cookie, s.csrf)
		}, wantStatus: 400, wantCode: "InvalidQuery"},
		{name: "presigned query on s3", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3/bucket/key?X-Amz-Signature=00&X-Amz-Credential=x", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidQuery"},
		{name: "SigV2 query on s3", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3/bucket/key?AWSAccessKeyId=x&Signature=y&Expires=1", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidQuery"},
		{name: "malformed query on s3", req: func(s signedIn) *http.Request {
			return withSession(request("GET", awsPrefix+"s3/bucket?prefix=%zz", ""), s.cookie, "")
		}, wantStatus: 400, wantCode: "InvalidQuery"},
		{name: "kms without X-Amz-Target", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"kms/", "{}"), s.cookie, s.csrf)
		}, wantStatus: 400, wantCode: "InvalidTarget"},
		{name: "kms with CloudTrail's target", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"kms/", "{}", "X-Amz-Target", "CloudTrail_20131101.LookupEvents"), s.cookie, s.csrf)
		}, wantStatus: 400, wantCode: "InvalidTarget"},
		{name: "cloudtrail with KMS's target", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"cloudtrail/", "{}", "X-Amz-Target", "TrentService.ListKeys"), s.cookie, s.csrf)
		}, wantStatus: 400, wantCode: "InvalidTarget"},
		{name: "kms target without an operation", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"kms/", "{}", "X-Amz-Target", "TrentService."), s.cookie, s.csrf)
		}, wantStatus: 400, wantCode: "InvalidTarget"},
		{name: "kms target with odd characters", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"kms/", "{}", "X-Amz-Target", "TrentService.List/../Keys"), s.cookie, s.csrf)
		}, wantStatus: 400, wantCode: "InvalidTarget"},
		{name: "two kms targets", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"kms/", "{}", "X-Amz-Target", "TrentService.ListKeys", "X-Amz-Target", "TrentService.CreateKey"), s.cookie, s.csrf)
		}, wantStatus: 400, wantCode: "InvalidTarget"},
		{name: "kms body over 1 MiB", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"kms/", strings.Repeat(" ", maxAPIBody+1), "X-Amz-Target", "TrentService.ListKeys"), s.cookie, s.csrf)
		}, wantStatus: 413, wantCode: "RequestTooLarge"},
		{name: "iam body over 1 MiB, length unknown", req: func(s signedIn) *http.Request {
			r := withSession(request("POST", awsPrefix+"iam/", strings.Repeat("a", maxAPIBody+1)), s.cookie, s.csrf)
			r.ContentLength = -1
			return r
		}, wantStatus: 413, wantCode: "RequestTooLarge"},
		{name: "iam body of exactly 1 MiB", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"iam/", strings.Repeat("a", maxAPIBody)), s.cookie, s.csrf)
		}, wantStatus: 200},
		{name: "sts call", req: func(s signedIn) *http.Request {
			return withSession(request("POST", awsPrefix+"sts", "Action=GetCallerIdentity&Version=2011-06-15"), s.cookie, s.csrf)
		}, wantStatus: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) {
				if !tc.noRouter {
					c.Router = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
				}
			})
			cookie, info := h.signIn(testRootKey, testRootSecret)
			if tc.before != nil {
				tc.before(h)
			}
			rec := h.do(tc.req(signedIn{cookie: cookie, csrf: info.CSRFToken}))
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.wantStatus, rec.Body)
			}
			if tc.wantCode != "" {
				if code := errorCode(t, rec.Body.Bytes()); code != tc.wantCode {
					t.Errorf("code %s, want %s", code, tc.wantCode)
				}
				if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
				if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control %q", cc)
				}
			}
			if got := rec.Header().Get("Allow"); got != tc.wantAllow {
				t.Errorf("Allow %q, want %q", got, tc.wantAllow)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
		})
	}
}

// TestWrongCredentialsLookAlike checks that an unknown key and a wrong
// secret get the same answer, byte for byte.
func TestWrongCredentialsLookAlike(t *testing.T) {
	h := newHarness(t)
	unknown := h.do(signInRequest("AKIANOBODYEXAMPLE000", testRootSecret))
	wrong := h.do(signInRequest(testRootKey, "not-the-secret"))
	if unknown.Code != wrong.Code || unknown.Body.String() != wrong.Body.String() {
		t.Errorf("unknown key: %d %s; wrong secret: %d %s", unknown.Code, unknown.Body, wrong.Code, wrong.Body)
	}
	if len(unknown.Result().Cookies()) != 0 || len(wrong.Result().Cookies()) != 0 {
		t.Error("a refused sign-in set a cookie")
	}
}

// TestIdentifyRefusal: a key whose secret matches but that Identify no
// longer knows (deactivated in between) does not sign in.
func TestIdentifyRefusal(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Identify = func(string) (coffer.Principal, bool) { return coffer.Principal{}, false }
	})
	rec := h.do(signInRequest(testRootKey, testRootSecret))
	if rec.Code != http.StatusUnauthorized || errorCode(t, rec.Body.Bytes()) != "InvalidCredentials" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func TestSessionInfo(t *testing.T) {
	h := newHarness(t)
	cookie, info := h.signIn(testUserKey, testUserSecret)
	want := sessionInfo{
		CSRFToken:   info.CSRFToken,
		ARN:         "arn:aws:iam::" + testAccount + ":user/" + testUserName,
		AccountID:   testAccount,
		UserName:    testUserName,
		AccessKeyID: testUserKey,
		ExpiresAt:   testEpoch.Add(DefaultIdleTimeout).Format(time.RFC3339),
	}
	if info != want {
		t.Errorf("sign-in answered %+v, want %+v", info, want)
	}
	if !wellFormedID(info.CSRFToken) || info.CSRFToken == cookie {
		t.Errorf("CSRF token %q (cookie %q)", info.CSRFToken, cookie)
	}
	h.clock.Advance(10 * time.Minute)
	rec := h.do(withSession(request("GET", sessionPath, ""), cookie, ""))
	var got sessionInfo
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want.ExpiresAt = testEpoch.Add(10*time.Minute + DefaultIdleTimeout).Format(time.RFC3339)
	if got != want {
		t.Errorf("GET session answered %+v, want %+v", got, want)
	}
	if len(rec.Result().Cookies()) != 0 {
		t.Error("GET session set a cookie")
	}
}

func TestSignOut(t *testing.T) {
	h := newHarness(t)
	cookie, info := h.signIn(testRootKey, testRootSecret)
	rec := h.do(withSession(request("DELETE", sessionPath, ""), cookie, info.CSRFToken))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	cleared := rec.Result().Cookies()
	if len(cleared) != 1 || cleared[0].Name != CookieName || cleared[0].Value != "" || cleared[0].MaxAge >= 0 {
		t.Errorf("sign-out cookie %+v", cleared)
	}
	if h.console.sessions.len() != 0 {
		t.Error("the session outlived sign-out")
	}
	for _, r := range []*http.Request{
		withSession(request("GET", sessionPath, ""), cookie, ""),
		withSession(request("DELETE", sessionPath, ""), cookie, info.CSRFToken),
	} {
		if rec := h.do(r); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s after sign-out: %d", r.Method, rec.Code)
		}
	}
}

// TestSignInAgainEndsOldSession: a browser that signs in again with its
// old cookie does not leave the old session behind.
func TestSignInAgainEndsOldSession(t *testing.T) {
	h := newHarness(t)
	old, _ := h.signIn(testRootKey, testRootSecret)
	r := signInRequest(testUserKey, testUserSecret)
	r.AddCookie(&http.Cookie{Name: CookieName, Value: old})
	if rec := h.do(r); rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if rec := h.do(withSession(request("GET", sessionPath, ""), old, "")); rec.Code != http.StatusUnauthorized {
		t.Errorf("old session: %d", rec.Code)
	}
	if n := h.console.sessions.len(); n != 1 {
		t.Errorf("%d sessions", n)
	}
}

// TestErrorTable: every code has one status, and a message.
func TestErrorTable(t *testing.T) {
	status := map[string]int{}
	for _, e := range errorCodes {
		if e.Message == "" || e.Code == "" {
			t.Errorf("%+v lacks a code or message", e)
		}
		if s, ok := status[e.Code]; ok && s != e.Status {
			t.Errorf("%s has statuses %d and %d", e.Code, s, e.Status)
		}
		status[e.Code] = e.Status
	}
}

func TestInternalErrorIsGeneric(t *testing.T) {
	h := newHarness(t)
	rec := httptest.NewRecorder()
	h.console.renderError(rec, request("GET", sessionPath, ""), errors.New("disk on fire at /var/secret/path"))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "disk on fire") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(h.logs.String(), "disk on fire") {
		t.Error("the cause was not logged")
	}
}

// TestSecretsNeverLogged walks a session through refusals, a sign-in, a
// proxied call and a sign-out, including a secret pasted into the access
// key field; the harness then finds no secret in any log line.
func TestSecretsNeverLogged(t *testing.T) {
	router := newRecorder()
	h := newHarness(t, func(c *Config) { c.Router = router })
	h.do(signInRequest(testRootSecret, testRootSecret))
	h.do(signInRequest(testUserKey, testRootSecret))
	cookie, info := h.signIn(testRootKey, testRootSecret)
	h.do(withSession(request(http.MethodPut, awsPrefix+"s3/bucket/key", "data"), cookie, info.CSRFToken))
	h.do(withSession(request(http.MethodDelete, sessionPath, ""), cookie, info.CSRFToken))
	logs := h.logs.String()
	for _, want := range []string{"console sign-in refused", "console sign-in", "console sign-out", testRootKey} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %q:\n%s", want, logs)
		}
	}
	for _, never := range []string{cookie, info.CSRFToken} {
		if strings.Contains(logs, never) {
			t.Error("a session cookie or CSRF token was logged")
		}
	}
}
