package iam

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The envelope every record is stored in (FORMAT.md §2):
//
//	envelope = version(1) || nonce(12) || AES-256-GCM(key, nonce, json, aad)
//	aad      = version(1) || "coffer/iam/record/v1" || uint32(len(name)) || name
//
// name is the record's KeyStore name ("iam/user/alice",
// "iam/key/AKIA..."), so an envelope copied under another name, in
// particular a key record under another access key id, does not open.
const (
	// KeySize is the size of the record key Open takes.
	KeySize = 32

	envelopeVersion = 0x01
	recordAADLabel  = "coffer/iam/record/v1"
	nonceSize       = 12
	tagSize         = 16
	envelopeHeader  = 1 + nonceSize
)

// errEnvelope is a record that does not open: another key, or a corrupt or
// moved record.
var errEnvelope = errors.New("iam: sealed record does not open")

// envelope is a sealed record with accessors for its parts.
type envelope []byte

func (e envelope) valid() bool {
	return len(e) >= envelopeHeader+tagSize && e[0] == envelopeVersion
}
func (e envelope) nonce() []byte      { return e[1:envelopeHeader] }
func (e envelope) ciphertext() []byte { return e[envelopeHeader:] }

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("iam: the record key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// recordAAD binds an envelope to the KeyStore name it is stored under.
func recordAAD(name string) []byte {
	aad := make([]byte, 0, 1+len(recordAADLabel)+4+len(name))
	aad = append(aad, envelopeVersion)
	aad = append(aad, recordAADLabel...)
	aad = binary.BigEndian.AppendUint32(aad, uint32(len(name)))
	return append(aad, name...)
}

// seal seals plaintext for the KeyStore name with a nonce read from random.
func seal(aead cipher.AEAD, random io.Reader, name string, plaintext []byte) ([]byte, error) {
	var nonce [nonceSize]byte
	if _, err := io.ReadFull(random, nonce[:]); err != nil {
		return nil, fmt.Errorf("iam: reading a nonce: %w", err)
	}
	return sealWithNonce(aead, nonce[:], name, plaintext), nil
}

func sealWithNonce(aead cipher.AEAD, nonce []byte, name string, plaintext []byte) []byte {
	out := make([]byte, 0, envelopeHeader+len(plaintext)+tagSize)
	out = append(out, envelopeVersion)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, recordAAD(name))
}

// open opens the envelope stored under name.
func open(aead cipher.AEAD, name string, sealed []byte) ([]byte, error) {
	e := envelope(sealed)
	if !e.valid() {
		return nil, errEnvelope
	}
	plaintext, err := aead.Open(nil, e.nonce(), e.ciphertext(), recordAAD(name))
	if err != nil {
		return nil, errEnvelope
	}
	return plaintext, nil
}
