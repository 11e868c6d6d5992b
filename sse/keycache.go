package sse

import (
	"context"
	"crypto/cipher"
	"sync"
	"time"
)

// maxCachedKeys bounds the bucket keys held in memory per cache.
const maxCachedKeys = 4096

// cachedKEK is a key-encryption key the KMS released: the AEAD made from
// it, the ARN of the KMS key that protects it and its KMS ciphertext blob.
type cachedKEK struct {
	kek    cipher.AEAD
	keyARN string
	blob   []byte
}

// keyCache keeps KEKs for a bounded time, so that a bucket key costs one
// KMS call per caller per TTL instead of one per object. Concurrent misses
// for one id make a single KMS call; failures are never cached, and a
// request whose wait ends in another request's failure asks the KMS
// itself, so each caller gets its own answer.
type keyCache struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu        sync.Mutex
	entries   map[string]*cacheEntry
	lastPurge time.Time
}

type cacheEntry struct {
	ready   chan struct{} // closed once val or err is set
	val     cachedKEK
	err     error
	expires time.Time
}

func newKeyCache(ttl time.Duration, max int, now func() time.Time) *keyCache {
	return &keyCache{ttl: ttl, max: max, now: now, entries: make(map[string]*cacheEntry)}
}

// get returns the KEK cached under id, or calls fill to get one.
func (c *keyCache) get(ctx context.Context, id string, fill func() (cachedKEK, error)) (cachedKEK, error) {
	for {
		c.mu.Lock()
		now := c.now()
		c.purgeExpired(now)
		e := c.entries[id]
		if e != nil && e.filled() && !now.Before(e.expires) {
			delete(c.entries, id)
			e = nil
		}
		if e == nil {
			return c.fill(id, fill)
		}
		c.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return cachedKEK{}, ctx.Err()
		}
		if e.err == nil {
			return e.val, nil
		}
	}
}

// fill is called with c.mu held and releases it while fill runs.
func (c *keyCache) fill(id string, fill func() (cachedKEK, error)) (cachedKEK, error) {
	e := &cacheEntry{ready: make(chan struct{})}
	c.makeRoom()
	c.entries[id] = e
	c.mu.Unlock()

	val, err := fill()

	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		e.err = err
		if c.entries[id] == e {
			delete(c.entries, id)
		}
	} else {
		e.val, e.expires = val, c.now().Add(c.ttl)
	}
	close(e.ready)
	return val, err
}

func (e *cacheEntry) filled() bool {
	select {
	case <-e.ready:
		return true
	default:
		return false
	}
}

// purgeExpired drops expired keys now and then, so key material does not
// outlive its TTL by much even when nobody asks for it again.
func (c *keyCache) purgeExpired(now time.Time) {
	if now.Sub(c.lastPurge) < c.ttl/4 {
		return
	}
	c.lastPurge = now
	for id, e := range c.entries {
		if e.filled() && !now.Before(e.expires) {
			delete(c.entries, id)
		}
	}
}

// makeRoom evicts, when the cache is full, the key closest to expiry.
func (c *keyCache) makeRoom() {
	if len(c.entries) < c.max {
		return
	}
	victim, soonest := "", time.Time{}
	for id, e := range c.entries {
		if e.filled() && (victim == "" || e.expires.Before(soonest)) {
			victim, soonest = id, e.expires
		}
	}
	if victim != "" {
		delete(c.entries, victim)
	}
}

// len reports how many entries the cache holds (tests).
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
