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
	Type     coffer.SSEType
	KMS      kmsRequest
	Customer *coffer.CustomerKey // SSE-C only
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
		if req.CustomerKey == nil {
			return writeEncryption{}, &coffer.ArgumentError{
				Name:    sseHeader + "-customer-key",
				Message: "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.",
			}
		}
		return writeEncryption{Type: coffer.SSEC, Customer: req.CustomerKey}, nil
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

// checkCustomerKeyForRead settles the SSE-C parameters of a read or copy
// source: an SSE-C object needs its own key (checked against the stored
// verifier, without unsealing anything); any other object refuses one.
func checkCustomerKeyForRead(rec coffer.ObjectRecord, key *coffer.CustomerKey) error {
	if rec.Encryption.Type != coffer.SSEC {
		if key != nil {
			return coffer.ErrCustomerKeyNotApplicable
		}
		return nil
	}
	if key == nil {
		return coffer.ErrCustomerKeyRequired
	}
	return verifyCustomerKey(key, bindingOf(rec), rec.SealedKey)
}

// report completes a written object's info for the response with the
// request's SSE-C key MD5.
func (w writeEncryption) report(info coffer.ObjectInfo) coffer.ObjectInfo {
	info.Encryption = withCustomerKeyMD5(info.Encryption, w.Customer)
	return info
}

// withCustomerKeyMD5 is how a response reports an object's encryption:
// for SSE-C, with the key MD5 of the request (verified by the front end),
// since the record never keeps it.
func withCustomerKeyMD5(enc coffer.EncryptionInfo, key *coffer.CustomerKey) coffer.EncryptionInfo {
	if enc.Type == coffer.SSEC && key != nil {
		enc.CustomerKeyMD5 = key.MD5
	}
	return enc
}
