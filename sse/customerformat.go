package sse

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/cofferlabs/coffer"
)

// Sealed data key of an SSE-C object or upload, format 0x03 (FORMAT.md
// §12). The customer key never touches data and is never stored: it only
// derives, with a random salt and the object's binding, a verifier (the
// salted keyed hash S3 documents, which tells a wrong key from a right one)
// and the key-encryption key of the object's data key.
//
//	[0]       format version (customerBlobV3)
//	[1:33]    salt, random per seal
//	[33:65]   verifier = HMAC-SHA256(verifyKey, bindingAAD(verifier label, blob[0:33], binding))
//	[65:77]   AES-256-GCM nonce
//	[77:125]  ciphertext of the 32-byte data key, then the 16-byte tag
const (
	customerBlobV3          byte = 3
	customerSaltSize             = 32
	customerVerifierSize         = sha256.Size
	customerHeaderSize           = 1 + customerSaltSize
	customerSealedOffset         = customerHeaderSize + customerVerifierSize
	customerBlobSize             = customerSealedOffset + gcmNonceSize + dataKeySize + gcmTagSize
	customerVerifyLabel          = "coffer/sse-c/verifier/v1"
	customerKEKLabel             = "coffer/sse-c/kek/v1"
	customerDataKeyAADLabel      = "coffer/sse-c/data-key/v1"
	customerVerifyKeyInfo        = "coffer/sse-c/verify-key/v1"
)

var errCustomerBlob = errors.New("SSE-C sealed data key is malformed")

// customerKeys are the two keys one seal derives from a customer key.
type customerKeys struct {
	verify []byte
	kek    []byte
}

func (k customerKeys) clear() { clear(k.verify); clear(k.kek) }

// deriveCustomerKeys runs HKDF-SHA256 over the customer key with the
// blob's salt: the verify key under a fixed label, the KEK under a label
// followed by the binding, so that every object's KEK is its own.
func deriveCustomerKeys(ck *coffer.CustomerKey, salt []byte, b keyBinding) (customerKeys, error) {
	prk, err := hkdf.Extract(sha256.New, ck.Key[:], salt)
	if err != nil {
		return customerKeys{}, err
	}
	defer clear(prk)
	verify, err := hkdf.Expand(sha256.New, prk, customerVerifyKeyInfo, dataKeySize)
	if err != nil {
		return customerKeys{}, err
	}
	kek, err := hkdf.Expand(sha256.New, prk, string(bindingAAD(customerKEKLabel, nil, b)), dataKeySize)
	if err != nil {
		clear(verify)
		return customerKeys{}, err
	}
	return customerKeys{verify: verify, kek: kek}, nil
}

// customerVerifier is the salted keyed hash kept to recognise the key.
func customerVerifier(verifyKey, header []byte, b keyBinding) []byte {
	mac := hmac.New(sha256.New, verifyKey)
	mac.Write(bindingAAD(customerVerifyLabel, header, b))
	return mac.Sum(nil)
}

// sealCustomerDataKey seals dataKey for b under ck; salt and nonce must be
// fresh random bytes (parameters so that test vectors can fix them).
func sealCustomerDataKey(ck *coffer.CustomerKey, b keyBinding, dataKey, salt, nonce []byte) ([]byte, error) {
	if len(salt) != customerSaltSize || len(nonce) != gcmNonceSize || len(dataKey) != dataKeySize {
		return nil, fmt.Errorf("sse: SSE-C seal: salt %d, nonce %d, key %d bytes", len(salt), len(nonce), len(dataKey))
	}
	keys, err := deriveCustomerKeys(ck, salt, b)
	if err != nil {
		return nil, err
	}
	defer keys.clear()
	kek, err := newGCM(keys.kek)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, customerBlobSize)
	out = append(out, customerBlobV3)
	out = append(out, salt...)
	out = append(out, customerVerifier(keys.verify, out[:customerHeaderSize], b)...)
	out = append(out, nonce...)
	return kek.Seal(out, nonce, dataKey, bindingAAD(customerDataKeyAADLabel, out[:customerSealedOffset], b)), nil
}

// verifyCustomerKey tells whether ck is the key blob was sealed under; it
// opens nothing, so HEAD can check a key without unsealing the data key.
func verifyCustomerKey(ck *coffer.CustomerKey, b keyBinding, blob []byte) error {
	keys, err := verifiedCustomerKeys(ck, b, blob)
	if err != nil {
		return err
	}
	keys.clear()
	return nil
}

// openCustomerDataKey checks ck against the verifier, then opens the data
// key. A right key whose seal fails to open means damaged data, never a
// wrong key.
func openCustomerDataKey(ck *coffer.CustomerKey, b keyBinding, blob []byte) ([]byte, error) {
	keys, err := verifiedCustomerKeys(ck, b, blob)
	if err != nil {
		return nil, err
	}
	defer keys.clear()
	kek, err := newGCM(keys.kek)
	if err != nil {
		return nil, err
	}
	nonce := blob[customerSealedOffset : customerSealedOffset+gcmNonceSize]
	dataKey, err := kek.Open(nil, nonce, blob[customerSealedOffset+gcmNonceSize:], bindingAAD(customerDataKeyAADLabel, blob[:customerSealedOffset], b))
	if err != nil {
		return nil, sealedKeyError(b, errors.New("SSE-C sealed data key does not open"))
	}
	return dataKey, nil
}

// verifiedCustomerKeys derives the keys of blob's salt from ck and
// compares the verifier in constant time: ErrCustomerKeyMismatch for
// another key.
func verifiedCustomerKeys(ck *coffer.CustomerKey, b keyBinding, blob []byte) (customerKeys, error) {
	if len(blob) != customerBlobSize || blob[0] != customerBlobV3 {
		return customerKeys{}, sealedKeyError(b, errCustomerBlob)
	}
	keys, err := deriveCustomerKeys(ck, blob[1:customerHeaderSize], b)
	if err != nil {
		return customerKeys{}, err
	}
	want := blob[customerHeaderSize:customerSealedOffset]
	if !hmac.Equal(customerVerifier(keys.verify, blob[:customerHeaderSize], b), want) {
		keys.clear()
		return customerKeys{}, coffer.ErrCustomerKeyMismatch
	}
	return keys, nil
}
