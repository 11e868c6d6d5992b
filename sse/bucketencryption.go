package sse

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cofferlabs/coffer"
)

const (
	// encryptionConfigName is the BucketRecord.Config entry of the rule.
	encryptionConfigName = "encryption"
	// encryptionConfigV1 is the version of the stored JSON (FORMAT.md §8).
	encryptionConfigV1 = 1
	sseDSSE            = coffer.SSEType("aws:kms:dsse")
	blockSSEC          = "SSE-C"
	blockNone          = "NONE"
)

// storedEncryption is a bucket's rule as kept in BucketRecord.Config.
type storedEncryption struct {
	Version          int            `json:"v"`
	Algorithm        coffer.SSEType `json:"alg"`
	KMSMasterKeyID   string         `json:"kmsKey,omitempty"`
	BucketKeyEnabled bool           `json:"bucketKey,omitempty"`
	Blocked          []string       `json:"blocked,omitempty"`
}

// defaultBucketEncryption is the rule of a bucket that never set one.
var defaultBucketEncryption = coffer.BucketEncryption{Algorithm: coffer.SSES3}

// PutBucketEncryption validates the rule's shape (the KMS key is resolved
// only when a write uses it, as S3 does) and stores it.
func (s *Service) PutBucketEncryption(ctx context.Context, bucket string, enc coffer.BucketEncryption) error {
	if _, err := s.bucket(ctx, bucket); err != nil {
		return err
	}
	if err := s.validateBucketEncryption(enc); err != nil {
		return err
	}
	doc, err := encodeBucketEncryption(enc)
	if err != nil {
		return err
	}
	return s.updateBucket(ctx, bucket, func(rec *coffer.BucketRecord) error {
		if rec.Config == nil {
			rec.Config = make(map[string][]byte)
		}
		rec.Config[encryptionConfigName] = doc
		return nil
	})
}

func (s *Service) GetBucketEncryption(ctx context.Context, bucket string) (coffer.BucketEncryption, error) {
	return s.bucketRule(ctx, bucket)
}

// DeleteBucketEncryption resets the bucket to the rule of a new bucket:
// SSE-S3, blocking SSE-C when the server blocks it by default (a reset
// must not be a way around the operator's choice); deleting twice is not
// an error.
func (s *Service) DeleteBucketEncryption(ctx context.Context, bucket string) error {
	doc, err := s.newBucketRule()
	if err != nil {
		return err
	}
	return s.updateBucket(ctx, bucket, func(rec *coffer.BucketRecord) error {
		delete(rec.Config, encryptionConfigName)
		if doc != nil {
			if rec.Config == nil {
				rec.Config = make(map[string][]byte)
			}
			rec.Config[encryptionConfigName] = doc
		}
		return nil
	})
}

// newBucketRule is the stored rule of a new bucket: none (SSE-S3, nothing
// blocked) unless the server blocks SSE-C by default.
func (s *Service) newBucketRule() ([]byte, error) {
	if !s.opts.BlockSSECByDefault {
		return nil, nil
	}
	return encodeBucketEncryption(coffer.BucketEncryption{Algorithm: coffer.SSES3, BlockedEncryptionTypes: []string{blockSSEC}})
}

// bucketRule reads a bucket's rule, failing with ErrNoSuchBucket for a
// missing bucket.
func (s *Service) bucketRule(ctx context.Context, bucket string) (coffer.BucketEncryption, error) {
	rec, err := s.bucket(ctx, bucket)
	if err != nil {
		return coffer.BucketEncryption{}, err
	}
	return decodeBucketEncryption(rec.Config[encryptionConfigName])
}

// encodeBucketEncryption is the stored form of a rule (FORMAT.md §8).
func encodeBucketEncryption(enc coffer.BucketEncryption) ([]byte, error) {
	return json.Marshal(storedEncryption{
		Version: encryptionConfigV1, Algorithm: enc.Algorithm, KMSMasterKeyID: enc.KMSMasterKeyID,
		BucketKeyEnabled: enc.BucketKeyEnabled, Blocked: enc.BlockedEncryptionTypes,
	})
}

// decodeBucketEncryption parses a stored rule; nil means the default.
func decodeBucketEncryption(doc []byte) (coffer.BucketEncryption, error) {
	if doc == nil {
		return defaultBucketEncryption, nil
	}
	var stored storedEncryption
	if err := json.Unmarshal(doc, &stored); err != nil || stored.Version != encryptionConfigV1 {
		return coffer.BucketEncryption{}, fmt.Errorf("sse: stored bucket encryption is unreadable: %w", coffer.ErrCorruptData)
	}
	return coffer.BucketEncryption{
		Algorithm: stored.Algorithm, KMSMasterKeyID: stored.KMSMasterKeyID,
		BucketKeyEnabled: stored.BucketKeyEnabled, BlockedEncryptionTypes: slices.Clone(stored.Blocked),
	}, nil
}

func (s *Service) validateBucketEncryption(enc coffer.BucketEncryption) error {
	switch enc.Algorithm {
	case coffer.SSES3:
		if enc.KMSMasterKeyID != "" {
			return &coffer.ArgumentError{
				Name:    "ApplyServerSideEncryptionByDefault",
				Message: "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
			}
		}
	case coffer.SSEKMS:
		if s.kms == nil {
			return fmt.Errorf("sse: default SSE-KMS without a KMS: %w", coffer.ErrNotImplemented)
		}
		if len(enc.KMSMasterKeyID) > maxKeyARNBytes {
			return &coffer.ArgumentError{Name: "KMSMasterKeyID", Message: "The KMS key id is too long."}
		}
	case sseDSSE:
		return fmt.Errorf("sse: default dual-layer SSE-KMS: %w", coffer.ErrNotImplemented)
	default:
		return &coffer.ArgumentError{Code: "MalformedXML", Name: "SSEAlgorithm", Value: string(enc.Algorithm),
			Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	}
	for _, t := range enc.BlockedEncryptionTypes {
		if t != blockSSEC && t != blockNone {
			return &coffer.ArgumentError{Code: "MalformedXML", Name: "EncryptionType", Value: t,
				Message: "The XML you provided was not well-formed or did not validate against our published schema"}
		}
	}
	return nil
}
