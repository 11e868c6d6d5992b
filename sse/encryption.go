package sse

import (
	"fmt"

	"github.com/cofferlabs/coffer"
)

const sseHeader = "x-amz-server-side-encryption"

// resolveEncryption turns what a write asked for into how the object will
// be encrypted. The zero request means the bucket default, SSE-S3.
func resolveEncryption(req coffer.EncryptionRequest) (coffer.EncryptionInfo, error) {
	if req.CustomerKey != nil || req.Type == coffer.SSEC {
		return coffer.EncryptionInfo{}, fmt.Errorf("sse: SSE-C: %w", coffer.ErrNotImplemented)
	}
	switch req.Type {
	case "", coffer.SSES3:
		if req.KMSKeyID != "" || len(req.KMSContext) > 0 {
			return coffer.EncryptionInfo{}, &coffer.ArgumentError{
				Name: sseHeader, Value: string(req.Type),
				Message: "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
			}
		}
		// A bucket key is accepted and ignored for SSE-S3, as S3 does.
		return coffer.EncryptionInfo{Type: coffer.SSES3}, nil
	case coffer.SSEKMS:
		return coffer.EncryptionInfo{}, fmt.Errorf("sse: SSE-KMS: %w", coffer.ErrNotImplemented)
	default:
		return coffer.EncryptionInfo{}, &coffer.ArgumentError{
			Name: sseHeader, Value: string(req.Type),
			Message: "The encryption method specified is not supported",
		}
	}
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
