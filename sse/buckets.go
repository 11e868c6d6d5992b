package sse

import (
	"context"

	"github.com/cofferlabs/coffer"
)

func (s *Service) CreateBucket(ctx context.Context, bucket string) error {
	if err := coffer.ValidateBucketName(bucket); err != nil {
		return err
	}
	rec := coffer.BucketRecord{Name: bucket, Created: s.now()}
	doc, err := s.newBucketRule()
	if err != nil {
		return err
	}
	if doc != nil {
		rec.Config = map[string][]byte{encryptionConfigName: doc}
	}
	defer s.changedBucket(bucket)
	return s.store.CreateBucket(ctx, rec)
}

func (s *Service) HeadBucket(ctx context.Context, bucket string) (coffer.BucketInfo, error) {
	rec, err := s.bucket(ctx, bucket)
	if err != nil {
		return coffer.BucketInfo{}, err
	}
	return s.bucketInfo(rec), nil
}

func (s *Service) ListBuckets(ctx context.Context) ([]coffer.BucketInfo, error) {
	recs, err := s.store.ListBuckets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]coffer.BucketInfo, 0, len(recs))
	for _, rec := range recs {
		out = append(out, s.bucketInfo(rec))
	}
	return out, nil
}

func (s *Service) DeleteBucket(ctx context.Context, bucket string) error {
	defer s.changedBucket(bucket)
	return s.store.DeleteBucket(ctx, bucket)
}

func (s *Service) bucketInfo(rec coffer.BucketRecord) coffer.BucketInfo {
	return coffer.BucketInfo{Name: rec.Name, Created: rec.Created, Region: s.opts.Region}
}
