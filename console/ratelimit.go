package console

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/cofferlabs/coffer"
)

// maxLimiterEntries bounds the addresses the sign-in limiter remembers.
// When that many have attempts on record, addresses that have earned all
// their tokens back are forgotten; if none has, sign-ins from new addresses
// are refused until some have (failing closed rather than forgetting an
// attacker's count).
const maxLimiterEntries = 1 << 16

// limiter is a token bucket per source address: perMinute tokens at most,
// refilled at perMinute per minute. A sign-in attempt takes a token before
// the credentials are checked and gives it back when they were right, so
// only failures count, and concurrent guesses cannot overdraw the bucket.
type limiter struct {
	now       func() time.Time
	perMinute float64
	max       int

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens  float64
	updated time.Time
}

func newLimiter(now func() time.Time, perMinute, maxEntries int) *limiter {
	return &limiter{now: now, perMinute: float64(perMinute), max: maxEntries, buckets: make(map[string]*bucket)}
}

// take takes a token for addr. When there is none it reports how long
// until there is one.
func (l *limiter) take(addr string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, known := l.buckets[addr]
	if !known {
		if len(l.buckets) >= l.max {
			l.forgetFullLocked(now)
		}
		if len(l.buckets) >= l.max {
			return false, time.Minute
		}
		b = &bucket{tokens: l.perMinute, updated: now}
		l.buckets[addr] = b
	}
	l.refill(b, now)
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.perMinute * float64(time.Minute))
	}
	b.tokens--
	return true, 0
}

// giveBack returns the token a successful sign-in took.
func (l *limiter) giveBack(addr string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[addr]; ok {
		l.refill(b, now)
		b.tokens = min(b.tokens+1, l.perMinute)
	}
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.updated); elapsed > 0 {
		b.tokens = min(l.perMinute, b.tokens+elapsed.Minutes()*l.perMinute)
		b.updated = now
	}
}

func (l *limiter) forgetFullLocked(now time.Time) {
	for addr, b := range l.buckets {
		if l.refill(b, now); b.tokens >= l.perMinute {
			delete(l.buckets, addr)
		}
	}
}

// limitKey is the address sign-ins are counted by: the request facts'
// source IP (the transport middleware's, which believes only trusted
// proxies), else the connection's peer. IPv6 addresses count by /64, the
// block one host usually holds.
func limitKey(r *http.Request) string {
	ip := coffer.RequestInfoFrom(r.Context()).SourceIP
	if ip == "" {
		ip = r.RemoteAddr
		if host, _, err := net.SplitHostPort(ip); err == nil {
			ip = host
		}
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		if p, err := addr.Prefix(64); err == nil {
			return p.String()
		}
	}
	return addr.String()
}

// sourceIP is the address logged for a request.
func sourceIP(r *http.Request) string {
	if ip := coffer.RequestInfoFrom(r.Context()).SourceIP; ip != "" {
		return ip
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
