package sse

import (
	"context"
	"sync"

	"github.com/cofferlabs/coffer"
)

// maxCachedBuckets bounds the bucket record cache.
const maxCachedBuckets = 4096

// bucketCache keeps bucket records in memory: every request reads its
// bucket's rule and policy, and decoding the record (a bucket policy is
// up to 20 KiB of JSON) cost a quarter of a small PUT's CPU. The Service
// is the store's only writer, so it invalidates on each of its own bucket
// writes; a generation counter keeps a read that raced with a write from
// caching what it read before the write.
type bucketCache struct {
	mu   sync.Mutex
	gen  uint64
	recs map[string]coffer.BucketRecord
}

// bucket returns the record of a bucket (ErrNoSuchBucket when it does not
// exist). The record is shared: callers must not modify its Config.
func (s *Service) bucket(ctx context.Context, name string) (coffer.BucketRecord, error) {
	c := &s.buckets
	c.mu.Lock()
	rec, ok := c.recs[name]
	gen := c.gen
	c.mu.Unlock()
	if ok {
		return rec, nil
	}
	rec, err := s.store.GetBucket(ctx, name)
	if err != nil {
		return coffer.BucketRecord{}, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.recs == nil || len(c.recs) >= maxCachedBuckets {
			c.recs = make(map[string]coffer.BucketRecord)
		}
		c.recs[name] = rec
	}
	c.mu.Unlock()
	return rec, nil
}

// changedBucket forgets a bucket after the Service changed it in the store.
func (s *Service) changedBucket(name string) {
	c := &s.buckets
	c.mu.Lock()
	c.gen++
	delete(c.recs, name)
	c.mu.Unlock()
}

// updateBucket is Store.UpdateBucket that keeps the cache right.
func (s *Service) updateBucket(ctx context.Context, name string, fn func(*coffer.BucketRecord) error) error {
	defer s.changedBucket(name)
	return s.store.UpdateBucket(ctx, name, fn)
}
