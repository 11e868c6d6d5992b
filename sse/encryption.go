package sse

import (
	"fmt"
	"slices"

	"github.com/cofferlabs/coffer"
)

const sseHeader = "x-amz-server-side-encryption"

// writeEncryption is how a write will encrypt its object: the type, and
// for SSE-KMS what to ask the KMS.
type writeEncryption struct {
	Type coffer.SSEType
	KMS  kmsRequest
}

// resolveEncryption turns what a write asked for into how the object will
// be encrypted. The zero request means the bucket's rule; a bucket key
// comes from the request's header when sent, else from the rule (spec
// §3.8), and counts for SSE-KMS only.
func (s *Service) resolveEncryption(req coffer.EncryptionRequest, rule coffer.BucketEncryption) (writeEncryption, error) {
	if req.CustomerKey != nil || req.Type == coffer.SSEC {
		if slices.Contains(rule.BlockedEncryptionTypes, blockSSEC) {
			return writeEncryption{}, fmt.Errorf("sse: SSE-C write: %w", coffer.ErrEncryptionTypeBlocked)
		}
		return writeEncryption{}, fmt.Errorf("sse: SSE-C: %w", coffer.ErrNotImplemented)
	}
	bucketKey := rule.BucketKeyEnabled
	if req.BucketKeyEnabled != nil {
		bucketKey = *req.BucketKeyEnabled
	}
	switch req.Type {
	case "", coffer.SSES3:
		if req.KMSKeyID != "" || len(req.KMSContext) > 0 {
			return writeEncryption{}, &coffer.ArgumentError{
				Name: sseHeader, Value: string(req.Type),
				Message: "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
			}
		}
		if req.Type == "" && rule.Algorithm == coffer.SSEKMS {
			return s.kmsEncryption(kmsRequest{KeyID: rule.KMSMasterKeyID, BucketKey: bucketKey})
		}
		// A bucket key is accepted and ignored for SSE-S3, as S3 does.
		return writeEncryption{Type: coffer.SSES3}, nil
	case coffer.SSEKMS:
		if err := validateUserContext(req.KMSContext); err != nil {
			return writeEncryption{}, err
		}
		return s.kmsEncryption(kmsRequest{KeyID: req.KMSKeyID, Context: req.KMSContext, BucketKey: bucketKey})
	case sseDSSE:
		return writeEncryption{}, fmt.Errorf("sse: dual-layer SSE-KMS: %w", coffer.ErrNotImplemented)
	default:
		return writeEncryption{}, &coffer.ArgumentError{
			Name: sseHeader, Value: string(req.Type),
			Message: "The encryption method specified is not supported",
		}
	}
}

func (s *Service) kmsEncryption(req kmsRequest) (writeEncryption, error) {
	if s.kms == nil {
		return writeEncryption{}, fmt.Errorf("sse: SSE-KMS without a KMS: %w", coffer.ErrNotImplemented)
	}
	if len(req.KeyID) > maxKeyARNBytes {
		return writeEncryption{}, &coffer.ArgumentError{Name: sseHeader + "-aws-kms-key-id", Message: "The KMS key id is too long."}
	}
	return writeEncryption{Type: coffer.SSEKMS, KMS: req}, nil
}

// checkCustomerKeyForRead rejects SSE-C parameters on reads of objects that
// are not SSE-C (S3 answers InvalidRequest), and SSE-C objects until SSE-C
// is implemented.
func checkCustomerKeyForRead(enc coffer.EncryptionInfo, key *coffer.CustomerKey) error {
	if enc.Type == coffer.SSEC {
		return fmt.Errorf("sse: SSE-C objects: %w", coffer.ErrNotImplemented)
	}
	if key != nil {
		return &coffer.ArgumentError{
			Code: "InvalidRequest", Name: sseHeader + "-customer-algorithm", Value: "AES256",
			Message: "The encryption parameters are not applicable to this object.",
		}
	}
	return nil
}
