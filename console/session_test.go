package console

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// TestSessionExpiry moves the injected clock through the idle and the
// absolute limits.
func TestSessionExpiry(t *testing.T) {
	cases := []struct {
		name string
		// steps are the pauses between uses after sign-in; the session
		// must live through all but the last, which it must not survive
		// (or survive, when alive).
		steps []time.Duration
		alive bool
	}{
		{name: "used within the idle timeout", steps: []time.Duration{29 * time.Minute}, alive: true},
		{name: "idle for the whole timeout", steps: []time.Duration{30 * time.Minute}},
		{name: "idle timeout restarts on use", steps: []time.Duration{20 * time.Minute, 20 * time.Minute, 29 * time.Minute}, alive: true},
		{name: "idle after use", steps: []time.Duration{20 * time.Minute, 31 * time.Minute}},
		{name: "just under the absolute limit", steps: repeat(25*time.Minute, 28), alive: true}, // 11h40m
		{name: "used all along, past the absolute limit", steps: append(repeat(25*time.Minute, 28), 20*time.Minute)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			cookie, _ := h.signIn(testRootKey, testRootSecret)
			for i, step := range tc.steps {
				h.clock.Advance(step)
				rec := h.do(withSession(request("GET", sessionPath, ""), cookie, ""))
				last := i == len(tc.steps)-1
				wantAlive := !last || tc.alive
				if alive := rec.Code == http.StatusOK; alive != wantAlive {
					t.Fatalf("after step %d (%v): status %d, want alive=%v", i, step, rec.Code, wantAlive)
				}
				if !wantAlive {
					cleared := rec.Result().Cookies()
					if len(cleared) != 1 || cleared[0].MaxAge >= 0 {
						t.Errorf("an expired session's cookie was not cleared: %+v", cleared)
					}
					if h.console.sessions.len() != 0 {
						t.Error("the expired session is still held")
					}
				}
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	s := make([]time.Duration, n)
	for i := range s {
		s[i] = d
	}
	return s
}

// TestExpiresAtIsTheEarlierLimit: near the absolute limit, expiresAt is
// the absolute end, not the idle one.
func TestExpiresAtIsTheEarlierLimit(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.IdleTimeout, c.MaxLifetime = time.Hour, 90*time.Minute })
	cookie, info := h.signIn(testRootKey, testRootSecret)
	if want := testEpoch.Add(time.Hour).Format(time.RFC3339); info.ExpiresAt != want {
		t.Errorf("expiresAt %s, want %s", info.ExpiresAt, want)
	}
	h.clock.Advance(50 * time.Minute)
	rec := h.do(withSession(request("GET", sessionPath, ""), cookie, ""))
	if want := testEpoch.Add(90 * time.Minute).Format(time.RFC3339); !strings.Contains(rec.Body.String(), want) {
		t.Errorf("GET session %s, want expiresAt %s", rec.Body, want)
	}
}

// TestExpiredSessionWipesSecret: the store's copy of the secret is zeroed
// when a session ends.
func TestExpiredSessionWipesSecret(t *testing.T) {
	h := newHarness(t)
	cookie, _ := h.signIn(testRootKey, testRootSecret)
	sess := h.console.sessions.byID[hashID(cookie)]
	secret := sess.secret
	h.clock.Advance(DefaultIdleTimeout)
	h.do(withSession(request("GET", sessionPath, ""), cookie, ""))
	for _, b := range secret {
		if b != 0 {
			t.Fatal("the secret survived its session")
		}
	}
}

func TestMaxSessions(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxSessions = 2 })
	first, _ := h.signIn(testRootKey, testRootSecret)
	h.clock.Advance(time.Minute)
	second, _ := h.signIn(testUserKey, testUserSecret)
	h.clock.Advance(time.Minute)
	// Using the first makes the second the least recently used.
	h.do(withSession(request("GET", sessionPath, ""), first, ""))
	h.clock.Advance(time.Minute)
	third, _ := h.signIn(testRootKey, testRootSecret)
	for _, c := range []struct {
		name, cookie string
		alive        bool
	}{{"first", first, true}, {"second", second, false}, {"third", third, true}} {
		rec := h.do(withSession(request("GET", sessionPath, ""), c.cookie, ""))
		if alive := rec.Code == http.StatusOK; alive != c.alive {
			t.Errorf("%s session alive=%v, want %v", c.name, alive, c.alive)
		}
	}
	if n := h.console.sessions.len(); n != 2 {
		t.Errorf("%d sessions held", n)
	}
}

// TestSessionsSweepExpired: signing in drops every expired session.
func TestSessionsSweepExpired(t *testing.T) {
	h := newHarness(t)
	for range 5 {
		h.signIn(testRootKey, testRootSecret)
	}
	h.clock.Advance(DefaultIdleTimeout)
	h.signIn(testRootKey, testRootSecret)
	if n := h.console.sessions.len(); n != 1 {
		t.Errorf("%d sessions held, want 1", n)
	}
}

// TestCookieAttributes checks the session cookie's attributes, Secure
// only for a request that came over TLS (directly, or as the transport
// middleware's request facts say).
func TestCookieAttributes(t *testing.T) {
	cases := []struct {
		name   string
		adjust func(r *http.Request) *http.Request
		secure bool
	}{
		{name: "plain HTTP", adjust: func(r *http.Request) *http.Request { return r }},
		{name: "TLS", adjust: func(r *http.Request) *http.Request {
			r.TLS = &tls.ConnectionState{Version: tls.VersionTLS13}
			return r
		}, secure: true},
		{name: "HTTPS at a trusted proxy", adjust: func(r *http.Request) *http.Request {
			return r.WithContext(coffer.WithRequestInfo(r.Context(), coffer.RequestInfo{SourceIP: "203.0.113.5", SecureTransport: true}))
		}, secure: true},
		{name: "plain HTTP at a trusted proxy, TLS to Coffer", adjust: func(r *http.Request) *http.Request {
			r.TLS = &tls.ConnectionState{Version: tls.VersionTLS13}
			return r.WithContext(coffer.WithRequestInfo(r.Context(), coffer.RequestInfo{SourceIP: "203.0.113.5"}))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			rec := h.do(tc.adjust(signInRequest(testRootKey, testRootSecret)))
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			set := rec.Header().Values("Set-Cookie")
			if len(set) != 1 {
				t.Fatalf("Set-Cookie %q", set)
			}
			attrs := cookieAttributes(set[0])
			want := map[string]string{"Path": Prefix, "HttpOnly": "", "SameSite": "Strict", "Max-Age": "43200"}
			if tc.secure {
				want["Secure"] = ""
			}
			for k, v := range want {
				if got, ok := attrs[k]; !ok || got != v {
					t.Errorf("attribute %s=%q (present %v), want %q", k, got, ok, v)
				}
			}
			if _, ok := attrs["Secure"]; ok != tc.secure {
				t.Errorf("Secure present=%v, want %v", ok, tc.secure)
			}
			for _, forbidden := range []string{"Domain", "Expires"} {
				if _, ok := attrs[forbidden]; ok {
					t.Errorf("unexpected %s", forbidden)
				}
			}
			name, value, _ := strings.Cut(strings.Split(set[0], ";")[0], "=")
			if name != CookieName || !wellFormedID(value) {
				t.Errorf("cookie %s=%q", name, value)
			}

			// Sign-out clears it with the same scope.
			out := h.do(withSession(tc.adjust(request("DELETE", sessionPath, "")), value, jsonField(t, rec.Body.Bytes(), "csrfToken")))
			cleared := cookieAttributes(out.Header().Get("Set-Cookie"))
			if cleared["Max-Age"] != "0" || cleared["Path"] != Prefix || cleared["SameSite"] != "Strict" {
				t.Errorf("cleared cookie %q", out.Header().Get("Set-Cookie"))
			}
			if _, ok := cleared["Secure"]; ok != tc.secure {
				t.Errorf("cleared cookie Secure=%v, want %v", ok, tc.secure)
			}
		})
	}
}

// cookieAttributes splits a Set-Cookie value's attributes.
func cookieAttributes(setCookie string) map[string]string {
	attrs := map[string]string{}
	for i, part := range strings.Split(setCookie, ";") {
		if i == 0 {
			continue
		}
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		attrs[k] = v
	}
	return attrs
}

func jsonField(t testing.TB, body []byte, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[field].(string)
	return s
}
