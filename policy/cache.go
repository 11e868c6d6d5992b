package policy

import (
	"errors"
	"sync"
)

// docCache keeps parsed documents keyed by their text, one map per kind,
// so that a policy attached to a bucket, a key or a user is parsed once
// and then only evaluated: parsing costs far more than evaluating. A
// document that fails to parse is kept too, with its error, so that a
// broken stored policy is not parsed again on every request. Each map is
// bounded: when it is full it is emptied and refilled by the requests
// that follow (the live set of documents is small; a flood of distinct
// documents costs parsing, never unbounded memory).
type docCache struct {
	mu       sync.RWMutex
	resource map[string]parsed
	identity map[string]parsed
}

type parsed struct {
	p   *Policy
	err error // an *Error
}

// maxCachedDocuments bounds each kind's map.
const maxCachedDocuments = 4096

// maxEvaluatedSize is the size limit documents are parsed with for
// evaluation: the largest AWS allows for any policy Coffer stores (a key
// policy). Each service applies its own, smaller limit when a policy is
// put (MaxBucketPolicySize for bucket policies, IAM's for user policies),
// so this one only bounds the work a corrupt stored document can cause.
const maxEvaluatedSize = MaxKeyPolicySize

func newDocCache() *docCache {
	return &docCache{resource: map[string]parsed{}, identity: map[string]parsed{}}
}

// get returns the parsed document, parsing it on first use. A refusal is
// the *Error ParseWith returned.
func (c *docCache) get(doc []byte, kind Kind) (*Policy, error) {
	c.mu.RLock()
	m := c.resource
	if kind == IdentityPolicy {
		m = c.identity
	}
	e, ok := m[string(doc)]
	c.mu.RUnlock()
	if ok {
		return e.p, e.err
	}
	p, err := ParseWith(doc, Options{Kind: kind, MaxSize: maxEvaluatedSize})
	var perr *Error
	if err != nil && !errors.As(err, &perr) {
		return nil, err // not a verdict on the document: do not keep it
	}
	c.mu.Lock()
	if len(m) >= maxCachedDocuments {
		clear(m)
	}
	m[string(doc)] = parsed{p: p, err: err}
	c.mu.Unlock()
	return p, err
}
