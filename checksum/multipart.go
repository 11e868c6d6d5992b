package checksum

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/cofferlabs/coffer"
)

var (
	errNoParts          = errors.New("checksum: no parts")
	errUnknownAlgorithm = errors.New("checksum: unknown algorithm")
)

// Composite is the COMPOSITE checksum of a multipart object: the checksum
// of the concatenated raw part checksums, base64, followed by "-N" for N
// parts. Every part value must be well-formed for alg.
func Composite(alg coffer.ChecksumAlgorithm, partValues []string) (string, error) {
	h := New(alg)
	if h == nil {
		return "", fmt.Errorf("%w %q", errUnknownAlgorithm, alg)
	}
	if len(partValues) == 0 {
		return "", errNoParts
	}
	for i, v := range partValues {
		raw, ok := decodeValue(alg, v)
		if !ok {
			return "", fmt.Errorf("checksum: part %d: malformed %s value %q", i+1, alg, v)
		}
		h.Write(raw)
	}
	return encodeValue(h.Sum(nil)) + "-" + strconv.Itoa(len(partValues)), nil
}

// CombineFullObject is the FULL_OBJECT checksum of a multipart object
// computed from its parts' CRCs and sizes, as if the whole object had been
// hashed at once. Only the CRC algorithms combine this way.
func CombineFullObject(alg coffer.ChecksumAlgorithm, partValues []string, partSizes []int64) (string, error) {
	var field crcField
	switch alg {
	case coffer.ChecksumCRC32:
		field = crc32Field
	case coffer.ChecksumCRC32C:
		field = crc32cField
	case coffer.ChecksumCRC64NVME:
		field = crc64nvmeField
	default:
		return "", fmt.Errorf("checksum: %q cannot be combined into a full-object checksum", alg)
	}
	if len(partValues) == 0 {
		return "", errNoParts
	}
	if len(partValues) != len(partSizes) {
		return "", fmt.Errorf("checksum: %d part values but %d part sizes", len(partValues), len(partSizes))
	}
	var combined uint64
	for i, v := range partValues {
		raw, ok := decodeValue(alg, v)
		if !ok {
			return "", fmt.Errorf("checksum: part %d: malformed %s value %q", i+1, alg, v)
		}
		if partSizes[i] < 0 {
			return "", fmt.Errorf("checksum: part %d: negative size %d", i+1, partSizes[i])
		}
		crc := crcFromBytes(raw)
		if i == 0 {
			combined = crc
		} else {
			combined = field.combine(combined, crc, uint64(partSizes[i]))
		}
	}
	return encodeValue(crcToBytes(combined, field.width)), nil
}

func crcFromBytes(raw []byte) uint64 {
	if len(raw) == 4 {
		return uint64(binary.BigEndian.Uint32(raw))
	}
	return binary.BigEndian.Uint64(raw)
}

func crcToBytes(crc uint64, width uint) []byte {
	if width == 32 {
		return binary.BigEndian.AppendUint32(nil, uint32(crc))
	}
	return binary.BigEndian.AppendUint64(nil, crc)
}

// MultipartETag is S3's ETag of a multipart object: the hex MD5 of the
// concatenated binary MD5s of the parts, followed by "-N". Part ETags may
// be quoted. A part ETag that is not 32 hex digits (never the case for
// ETags Coffer made) contributes its bytes as they are.
func MultipartETag(partETags []string) string {
	h := md5.New()
	for _, etag := range partETags {
		etag = coffer.TrimETag(etag)
		raw, err := hex.DecodeString(etag)
		if err != nil || len(raw) != md5.Size {
			raw = []byte(etag)
		}
		h.Write(raw)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(partETags))
}
