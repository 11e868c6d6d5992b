package kms

import (
	"slices"
	"strconv"
)

// DataKeySpec is the length of a data key: AES_256 (32 bytes) or AES_128
// (16 bytes).
type DataKeySpec string

const (
	DataKeyAES256 DataKeySpec = "AES_256"
	DataKeyAES128 DataKeySpec = "AES_128"
)

// DryRunModifier changes what a dry run checks.
type DryRunModifier string

// IgnoreCiphertext makes a dry run of Decrypt or ReEncrypt skip the
// ciphertext: only the key (KeyId / SourceKeyId) is checked.
const IgnoreCiphertext DryRunModifier = "IGNORE_CIPHERTEXT"

// RecipientInfo is a Nitro Enclaves attestation; Coffer does not support
// it and refuses requests that carry one.
type RecipientInfo struct {
	KeyEncryptionAlgorithm string `json:"KeyEncryptionAlgorithm"`
	AttestationDocument    []byte `json:"AttestationDocument"`
}

func errRecipientUnsupported() error {
	return errUnsupported("Recipient (Nitro Enclaves attestation) is not supported.")
}

// encryptionContext checks an encryption context member and returns its
// canonical encoding (the AAD part, FORMAT.md §5).
func (v *violations) encryptionContext(member string, ec map[string]string) []byte {
	canonical, ok := canonicalContext(ec)
	if !ok {
		*v = append(*v, "Value at '"+member+"' failed to satisfy constraint: Member must have at most 65535 entries, each key and value at most 65535 bytes")
	}
	return canonical
}

// algorithm checks an EncryptionAlgorithm of a request on a symmetric key.
func algorithm(kk *key, alg EncryptionAlgorithm) error {
	if alg == "" || alg == EncryptionSymmetricDefault {
		return nil
	}
	return kmsError(CodeInvalidKeyUsage, "The encryption algorithm %s is not valid for KMS key %s: symmetric keys use SYMMETRIC_DEFAULT.", alg, kk.arn)
}

// seal encrypts plaintext under the current material of kk.
func (k *KMS) seal(kk *key, plaintext, ec []byte) ([]byte, error) {
	h := blobHeader{keyID: kk.binID, materialID: kk.current.id}
	if err := k.readRandom(h.salt[:], h.nonce[:]); err != nil {
		return nil, err
	}
	return sealBlob(h, kk.current, plaintext, ec)
}

// ciphertextKey finds the key a blob names; a blob that names no key this
// KMS has (never had, or deleted) is refused like one the caller may not
// use.
func (c *call) ciphertextKey(blob []byte) (*key, blobHeader, error) {
	h, err := parseBlob(blob)
	if err != nil {
		return nil, h, err
	}
	kk := c.k.lookupKey(uuidString(h.keyID))
	if kk == nil {
		return nil, h, errCiphertextKeyUnknown()
	}
	return kk, h, nil
}

// checkKeyMatches enforces Decrypt.KeyId / ReEncrypt.SourceKeyId: when
// given, it must name the key the blob names.
func (c *call) checkKeyMatches(id string, kk *key) error {
	if id == "" {
		return nil
	}
	named, err := c.resolve(id, keysOrAliases)
	if err != nil {
		return err
	}
	if named.rec.ID != kk.rec.ID {
		return errIncorrectKey()
	}
	return nil
}

// open decrypts a blob of kk under the material its header names.
func open(kk *key, h blobHeader, blob, ec []byte) ([]byte, *material, error) {
	m := kk.materials[h.materialID]
	if m == nil {
		return nil, nil, errInvalidCiphertext()
	}
	plaintext, err := openBlob(blob, m, ec)
	if err != nil {
		return nil, nil, err
	}
	return plaintext, m, nil
}

func hasModifier(mods []DryRunModifier, m DryRunModifier) bool { return slices.Contains(mods, m) }

func itoa(i int) string { return strconv.Itoa(i) }
