package sse

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"

	"github.com/cofferlabs/coffer"
)

// Sealed data key blob, as kept in ObjectRecord.SealedKey and
// UploadRecord.SealedKey for SSE-S3 (see FORMAT.md):
//
//	[0]      blob format version (dataKeyBlobV1)
//	[1:5]    master key version, uint32 big endian
//	[5:17]   AES-256-GCM nonce
//	[17:65]  ciphertext of the 32-byte data key, then the 16-byte tag
const (
	dataKeyBlobV1     byte = 1
	dataKeySize            = 32
	dataKeyHeaderSize      = 1 + 4
	dataKeyBlobSize        = dataKeyHeaderSize + gcmNonceSize + dataKeySize + gcmTagSize
	dataKeyAADLabel        = "coffer/sse/data-key/v1"
)

// keyBinding is what identifies an object for the life of its data key:
// moving a sealed key to any other binding makes it fail to open. It holds
// nothing that changes when the key is re-wrapped.
type keyBinding struct {
	Type     coffer.SSEType
	Bucket   string
	Key      string
	UploadID string // multipart objects and uploads only
}

func bindingOf(rec coffer.ObjectRecord) keyBinding {
	return keyBinding{Type: rec.Encryption.Type, Bucket: rec.Bucket, Key: rec.Key, UploadID: rec.UploadID}
}

func uploadBinding(up coffer.UploadRecord) keyBinding {
	return keyBinding{Type: up.Encryption.Type, Bucket: up.Bucket, Key: up.Key, UploadID: up.ID}
}

// dataKeyAAD is the AAD of an SSE-S3 sealed data key.
func dataKeyAAD(header []byte, b keyBinding) []byte {
	return bindingAAD(dataKeyAADLabel, header, b)
}

// bindingAAD encodes a label, a blob header and the binding with a length
// before every variable field, so no two bindings encode alike.
func bindingAAD(label string, header []byte, b keyBinding) []byte {
	n := len(label) + len(header) + 4*4 + len(b.Type) + len(b.Bucket) + len(b.Key) + len(b.UploadID)
	aad := make([]byte, 0, n)
	aad = append(aad, label...)
	aad = append(aad, header...)
	for _, field := range []string{string(b.Type), b.Bucket, b.Key, b.UploadID} {
		aad = binary.BigEndian.AppendUint32(aad, uint32(len(field)))
		aad = append(aad, field...)
	}
	return aad
}

// sealDataKey seals a data key under a master key version; nonce must be
// fresh random bytes (a parameter so that test vectors can fix it).
func sealDataKey(master cipher.AEAD, masterVersion uint32, b keyBinding, dataKey, nonce []byte) []byte {
	out := make([]byte, 0, dataKeyBlobSize)
	out = append(out, dataKeyBlobV1)
	out = binary.BigEndian.AppendUint32(out, masterVersion)
	header := out[:dataKeyHeaderSize]
	out = append(out, nonce...)
	return master.Seal(out, nonce, dataKey, dataKeyAAD(header, b))
}

var errDataKeyBlob = errors.New("sealed data key is malformed")

// dataKeyMasterVersion reads the master key version from a blob's header.
func dataKeyMasterVersion(blob []byte) (uint32, error) {
	if len(blob) != dataKeyBlobSize || blob[0] != dataKeyBlobV1 {
		return 0, errDataKeyBlob
	}
	return binary.BigEndian.Uint32(blob[1:dataKeyHeaderSize]), nil
}

// openDataKey opens a blob whose header names the version of master.
func openDataKey(master cipher.AEAD, b keyBinding, blob []byte) ([]byte, error) {
	if _, err := dataKeyMasterVersion(blob); err != nil {
		return nil, err
	}
	header := blob[:dataKeyHeaderSize]
	nonce := blob[dataKeyHeaderSize : dataKeyHeaderSize+gcmNonceSize]
	key, err := master.Open(nil, nonce, blob[dataKeyHeaderSize+gcmNonceSize:], dataKeyAAD(header, b))
	if err != nil {
		return nil, errors.New("sealed data key does not open for this object")
	}
	return key, nil
}
