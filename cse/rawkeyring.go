package cse

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// The raw keyrings hold the wrapping key themselves; it never leaves the
// process. Their wire formats are those of AWS's S3 Encryption Clients
// (Java AesKeyring and RsaKeyring; the Ruby V2/V3 clients write the same),
// see FORMAT.md. They store a material description (always {} here) that
// nothing authenticates, so Get insists it is the one the caller expects.

// aesKeyring wraps data keys with AES-256-GCM under the caller's key.
type aesKeyring struct {
	block cipher.Block
	aead  cipher.AEAD
}

// NewAESKeyring returns a keyring wrapping data keys under key, a 32-byte
// AES-256 key, with AES/GCM: the wrapped key is a random 12-byte nonce
// followed by AES-GCM(key, nonce, data key) with the content algorithm's
// name as additional data ("AES/GCM/NoPadding" in V2, "115" in V3).
// It also reads legacy V1 objects (AES/ECB wrapping) when
// Options.AllowLegacyV1 is set.
func NewAESKeyring(key []byte) (Keyring, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("cse: an AES keyring needs a 32-byte key, got %d bytes", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cse: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("cse: %w", err)
	}
	return &aesKeyring{block: block, aead: aead}, nil
}

// rawWrapAAD is what the raw keyrings bind to the wrapped key: the name of
// the content algorithm for V2, the suite id for V3.
func rawWrapAAD(format string) []byte {
	if format == "V3" {
		return []byte(cekV3)
	}
	return []byte(cekGCM)
}

func (k *aesKeyring) wrap(_ context.Context, req wrapRequest) (*wrappedKey, error) {
	if err := noContextForRawKeyring(req.context); err != nil {
		return nil, err
	}
	dataKey := make([]byte, dataKeySize)
	nonce := make([]byte, gcmIVSize)
	if _, err := io.ReadFull(req.rand, dataKey); err != nil {
		return nil, fmt.Errorf("cse: generating a data key: %w", err)
	}
	if _, err := io.ReadFull(req.rand, nonce); err != nil {
		clear(dataKey)
		return nil, fmt.Errorf("cse: generating a nonce: %w", err)
	}
	edk := k.aead.Seal(nonce, nonce, dataKey, rawWrapAAD(req.format.String()))
	return &wrappedKey{dataKey: dataKey, edk: edk, wrapAlg: wrapAES, context: map[string]string{}}, nil
}

func (k *aesKeyring) unwrap(_ context.Context, env *envelope, legacy bool) (*unwrappedKey, error) {
	switch {
	case env.format == "V1":
		if !legacy {
			return nil, fmt.Errorf("%w: V1 objects are read only with Options.AllowLegacyV1", ErrUnsupportedFormat)
		}
		return k.unwrapECB(env.edk)
	case env.wrapAlg == wrapAES:
		if len(env.edk) != gcmIVSize+dataKeySize+gcmTagSize {
			return nil, fmt.Errorf("%w: an AES/GCM wrapped key has %d bytes, want %d", ErrTampered, len(env.edk), gcmIVSize+dataKeySize+gcmTagSize)
		}
		dataKey, err := k.aead.Open(nil, env.edk[:gcmIVSize], env.edk[gcmIVSize:], rawWrapAAD(env.format))
		if err != nil {
			return nil, fmt.Errorf("%w: AES/GCM unwrapping failed: another key wrapped it, or it was altered", ErrWrongKey)
		}
		return &unwrappedKey{dataKey: dataKey}, nil
	}
	return nil, fmt.Errorf("%w: the data key is wrapped with %s, the keyring holds an AES key", ErrWrongKey, wrapName(env))
}

// unwrapECB undoes V1's wrapping: AES/ECB/PKCS5Padding of the data key
// (16, 24 or 32 bytes). ECB authenticates nothing; a wrong key is found by
// the padding check only most of the time, and otherwise yields a wrong
// data key and garbage plaintext, which is why V1 is opt-in.
func (k *aesKeyring) unwrapECB(edk []byte) (*unwrappedKey, error) {
	if len(edk) == 0 || len(edk)%aes.BlockSize != 0 || len(edk) > 48 {
		return nil, fmt.Errorf("%w: a V1 wrapped key of %d bytes", ErrTampered, len(edk))
	}
	plain := make([]byte, len(edk))
	for i := 0; i < len(edk); i += aes.BlockSize {
		k.block.Decrypt(plain[i:i+aes.BlockSize], edk[i:i+aes.BlockSize])
	}
	n, ok := unpadPKCS7(plain)
	if !ok || (n != 16 && n != 24 && n != 32) {
		clear(plain)
		return nil, fmt.Errorf("%w: AES/ECB unwrapping failed", ErrWrongKey)
	}
	return &unwrappedKey{dataKey: plain[:n]}, nil
}

// unpadPKCS7 returns the length of b without its PKCS#7 padding, checking
// every padding byte in constant time.
func unpadPKCS7(b []byte) (int, bool) {
	if len(b) == 0 || len(b)%aes.BlockSize != 0 {
		return 0, false
	}
	last := b[len(b)-aes.BlockSize:]
	pad := int(last[aes.BlockSize-1])
	good := subtle.ConstantTimeLessOrEq(1, pad) & subtle.ConstantTimeLessOrEq(pad, aes.BlockSize)
	for i := range aes.BlockSize {
		inPad := subtle.ConstantTimeLessOrEq(aes.BlockSize-pad, i)
		good &= subtle.ConstantTimeByteEq(last[i], byte(pad)) | (inPad ^ 1)
	}
	return len(b) - pad, good == 1
}

// rsaKeyring wraps data keys with RSA-OAEP (SHA-1, MGF1 with SHA-1, empty
// label), as AWS's "RSA-OAEP-SHA1" wrapping defines it.
type rsaKeyring struct {
	pub  *rsa.PublicKey
	priv *rsa.PrivateKey // nil for an encrypt-only keyring
}

// minRSABits is the smallest RSA modulus the RSA keyrings accept.
const minRSABits = 2048

// NewRSAKeyring returns a keyring wrapping data keys with the public half
// of priv and unwrapping them with priv. The wrapped key is
// RSA-OAEP-SHA1(1-byte key length || data key || content algorithm name)
// ("AES/GCM/NoPadding" in V2, "115" in V3), as AWS's clients define it.
// The modulus must have at least 2048 bits.
func NewRSAKeyring(priv *rsa.PrivateKey) (Keyring, error) {
	if priv == nil {
		return nil, errors.New("cse: NewRSAKeyring needs a private key")
	}
	if err := priv.Validate(); err != nil {
		return nil, fmt.Errorf("cse: the RSA key is not valid: %w", err)
	}
	if priv.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("cse: an RSA keyring needs a key of at least %d bits, got %d", minRSABits, priv.N.BitLen())
	}
	return &rsaKeyring{pub: &priv.PublicKey, priv: priv}, nil
}

// NewRSAEncryptOnlyKeyring returns a keyring that wraps data keys for the
// holder of pub's private key: Put works, Get fails with ErrWrongKey.
func NewRSAEncryptOnlyKeyring(pub *rsa.PublicKey) (Keyring, error) {
	if pub == nil || pub.N == nil {
		return nil, errors.New("cse: NewRSAEncryptOnlyKeyring needs a public key")
	}
	if pub.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("cse: an RSA keyring needs a key of at least %d bits, got %d", minRSABits, pub.N.BitLen())
	}
	return &rsaKeyring{pub: pub}, nil
}

func (k *rsaKeyring) wrap(_ context.Context, req wrapRequest) (*wrappedKey, error) {
	if err := noContextForRawKeyring(req.context); err != nil {
		return nil, err
	}
	dataKey := make([]byte, dataKeySize)
	if _, err := io.ReadFull(req.rand, dataKey); err != nil {
		return nil, fmt.Errorf("cse: generating a data key: %w", err)
	}
	pseudo := pseudoDataKey(dataKey, req.cekAlg)
	defer clear(pseudo)
	edk, err := rsa.EncryptOAEP(sha1.New(), req.rand, k.pub, pseudo, nil)
	if err != nil {
		clear(dataKey)
		return nil, fmt.Errorf("cse: RSA-OAEP wrapping: %w", err)
	}
	return &wrappedKey{dataKey: dataKey, edk: edk, wrapAlg: wrapRSA, context: map[string]string{}}, nil
}

// pseudoDataKey is what RSA-OAEP-SHA1 encrypts: the key's length in one
// byte, the key, and the content algorithm's name.
func pseudoDataKey(dataKey []byte, cekAlg string) []byte {
	p := make([]byte, 0, 1+len(dataKey)+len(cekAlg))
	p = append(p, byte(len(dataKey)))
	p = append(p, dataKey...)
	return append(p, cekAlg...)
}

func (k *rsaKeyring) unwrap(_ context.Context, env *envelope, _ bool) (*unwrappedKey, error) {
	if env.wrapAlg != wrapRSA {
		return nil, fmt.Errorf("%w: the data key is wrapped with %s, the keyring holds an RSA key", ErrWrongKey, wrapName(env))
	}
	if k.priv == nil {
		return nil, fmt.Errorf("%w: the RSA keyring has no private key", ErrWrongKey)
	}
	pseudo, err := rsa.DecryptOAEP(sha1.New(), nil, k.priv, env.edk, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: RSA-OAEP unwrapping failed: another key wrapped it, or it was altered", ErrWrongKey)
	}
	defer clear(pseudo)
	want := env.cekAlg
	if len(pseudo) != 1+dataKeySize+len(want) || pseudo[0] != dataKeySize ||
		subtle.ConstantTimeCompare(pseudo[1+dataKeySize:], []byte(want)) != 1 {
		return nil, fmt.Errorf("%w: the RSA-wrapped key does not name content algorithm %q", ErrTampered, want)
	}
	return &unwrappedKey{dataKey: append([]byte(nil), pseudo[1:1+dataKeySize]...)}, nil
}

func noContextForRawKeyring(ec map[string]string) error {
	if len(ec) > 0 {
		return fmt.Errorf("%w: an encryption context applies to the KMS keyring only (the AES and RSA formats store a material description nothing authenticates)", ErrContextMismatch)
	}
	return nil
}
