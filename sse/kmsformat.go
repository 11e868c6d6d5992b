package sse

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Sealed data key of an SSE-KMS object or upload, format 0x02 (see
// FORMAT.md §6): what GET needs to ask the KMS for the key-encryption key
// again, then the object's data key sealed under it.
//
//	[0]       format version (kmsBlobV2)
//	[1]       key source: keySourceObject or keySourceBucket
//	[2:4]     n = len(key ARN), uint16;  [4:4+n] key ARN
//	          m = len(context), uint16;  the caller's context, canonical (encodeContext)
//	          b = len(KMS blob), uint16; the KMS ciphertext blob
//	          12-byte nonce
//	          AES-256-GCM ciphertext of the 32-byte data key, then the 16-byte tag
const (
	kmsBlobV2         byte = 2
	keySourceObject   byte = 1 // a KMS data key for this object (or upload) alone
	keySourceBucket   byte = 2 // an S3 Bucket Key, shared by the bucket's objects
	kmsDataKeyLabel        = "coffer/sse/data-key/v2"
	kmsKEKLabel            = "coffer/sse/kms-kek/v1"
	maxKeyARNBytes         = 2048
	maxKMSBlobBytes        = 6144
	kmsSealedTailSize      = gcmNonceSize + dataKeySize + gcmTagSize
)

// kmsSealed is a parsed format-0x02 blob.
type kmsSealed struct {
	source  byte
	keyARN  string
	context []byte // canonical encoding of the caller's context
	blob    []byte // the KMS ciphertext blob
	header  []byte // every byte before the nonce (authenticated)
	nonce   []byte
	sealed  []byte // ciphertext || tag
}

var errKMSSealed = errors.New("SSE-KMS sealed data key is malformed")

// encodeKMSHeader lays out everything before the nonce.
func encodeKMSHeader(source byte, keyARN string, context, blob []byte) ([]byte, error) {
	if len(keyARN) == 0 || len(keyARN) > maxKeyARNBytes || len(context) > maxContextBytes || len(blob) == 0 || len(blob) > maxKMSBlobBytes {
		return nil, fmt.Errorf("sse: KMS key ARN (%d bytes), context (%d) or blob (%d) out of bounds", len(keyARN), len(context), len(blob))
	}
	out := make([]byte, 0, 2+6+len(keyARN)+len(context)+len(blob)+kmsSealedTailSize)
	out = append(out, kmsBlobV2, source)
	for _, field := range [][]byte{[]byte(keyARN), context, blob} {
		out = binary.BigEndian.AppendUint16(out, uint16(len(field)))
		out = append(out, field...)
	}
	return out, nil
}

// sealKMSDataKey appends the nonce and the sealed data key to header; the
// AAD is the whole header and the object's binding, so neither the KMS
// fields nor the record's identity can be swapped. nonce must be fresh
// random bytes (a parameter so that test vectors can fix it).
func sealKMSDataKey(kek cipher.AEAD, header []byte, b keyBinding, dataKey, nonce []byte) []byte {
	out := make([]byte, 0, len(header)+kmsSealedTailSize)
	out = append(out, header...)
	out = append(out, nonce...)
	return kek.Seal(out, nonce, dataKey, bindingAAD(kmsDataKeyLabel, header, b))
}

// parseKMSSealed splits a format-0x02 blob into its fields.
func parseKMSSealed(blob []byte) (kmsSealed, error) {
	if len(blob) < 2 || blob[0] != kmsBlobV2 || (blob[1] != keySourceObject && blob[1] != keySourceBucket) {
		return kmsSealed{}, errKMSSealed
	}
	out := kmsSealed{source: blob[1]}
	rest := blob[2:]
	var arn, context, kmsBlob string
	var ok bool
	if arn, rest, ok = cutField16(rest); !ok || arn == "" || len(arn) > maxKeyARNBytes {
		return kmsSealed{}, errKMSSealed
	}
	if context, rest, ok = cutField16(rest); !ok {
		return kmsSealed{}, errKMSSealed
	}
	if _, err := decodeContext([]byte(context)); err != nil {
		return kmsSealed{}, errKMSSealed
	}
	if kmsBlob, rest, ok = cutField16(rest); !ok || kmsBlob == "" || len(kmsBlob) > maxKMSBlobBytes {
		return kmsSealed{}, errKMSSealed
	}
	if len(rest) != kmsSealedTailSize {
		return kmsSealed{}, errKMSSealed
	}
	headerLen := len(blob) - kmsSealedTailSize
	out.keyARN, out.context, out.blob = arn, []byte(context), []byte(kmsBlob)
	out.header = blob[:headerLen]
	out.nonce = blob[headerLen : headerLen+gcmNonceSize]
	out.sealed = blob[headerLen+gcmNonceSize:]
	return out, nil
}

// openKMSDataKey opens the data key of a parsed blob under kek.
func openKMSDataKey(kek cipher.AEAD, s kmsSealed, b keyBinding) ([]byte, error) {
	key, err := kek.Open(nil, s.nonce, s.sealed, bindingAAD(kmsDataKeyLabel, s.header, b))
	if err != nil {
		return nil, errors.New("sealed data key does not open for this object")
	}
	return key, nil
}

// deriveKEK turns the plaintext of a KMS data key into the AES-256-GCM
// key-encryption key that seals object data keys; the label keeps this
// use apart from any other use of the same KMS data key.
func deriveKEK(kmsPlaintext []byte) (cipher.AEAD, error) {
	if len(kmsPlaintext) != dataKeySize {
		return nil, fmt.Errorf("sse: KMS data key has %d bytes, want %d", len(kmsPlaintext), dataKeySize)
	}
	mac := hmac.New(sha256.New, kmsPlaintext)
	mac.Write([]byte(kmsKEKLabel))
	kek := mac.Sum(nil)
	defer clear(kek)
	return newGCM(kek)
}
