package console

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/internal/testkit"
)

// TestSignInRateLimit: ten failures a minute per address; then even the
// right secret gets 429 (no oracle), until tokens come back.
func TestSignInRateLimit(t *testing.T) {
	h := newHarness(t)
	for i := range DefaultSignInsPerMinute {
		if rec := h.do(signInRequest(testRootKey, "wrong")); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, rec.Code)
		}
	}
	for _, r := range []*http.Request{signInRequest(testRootKey, "wrong"), signInRequest(testRootKey, testRootSecret)} {
		rec := h.do(r)
		if rec.Code != http.StatusTooManyRequests || errorCode(t, rec.Body.Bytes()) != "TooManyRequests" {
			t.Fatalf("over the limit: %d %s", rec.Code, rec.Body)
		}
		if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 6 {
			t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
		}
		if len(rec.Result().Cookies()) != 0 {
			t.Error("a rate-limited sign-in set a cookie")
		}
	}

	// Another address is not affected.
	other := signInRequest(testRootKey, testRootSecret)
	other.RemoteAddr = "192.0.2.99:4000"
	if rec := h.do(other); rec.Code != http.StatusOK {
		t.Errorf("another address: %d", rec.Code)
	}

	// One token back every six seconds.
	h.clock.Advance(6 * time.Second)
	if rec := h.do(signInRequest(testRootKey, testRootSecret)); rec.Code != http.StatusOK {
		t.Errorf("after 6s: %d %s", rec.Code, rec.Body)
	}
	h.clock.Advance(time.Minute)
	for i := range DefaultSignInsPerMinute {
		if rec := h.do(signInRequest(testRootKey, "wrong")); rec.Code != http.StatusUnauthorized {
			t.Fatalf("after a minute, attempt %d: %d", i, rec.Code)
		}
	}
	if rec := h.do(signInRequest(testRootKey, "wrong")); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the bucket refilled beyond its size: %d", rec.Code)
	}
	if !containsAll(h.logs.String(), "console sign-in rate-limited", "198.51.100.7") {
		t.Error("rate limiting was not logged with the address")
	}
}

// TestSuccessfulSignInsAreFree: a user signing in often is never locked out.
func TestSuccessfulSignInsAreFree(t *testing.T) {
	h := newHarness(t)
	for i := range 3 * DefaultSignInsPerMinute {
		if rec := h.do(signInRequest(testUserKey, testUserSecret)); rec.Code != http.StatusOK {
			t.Fatalf("sign-in %d: %d", i, rec.Code)
		}
	}
}

// TestRateLimitKey: the request facts' address counts (not the proxy's),
// and IPv6 addresses count by /64.
func TestRateLimitKey(t *testing.T) {
	cases := []struct {
		name       string
		remoteAddr string
		sourceIP   string
		want       string
	}{
		{name: "peer", remoteAddr: "192.0.2.1:1234", want: "192.0.2.1"},
		{name: "request facts win", remoteAddr: "10.0.0.1:1234", sourceIP: "203.0.113.8", want: "203.0.113.8"},
		{name: "IPv6 by /64", remoteAddr: "[2001:db8:1:2:3:4:5:6]:443", want: "2001:db8:1:2::/64"},
		{name: "IPv6 facts by /64", sourceIP: "2001:db8:1:2::99", want: "2001:db8:1:2::/64"},
		{name: "IPv4-mapped", remoteAddr: "[::ffff:192.0.2.1]:1", want: "192.0.2.1"},
		{name: "not an address", remoteAddr: "pipe", want: "pipe"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := request("POST", sessionPath, "")
			r.RemoteAddr = tc.remoteAddr
			if tc.sourceIP != "" {
				r = r.WithContext(coffer.WithRequestInfo(r.Context(), coffer.RequestInfo{SourceIP: tc.sourceIP}))
			}
			if got := limitKey(r); got != tc.want {
				t.Errorf("limitKey %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLimiterBounded: with its table full of addresses still counting,
// the limiter refuses new addresses instead of forgetting old counts; once
// they have earned their tokens back it forgets them.
func TestLimiterBounded(t *testing.T) {
	c := testkit.NewClock(testEpoch)
	l := newLimiter(c.Now, 10, 3)
	for _, a := range []string{"a", "b", "c"} {
		if ok, _ := l.take(a); !ok {
			t.Fatalf("take %s", a)
		}
	}
	if ok, wait := l.take("d"); ok || wait <= 0 {
		t.Errorf("a fourth address got a token (%v, %v)", ok, wait)
	}
	c.Advance(6 * time.Second)
	if ok, _ := l.take("d"); !ok {
		t.Error("full buckets were not forgotten")
	}
	if len(l.buckets) != 1 {
		t.Errorf("%d buckets", len(l.buckets))
	}
}

// TestLimiterConcurrent: parallel guesses cannot overdraw a bucket.
func TestLimiterConcurrent(t *testing.T) {
	c := testkit.NewClock(testEpoch)
	l := newLimiter(c.Now, 10, 100)
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.take("x"); ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if granted != 10 {
		t.Errorf("%d tokens granted, want 10", granted)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
