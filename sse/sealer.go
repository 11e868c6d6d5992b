package sse

import (
	"context"
	"fmt"
	"io"

	"github.com/cofferlabs/coffer"
)

// masterKeySealer is SSE-S3: data keys sealed under the current master key
// version, opened under whichever version the blob names.
type masterKeySealer struct {
	keys   *Keyring
	random io.Reader
}

func (m masterKeySealer) seal(_ context.Context, b keyBinding, dataKey []byte) ([]byte, error) {
	nonce := make([]byte, gcmNonceSize)
	if err := readRandom(m.random, nonce); err != nil {
		return nil, err
	}
	version, master := m.keys.currentAEAD()
	return sealDataKey(master, version, b, dataKey, nonce), nil
}

func (m masterKeySealer) open(ctx context.Context, b keyBinding, sealed []byte) ([]byte, error) {
	version, err := dataKeyMasterVersion(sealed)
	if err != nil {
		return nil, sealedKeyError(b, err)
	}
	master, err := m.keys.aead(ctx, version)
	if err != nil {
		return nil, err
	}
	key, err := openDataKey(master, b, sealed)
	if err != nil {
		return nil, sealedKeyError(b, err)
	}
	return key, nil
}

// isCurrent reports whether a blob is sealed under the current master key.
func (m masterKeySealer) isCurrent(sealed []byte) bool {
	version, err := dataKeyMasterVersion(sealed)
	return err == nil && version == m.keys.CurrentVersion()
}

func sealedKeyError(b keyBinding, cause error) error {
	return fmt.Errorf("sse: data key of %s/%s: %v: %w", b.Bucket, b.Key, cause, coffer.ErrSealedKeyInvalid)
}

// newDataKey returns fresh random key bytes.
func (s *Service) newDataKey() ([]byte, error) {
	key := make([]byte, dataKeySize)
	if err := readRandom(s.random, key); err != nil {
		return nil, err
	}
	return key, nil
}

// sealNewDataKey makes a data key for b and seals it as enc says. It
// returns how the object is encrypted, with the KMS key's full ARN for
// SSE-KMS.
func (s *Service) sealNewDataKey(ctx context.Context, b keyBinding, enc writeEncryption) (dataKey, sealed []byte, info coffer.EncryptionInfo, err error) {
	dataKey, err = s.newDataKey()
	if err != nil {
		return nil, nil, info, err
	}
	sealed, info, err = s.sealDataKey(ctx, b, enc, dataKey)
	if err != nil {
		clear(dataKey)
		return nil, nil, info, err
	}
	return dataKey, sealed, info, nil
}

// sealDataKey seals an existing data key for b as enc says; b.Type must be
// enc.Type, since the type is bound into the seal. The info returned is
// the record's, without an SSE-C key MD5.
func (s *Service) sealDataKey(ctx context.Context, b keyBinding, enc writeEncryption, dataKey []byte) ([]byte, coffer.EncryptionInfo, error) {
	if b.Type != enc.Type {
		return nil, coffer.EncryptionInfo{}, fmt.Errorf("sse: sealing a %s key for a %s binding", enc.Type, b.Type)
	}
	switch enc.Type {
	case coffer.SSES3:
		sealed, err := s.masterSealer.seal(ctx, b, dataKey)
		return sealed, coffer.EncryptionInfo{Type: coffer.SSES3}, err
	case coffer.SSEKMS:
		if s.kms == nil {
			return nil, coffer.EncryptionInfo{}, fmt.Errorf("sse: SSE-KMS without a KMS: %w", coffer.ErrNotImplemented)
		}
		sealed, keyARN, err := s.kms.seal(ctx, b, enc.KMS, dataKey)
		return sealed, coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: keyARN, BucketKeyEnabled: enc.KMS.BucketKey}, err
	case coffer.SSEC:
		sealed, err := s.sealForCustomer(b, enc.Customer, dataKey)
		return sealed, coffer.EncryptionInfo{Type: coffer.SSEC}, err
	default:
		return nil, coffer.EncryptionInfo{}, fmt.Errorf("sse: sealing %s keys: %w", enc.Type, coffer.ErrNotImplemented)
	}
}

// sealForCustomer seals an SSE-C data key under a fresh salt and nonce.
func (s *Service) sealForCustomer(b keyBinding, ck *coffer.CustomerKey, dataKey []byte) ([]byte, error) {
	if ck == nil {
		return nil, coffer.ErrCustomerKeyRequired
	}
	salt, nonce := make([]byte, customerSaltSize), make([]byte, gcmNonceSize)
	if err := readRandom(s.random, salt, nonce); err != nil {
		return nil, err
	}
	return sealCustomerDataKey(ck, b, dataKey, salt, nonce)
}

// openDataKeyOf unseals the data key of a record or upload; ck is the
// request's customer key, used (and required) for SSE-C only.
func (s *Service) openDataKeyOf(ctx context.Context, b keyBinding, sealed []byte, ck *coffer.CustomerKey) ([]byte, error) {
	switch b.Type {
	case coffer.SSES3:
		return s.masterSealer.open(ctx, b, sealed)
	case coffer.SSEKMS:
		if s.kms == nil {
			return nil, fmt.Errorf("sse: SSE-KMS object without a KMS: %w", coffer.ErrNotImplemented)
		}
		return s.kms.open(ctx, b, sealed)
	case coffer.SSEC:
		if ck == nil {
			return nil, coffer.ErrCustomerKeyRequired
		}
		return openCustomerDataKey(ck, b, sealed)
	default:
		return nil, fmt.Errorf("sse: unknown encryption type %q in record: %w", b.Type, coffer.ErrCorruptData)
	}
}
