package sse

import (
	"context"

	"github.com/cofferlabs/coffer"
)

// DeleteObject removes an object and its data; a missing key is success,
// as in S3.
func (s *Service) DeleteObject(ctx context.Context, bucket, key string) error {
	if err := coffer.ValidateObjectKey(key); err != nil {
		return err
	}
	if err := s.store.DeleteObject(ctx, bucket, key); err != nil && !isNoSuchKey(err) {
		return err
	}
	return nil
}
