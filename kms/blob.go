package kms

import (
	"crypto/cipher"
	"fmt"
)

// Ciphertext blob layout (FORMAT.md §4):
//
//	0    1   format version 0x01
//	1    16  key id (UUID bytes)
//	17   32  key material id
//	49   16  salt (random): the blob key is HMAC-SHA256(material, label || salt)
//	65   12  GCM nonce (random)
//	77   n   AES-256-GCM ciphertext of the plaintext
//	77+n 16  GCM tag
//
// AAD = blob[0:77] || canonicalContext(EC).
const (
	blobVersion    = 0x01
	blobSaltSize   = 16
	blobHeaderSize = 1 + 16 + 32 + blobSaltSize + gcmNonceSize
	blobOverhead   = blobHeaderSize + gcmTagSize
	// Limits of the API: plaintext 1..4096 bytes, blobs at most 6144.
	maxPlaintext = 4096
	maxBlob      = 6144
)

// blobHeader is the cleartext part of a blob: which key and material
// opens it, and the per-blob randomness.
type blobHeader struct {
	keyID      [16]byte
	materialID materialID
	salt       [blobSaltSize]byte
	nonce      [gcmNonceSize]byte
}

func (h blobHeader) marshal() []byte {
	out := make([]byte, 0, blobHeaderSize)
	out = append(out, blobVersion)
	out = append(out, h.keyID[:]...)
	out = append(out, h.materialID[:]...)
	out = append(out, h.salt[:]...)
	return append(out, h.nonce[:]...)
}

// parseBlob reads a blob's header; anything that is not a blob of this
// format is InvalidCiphertextException.
func parseBlob(blob []byte) (blobHeader, error) {
	var h blobHeader
	if len(blob) < blobOverhead+1 || len(blob) > maxBlob || blob[0] != blobVersion {
		return h, errInvalidCiphertext()
	}
	copy(h.keyID[:], blob[1:17])
	copy(h.materialID[:], blob[17:49])
	copy(h.salt[:], blob[49:65])
	copy(h.nonce[:], blob[65:77])
	return h, nil
}

// blobAEAD is the AES-256-GCM instance for one blob: a key derived from the
// material and the blob's salt, so no material key ever meets enough
// random nonces to risk a collision.
func blobAEAD(m *material, salt []byte) (cipher.AEAD, error) {
	derived := hmacSHA256(m.secret, []byte(blobKeyLabel), salt)
	defer clear(derived)
	return newGCM(derived)
}

func blobAAD(header, ec []byte) []byte {
	aad := make([]byte, 0, len(header)+len(ec))
	aad = append(aad, header...)
	return append(aad, ec...)
}

// sealBlob encrypts plaintext under m for the header's key, bound to the
// canonical encryption context ec.
func sealBlob(h blobHeader, m *material, plaintext, ec []byte) ([]byte, error) {
	aead, err := blobAEAD(m, h.salt[:])
	if err != nil {
		return nil, fmt.Errorf("kms: blob key: %w", err)
	}
	header := h.marshal()
	out := make([]byte, 0, blobOverhead+len(plaintext))
	out = append(out, header...)
	return aead.Seal(out, h.nonce[:], plaintext, blobAAD(header, ec)), nil
}

// openBlob decrypts a blob whose header names m. Every failure, a flipped
// bit or another context alike, is InvalidCiphertextException.
func openBlob(blob []byte, m *material, ec []byte) ([]byte, error) {
	h, err := parseBlob(blob)
	if err != nil {
		return nil, err
	}
	aead, err := blobAEAD(m, h.salt[:])
	if err != nil {
		return nil, fmt.Errorf("kms: blob key: %w", err)
	}
	header := blob[:blobHeaderSize]
	plaintext, err := aead.Open(nil, h.nonce[:], blob[blobHeaderSize:], blobAAD(header, ec))
	if err != nil {
		return nil, errInvalidCiphertext()
	}
	return plaintext, nil
}
