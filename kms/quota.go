package kms

import (
	"sync"
	"time"
)

// tokenBucket is the request quota shared by the cryptographic operations:
// it refills at rate tokens per second up to one second's worth, so a burst
// of a full second's quota passes and a sustained rate above it does not.
// A nil bucket admits everything.
type tokenBucket struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

func newTokenBucket(perSecond int, now time.Time) *tokenBucket {
	if perSecond == 0 {
		return nil
	}
	return &tokenBucket{rate: float64(perSecond), tokens: float64(perSecond), last: now}
}

// take spends one token if one is left at time now.
func (b *tokenBucket) take(now time.Time) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(b.rate, b.tokens+elapsed.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
