package s3api

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"

	"github.com/cofferlabs/coffer"
)

// checksumAlgorithms are the additional checksums S3 takes, in the order
// their headers are reported.
var checksumAlgorithms = []coffer.ChecksumAlgorithm{
	coffer.ChecksumCRC32, coffer.ChecksumCRC32C, coffer.ChecksumCRC64NVME,
	coffer.ChecksumSHA1, coffer.ChecksumSHA256,
}

// checksumSizes are the raw digest lengths, to validate base64 values.
var checksumSizes = map[coffer.ChecksumAlgorithm]int{
	coffer.ChecksumCRC32: 4, coffer.ChecksumCRC32C: 4, coffer.ChecksumCRC64NVME: 8,
	coffer.ChecksumSHA1: sha1.Size, coffer.ChecksumSHA256: sha256.Size,
}

// checksumHeader is x-amz-checksum-<alg>.
func checksumHeader(alg coffer.ChecksumAlgorithm) string {
	return "x-amz-checksum-" + strings.ToLower(string(alg))
}

// parseChecksumAlgorithm reads an algorithm name as the SDKs send it.
func parseChecksumAlgorithm(name, v string) (coffer.ChecksumAlgorithm, error) {
	alg := coffer.ChecksumAlgorithm(strings.ToUpper(v))
	if _, ok := checksumSizes[alg]; !ok {
		return "", argumentError(codeInvalidRequest, name, v, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	return alg, nil
}

func parseChecksumType(v string) (coffer.ChecksumType, error) {
	switch t := coffer.ChecksumType(strings.ToUpper(v)); t {
	case "", coffer.ChecksumFullObject, coffer.ChecksumComposite:
		return t, nil
	}
	return "", argumentError(codeInvalidRequest, "x-amz-checksum-type", v, "Value for x-amz-checksum-type header is invalid.")
}

// validChecksumValue reports whether v is base64 of a digest of alg.
func validChecksumValue(alg coffer.ChecksumAlgorithm, v string) bool {
	raw, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(raw) == checksumSizes[alg]
}

// checksumFromHeaders finds the single x-amz-checksum-<alg> header of a
// request, if any.
func checksumFromHeaders(h http.Header) (coffer.ChecksumAlgorithm, string, error) {
	var found coffer.ChecksumAlgorithm
	var value string
	for _, alg := range checksumAlgorithms {
		v := h.Get(checksumHeader(alg))
		if v == "" {
			continue
		}
		if found != "" {
			return "", "", newError(codeInvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		if !validChecksumValue(alg, v) {
			return "", "", argumentError(codeInvalidRequest, checksumHeader(alg), v, "Value for "+checksumHeader(alg)+" header is invalid.")
		}
		found, value = alg, v
	}
	return found, value, nil
}

// setChecksumHeaders reports a stored checksum.
func setChecksumHeaders(h http.Header, c coffer.Checksum) {
	if c.Algorithm == "" || c.Value == "" {
		return
	}
	h.Set(checksumHeader(c.Algorithm), c.Value)
	if c.Type != "" {
		h.Set("x-amz-checksum-type", string(c.Type))
	}
}

// checksumFields are the Checksum* elements of S3's XML documents.
type checksumFields struct {
	ChecksumCRC32     string `xml:",omitempty"`
	ChecksumCRC32C    string `xml:",omitempty"`
	ChecksumCRC64NVME string `xml:",omitempty"`
	ChecksumSHA1      string `xml:",omitempty"`
	ChecksumSHA256    string `xml:",omitempty"`
}

func newChecksumFields(c coffer.Checksum) checksumFields {
	var f checksumFields
	if p := f.field(c.Algorithm); p != nil {
		*p = c.Value
	}
	return f
}

func (f *checksumFields) field(alg coffer.ChecksumAlgorithm) *string {
	switch alg {
	case coffer.ChecksumCRC32:
		return &f.ChecksumCRC32
	case coffer.ChecksumCRC32C:
		return &f.ChecksumCRC32C
	case coffer.ChecksumCRC64NVME:
		return &f.ChecksumCRC64NVME
	case coffer.ChecksumSHA1:
		return &f.ChecksumSHA1
	case coffer.ChecksumSHA256:
		return &f.ChecksumSHA256
	}
	return nil
}

// only returns the single value set, for request documents; more than one
// is an error.
func (f checksumFields) only() (coffer.ChecksumAlgorithm, string, bool) {
	var alg coffer.ChecksumAlgorithm
	var value string
	for _, a := range checksumAlgorithms {
		if v := *f.field(a); v != "" {
			if alg != "" {
				return "", "", false
			}
			alg, value = a, v
		}
	}
	return alg, value, true
}

// crc64NVME is the CRC-64/NVME polynomial, bit-reversed as hash/crc64 wants.
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// newChecksumHash hashes small request documents (Delete, Complete) whose
// checksum header s3api verifies itself; object bodies are the Service's.
func newChecksumHash(alg coffer.ChecksumAlgorithm) hash.Hash {
	switch alg {
	case coffer.ChecksumCRC32:
		return crc32.NewIEEE()
	case coffer.ChecksumCRC32C:
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case coffer.ChecksumCRC64NVME:
		return crc64.New(crc64NVME)
	case coffer.ChecksumSHA1:
		return sha1.New()
	case coffer.ChecksumSHA256:
		return sha256.New()
	}
	return nil
}
