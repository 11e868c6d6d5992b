package sse

import (
	"context"
	"errors"
	"time"

	"github.com/cofferlabs/coffer"
)

// AbortStaleUploads aborts every multipart upload initiated more than
// maxAge ago and returns how many it aborted. Amazon S3 keeps such uploads
// (and bills their parts) until a lifecycle rule aborts them; a laptop-sized
// server is better served by a default expiry, which the operator sets.
func (s *Service) AbortStaleUploads(ctx context.Context, maxAge time.Duration) (int, error) {
	buckets, err := s.store.ListBuckets(ctx)
	if err != nil {
		return 0, err
	}
	cutoff := s.now().Add(-maxAge)
	aborted := 0
	for _, b := range buckets {
		uploads, err := s.store.ListUploads(ctx, b.Name)
		if errors.Is(err, coffer.ErrNoSuchBucket) {
			continue // deleted meanwhile
		}
		if err != nil {
			return aborted, err
		}
		for _, up := range uploads {
			if !up.Initiated.Before(cutoff) {
				continue
			}
			err := s.store.AbortUpload(ctx, up.Bucket, up.Key, up.ID)
			switch {
			case err == nil:
				aborted++
			case errors.Is(err, coffer.ErrNoSuchUpload), errors.Is(err, coffer.ErrNoSuchBucket):
				// completed or aborted by its client meanwhile
			default:
				return aborted, err
			}
		}
	}
	return aborted, nil
}
