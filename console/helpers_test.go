package console

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/internal/testkit"
)

const (
	testAccount    = "123456789012"
	testRootKey    = "AKIAROOTKEYEXAMPLE01"
	testRootSecret = "rootSecret/K7MDENG+bPxRfiCYEXAMPLEKEY01"
	testUserKey    = "AKIAUSERKEYEXAMPLE02"
	testUserSecret = "userSecret/K7MDENG+bPxRfiCYEXAMPLEKEY02"
	testUserName   = "alice"
	browserAddr    = "198.51.100.7:51234"
)

// testEpoch is the console's clock in unit tests.
var testEpoch = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

// clock is the shared settable test clock.
type clock = testkit.Clock

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer = testkit.LockedBuffer

// testAccounts answers Secret and Identify for a root key and one user.
type testAccounts struct{}

func (testAccounts) secret(accessKey string) (string, bool) {
	switch accessKey {
	case testRootKey:
		return testRootSecret, true
	case testUserKey:
		return testUserSecret, true
	}
	return "", false
}

func (testAccounts) identify(accessKey string) (coffer.Principal, bool) {
	switch accessKey {
	case testRootKey:
		return coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount}, true
	case testUserKey:
		return coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/" + testUserName,
			UserName: testUserName, UserID: "AIDAALICEEXAMPLE0001"}, true
	}
	return coffer.Principal{}, false
}

// harness drives a Console in process, checking that no response and no
// log line ever carries a secret.
type harness struct {
	t       testing.TB
	console *Console
	clock   *clock
	logs    *lockedBuffer
	secrets []string
}

func newHarness(t testing.TB, opts ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, clock: testkit.NewClock(testEpoch), logs: &lockedBuffer{},
		secrets: []string{testRootSecret, testUserSecret}}
	cfg := Config{
		Secret:   testAccounts{}.secret,
		Identify: testAccounts{}.identify,
		Logger:   slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:      h.clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	h.console = New(cfg)
	t.Cleanup(func() { checkNoSecret(t, "the logs", h.logs.String(), h.secrets) })
	return h
}

// request builds a browser request to the console.
func request(method, path, body string, headers ...string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
	}
	r.RemoteAddr = browserAddr
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

func (h *harness) do(r *http.Request) *httptest.ResponseRecorder {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.console.ServeHTTP(rec, r)
	checkNoSecretInResponse(h.t, rec.Result().Header, rec.Body.Bytes(), h.secrets)
	return rec
}

// signIn signs in and returns the session cookie's value and the session.
func (h *harness) signIn(accessKey, secret string) (cookie string, info sessionInfo) {
	h.t.Helper()
	rec := h.do(signInRequest(accessKey, secret))
	if rec.Code != http.StatusOK {
		h.t.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil {
		h.t.Fatal(err)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == CookieName {
			return c.Value, info
		}
	}
	h.t.Fatal("sign-in set no session cookie")
	return "", info
}

func signInRequest(accessKey, secret string) *http.Request {
	body, _ := json.Marshal(credentials{AccessKeyID: accessKey, SecretAccessKey: secret})
	return request(http.MethodPost, sessionPath, string(body), "Content-Type", "application/json")
}

// withSession adds the session cookie and, when csrf is not "", the CSRF
// header.
func withSession(r *http.Request, cookie, csrf string) *http.Request {
	r.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
	if csrf != "" {
		r.Header.Set(CSRFHeader, csrf)
	}
	return r
}

// errorCode decodes a console error body.
func errorCode(t testing.TB, body []byte) string {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	if e.Message == "" {
		t.Errorf("error %s has no message", e.Error)
	}
	return e.Error
}

func checkNoSecretInResponse(t testing.TB, h http.Header, body []byte, secrets []string) {
	t.Helper()
	var all strings.Builder
	for name, values := range h {
		all.WriteString(name + ": " + strings.Join(values, ", ") + "\n")
	}
	checkNoSecret(t, "the response headers", all.String(), secrets)
	checkNoSecret(t, "the response body", string(body), secrets)
}

func checkNoSecret(t testing.TB, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("a secret appears in %s", where)
		}
	}
}

func readAll(t testing.TB, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
