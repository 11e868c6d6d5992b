package checksum

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"

	"github.com/cofferlabs/coffer"
	"github.com/klauspost/crc32"
	"github.com/minio/crc64nvme"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// New returns a fresh hash for an additional checksum algorithm, or nil
// for ChecksumNone and names S3 does not define. Sum appends the checksum
// big-endian, the byte order S3 encodes.
func New(alg coffer.ChecksumAlgorithm) hash.Hash {
	switch alg {
	case coffer.ChecksumCRC32:
		return crc32.NewIEEE()
	case coffer.ChecksumCRC32C:
		return crc32.New(castagnoli)
	case coffer.ChecksumCRC64NVME:
		return crc64nvme.New()
	case coffer.ChecksumSHA1:
		return sha1.New()
	case coffer.ChecksumSHA256:
		return sha256.New()
	}
	return nil
}

// size is the length in bytes of an algorithm's checksum, 0 if unknown.
func size(alg coffer.ChecksumAlgorithm) int {
	switch alg {
	case coffer.ChecksumCRC32, coffer.ChecksumCRC32C:
		return 4
	case coffer.ChecksumCRC64NVME:
		return 8
	case coffer.ChecksumSHA1:
		return sha1.Size
	case coffer.ChecksumSHA256:
		return sha256.Size
	}
	return 0
}

// base64Strict rejects non-canonical encodings, so one checksum has one
// spelling.
var base64Strict = base64.StdEncoding.Strict()

// ValidValue reports whether v is a well-formed value for alg: canonical
// padded base64 of exactly the algorithm's checksum length.
func ValidValue(alg coffer.ChecksumAlgorithm, v string) bool {
	_, ok := decodeValue(alg, v)
	return ok
}

// decodeValue returns the checksum bytes of a well-formed value.
func decodeValue(alg coffer.ChecksumAlgorithm, v string) ([]byte, bool) {
	n := size(alg)
	if n == 0 || len(v) != base64.StdEncoding.EncodedLen(n) {
		return nil, false
	}
	raw, err := base64Strict.DecodeString(v)
	if err != nil || len(raw) != n {
		return nil, false
	}
	return raw, true
}

func encodeValue(raw []byte) string { return base64.StdEncoding.EncodeToString(raw) }
