package kms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Labels of the derivations (FORMAT.md). Each use of a secret has its own
// label, and none is shared with package sse ("coffer/sse/..."), so the
// KMS's record key is independent of every other key derived from the
// root key.
const (
	recordKEKLabel  = "coffer/kms/record-kek/v1"
	recordAADLabel  = "coffer/kms/record/v1"
	materialIDLabel = "coffer/kms/material-id/v1"
	blobKeyLabel    = "coffer/kms/blob-key/v1"
)

const (
	rootKeySize     = 32
	materialSize    = 32
	gcmNonceSize    = 12
	gcmTagSize      = 16
	envelopeVersion = 0x01
	envelopeHeader  = 1 + gcmNonceSize
)

// errEnvelope is a stored record that does not open: another root key, or
// a corrupt or moved record.
var errEnvelope = errors.New("kms: sealed record does not open")

// ErrWrongRootKey means the root key opens none of the stored KMS records:
// the server was started with another root key than the one that created
// them.
var ErrWrongRootKey = errors.New("kms: the root key does not open the stored KMS keys (wrong root key?)")

func hmacSHA256(key []byte, parts ...[]byte) []byte {
	mac := hmac.New(sha256.New, key)
	for _, p := range parts {
		mac.Write(p)
	}
	return mac.Sum(nil)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// deriveRecordKEK is the key that seals every KMS record in the key store:
// HMAC-SHA256(rootKey, "coffer/kms/record-kek/v1").
func deriveRecordKEK(rootKey []byte) (cipher.AEAD, error) {
	if len(rootKey) != rootKeySize {
		return nil, fmt.Errorf("kms: root key must be %d bytes, not %d", rootKeySize, len(rootKey))
	}
	kek := hmacSHA256(rootKey, []byte(recordKEKLabel))
	defer clear(kek)
	return newGCM(kek)
}

// deriveMaterialID names key material without revealing it:
// HMAC-SHA256(material, "coffer/kms/material-id/v1").
func deriveMaterialID(secret []byte) materialID {
	var id materialID
	copy(id[:], hmacSHA256(secret, []byte(materialIDLabel)))
	return id
}

// recordAAD binds an envelope to the key store name it is stored under.
func recordAAD(name string) []byte {
	aad := make([]byte, 0, 1+len(recordAADLabel)+4+len(name))
	aad = append(aad, envelopeVersion)
	aad = append(aad, recordAADLabel...)
	aad = binary.BigEndian.AppendUint32(aad, uint32(len(name)))
	return append(aad, name...)
}

// sealRecord seals plaintext for key store name with a fresh nonce.
func sealRecord(kek cipher.AEAD, name string, plaintext, nonce []byte) []byte {
	out := make([]byte, 0, envelopeHeader+len(plaintext)+gcmTagSize)
	out = append(out, envelopeVersion)
	out = append(out, nonce...)
	return kek.Seal(out, nonce, plaintext, recordAAD(name))
}

// openRecord opens an envelope stored under name.
func openRecord(kek cipher.AEAD, name string, envelope []byte) ([]byte, error) {
	if len(envelope) < envelopeHeader+gcmTagSize || envelope[0] != envelopeVersion {
		return nil, errEnvelope
	}
	nonce := envelope[1:envelopeHeader]
	plaintext, err := kek.Open(nil, nonce, envelope[envelopeHeader:], recordAAD(name))
	if err != nil {
		return nil, errEnvelope
	}
	return plaintext, nil
}
