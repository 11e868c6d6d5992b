package sse

import (
	"bytes"
	"context"
	"fmt"

	"github.com/cofferlabs/coffer"
)

// policyConfigName is the BucketRecord.Config entry of the bucket policy,
// kept as the client sent it (FORMAT.md §13).
const policyConfigName = "policy"

// MaxBucketPolicySize is S3's limit on a bucket policy.
const MaxBucketPolicySize = 20 << 10

func (s *Service) PutBucketPolicy(ctx context.Context, bucket string, doc []byte) error {
	if _, err := s.bucket(ctx, bucket); err != nil {
		return err
	}
	if s.opts.ValidateBucketPolicy == nil {
		return fmt.Errorf("sse: bucket policies without a validator: %w", coffer.ErrNotImplemented)
	}
	if len(doc) > MaxBucketPolicySize {
		return &coffer.ArgumentError{Code: "MalformedPolicy", Name: "Policy", Message: "Policies must not exceed 20480 bytes."}
	}
	if err := s.opts.ValidateBucketPolicy(doc, bucket); err != nil {
		return err
	}
	stored := bytes.Clone(doc)
	return s.updateBucket(ctx, bucket, func(rec *coffer.BucketRecord) error {
		if rec.Config == nil {
			rec.Config = make(map[string][]byte)
		}
		rec.Config[policyConfigName] = stored
		return nil
	})
}

func (s *Service) GetBucketPolicy(ctx context.Context, bucket string) ([]byte, error) {
	rec, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	doc, ok := rec.Config[policyConfigName]
	if !ok {
		return nil, coffer.ErrNoSuchBucketPolicy
	}
	return doc, nil
}

func (s *Service) DeleteBucketPolicy(ctx context.Context, bucket string) error {
	return s.updateBucket(ctx, bucket, func(rec *coffer.BucketRecord) error {
		delete(rec.Config, policyConfigName)
		return nil
	})
}
