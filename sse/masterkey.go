package sse

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Master key envelope, as kept in the KeyStore (see FORMAT.md):
//
//	[0]      envelope format version (masterEnvelopeV1)
//	[1:13]   AES-256-GCM nonce
//	[13:69]  ciphertext of created-unix-nanos (8, big endian) || master key (32), then the 16-byte tag
const (
	masterEnvelopeV1       byte = 1
	masterKeySize               = 32
	masterPlainSize             = 8 + masterKeySize
	gcmNonceSize                = 12
	gcmTagSize                  = 16
	masterEnvelopeSize          = 1 + gcmNonceSize + masterPlainSize + gcmTagSize
	masterKeyNamePrefix         = "sse/master/"
	masterKeyNameDigits         = 8
	rootKeySize                 = 32
	rootKEKLabel                = "coffer/sse/root-kek/v1"
	masterEnvelopeAADLabel      = "coffer/sse/master-key/v1"
	maxMasterVersionInName      = 99999999
)

// masterKeyName is the KeyStore name of a master key version.
func masterKeyName(version uint32) string {
	return fmt.Sprintf("%s%0*d", masterKeyNamePrefix, masterKeyNameDigits, version)
}

// parseMasterKeyName is the inverse of masterKeyName.
func parseMasterKeyName(name string) (uint32, error) {
	digits, ok := strings.CutPrefix(name, masterKeyNamePrefix)
	if !ok || len(digits) != masterKeyNameDigits {
		return 0, fmt.Errorf("sse: unexpected key store entry %q under %s", name, masterKeyNamePrefix)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, fmt.Errorf("sse: unexpected key store entry %q under %s", name, masterKeyNamePrefix)
		}
	}
	v, err := strconv.ParseUint(digits, 10, 32)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("sse: unexpected key store entry %q under %s", name, masterKeyNamePrefix)
	}
	return uint32(v), nil
}

// rootKEK derives the key that seals master keys from the root key, so the
// root key itself can later serve other purposes under other labels.
func rootKEK(rootKey []byte) (cipher.AEAD, error) {
	if len(rootKey) != rootKeySize {
		return nil, fmt.Errorf("sse: root key must be %d bytes, got %d", rootKeySize, len(rootKey))
	}
	mac := hmac.New(sha256.New, rootKey)
	mac.Write([]byte(rootKEKLabel))
	return newGCM(mac.Sum(nil))
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sse: %w", err)
	}
	return cipher.NewGCM(block)
}

// masterEnvelopeAAD binds an envelope to its format and version number, so
// an envelope copied under another name does not open.
func masterEnvelopeAAD(version uint32) []byte {
	aad := make([]byte, 0, 1+len(masterEnvelopeAADLabel)+4)
	aad = append(aad, masterEnvelopeV1)
	aad = append(aad, masterEnvelopeAADLabel...)
	return binary.BigEndian.AppendUint32(aad, version)
}

// sealMasterKey builds the envelope of a master key; nonce must be fresh
// random bytes (a parameter so that test vectors can fix it).
func sealMasterKey(kek cipher.AEAD, version uint32, created time.Time, key, nonce []byte) []byte {
	plain := make([]byte, 0, masterPlainSize)
	plain = binary.BigEndian.AppendUint64(plain, uint64(created.UnixNano()))
	plain = append(plain, key...)
	out := make([]byte, 0, masterEnvelopeSize)
	out = append(out, masterEnvelopeV1)
	out = append(out, nonce...)
	out = kek.Seal(out, nonce, plain, masterEnvelopeAAD(version))
	clear(plain)
	return out
}

var errMasterEnvelope = errors.New("master key envelope does not open")

// openMasterKey checks and opens an envelope, returning the creation time
// and the key bytes (which the caller must clear after use).
func openMasterKey(kek cipher.AEAD, version uint32, envelope []byte) (time.Time, []byte, error) {
	if len(envelope) != masterEnvelopeSize || envelope[0] != masterEnvelopeV1 {
		return time.Time{}, nil, errMasterEnvelope
	}
	nonce := envelope[1 : 1+gcmNonceSize]
	plain, err := kek.Open(nil, nonce, envelope[1+gcmNonceSize:], masterEnvelopeAAD(version))
	if err != nil {
		return time.Time{}, nil, errMasterEnvelope
	}
	created := time.Unix(0, int64(binary.BigEndian.Uint64(plain[:8]))).UTC()
	return created, plain[8:], nil
}
