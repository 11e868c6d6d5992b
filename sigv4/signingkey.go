package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
)

// maxCachedKeys bounds the signing-key cache; past it an arbitrary entry is
// dropped, so memory stays constant whatever the number of clients.
const maxCachedKeys = 1024

// SigningKey derives the SigV4 signing key
//
//	HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")
//
// for a scope date (YYYYMMDD). Keys are cached per secret, date, region and
// service; the cache is keyed by a hash of the secret, never the secret. The
// returned slice is the caller's own copy.
func SigningKey(secret, date, region, service string) []byte {
	return append([]byte(nil), signingKeys.get(secret, date, region, service)...)
}

type keyCacheKey struct {
	secret                [sha256.Size]byte
	date, region, service string
}

type keyCache struct {
	mu   sync.Mutex
	keys map[keyCacheKey][]byte
}

var signingKeys = &keyCache{keys: make(map[keyCacheKey][]byte)}

// get returns the cached key; callers must not modify it.
func (c *keyCache) get(secret, date, region, service string) []byte {
	k := keyCacheKey{secret: sha256.Sum256([]byte(secret)), date: date, region: region, service: service}
	c.mu.Lock()
	key, ok := c.keys[k]
	c.mu.Unlock()
	if ok {
		return key
	}
	key = deriveSigningKey(secret, date, region, service)
	c.mu.Lock()
	if len(c.keys) >= maxCachedKeys {
		for old := range c.keys {
			delete(c.keys, old)
			break
		}
	}
	c.keys[k] = key
	c.mu.Unlock()
	return key
}

func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
