package sse

import (
	"context"
	"fmt"
	"io"

	"github.com/cofferlabs/coffer"
)

// keySealer seals and opens object data keys for one kind of server-side
// encryption. SSE-S3 seals under the keyring's master keys; SSE-KMS (under
// a KMS key) and SSE-C (under the request's customer key) plug in here as
// further implementations, chosen per object by sealerFor.
type keySealer interface {
	seal(ctx context.Context, b keyBinding, dataKey []byte) ([]byte, error)
	open(ctx context.Context, b keyBinding, sealed []byte) ([]byte, error)
}

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

// sealerFor returns the sealer of an object's encryption type.
func (s *Service) sealerFor(enc coffer.EncryptionInfo) (keySealer, error) {
	switch enc.Type {
	case coffer.SSES3:
		return s.masterSealer, nil
	case coffer.SSEKMS:
		return nil, fmt.Errorf("sse: SSE-KMS objects: %w", coffer.ErrNotImplemented)
	case coffer.SSEC:
		return nil, fmt.Errorf("sse: SSE-C objects: %w", coffer.ErrNotImplemented)
	default:
		return nil, fmt.Errorf("sse: unknown encryption type %q in record: %w", enc.Type, coffer.ErrCorruptData)
	}
}

// newDataKey returns fresh random key bytes.
func (s *Service) newDataKey() ([]byte, error) {
	key := make([]byte, dataKeySize)
	if err := readRandom(s.random, key); err != nil {
		return nil, err
	}
	return key, nil
}

// sealNewDataKey makes a data key for b and seals it.
func (s *Service) sealNewDataKey(ctx context.Context, b keyBinding) (dataKey, sealed []byte, err error) {
	sealer, err := s.sealerFor(coffer.EncryptionInfo{Type: b.Type})
	if err != nil {
		return nil, nil, err
	}
	dataKey, err = s.newDataKey()
	if err != nil {
		return nil, nil, err
	}
	sealed, err = sealer.seal(ctx, b, dataKey)
	if err != nil {
		clear(dataKey)
		return nil, nil, err
	}
	return dataKey, sealed, nil
}

// openDataKeyOf unseals the data key of a record or upload.
func (s *Service) openDataKeyOf(ctx context.Context, b keyBinding, sealed []byte) ([]byte, error) {
	sealer, err := s.sealerFor(coffer.EncryptionInfo{Type: b.Type})
	if err != nil {
		return nil, err
	}
	return sealer.open(ctx, b, sealed)
}
