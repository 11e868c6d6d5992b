package sse

import (
	"fmt"
	"strings"

	"github.com/cofferlabs/coffer"
)

// validateWrite checks what every object write names: the key and the
// user metadata.
func validateWrite(key string, meta coffer.ObjectMeta) error {
	if err := coffer.ValidateObjectKey(key); err != nil {
		return err
	}
	if meta.UserMetadataSize() > coffer.MaxUserMetadataBytes {
		return coffer.ErrMetadataTooLarge
	}
	return nil
}

// validatePartNumber applies S3's 1..10000 rule.
func validatePartNumber(part int) error {
	if part < 1 || part > coffer.MaxPartNumber {
		return fmt.Errorf("sse: part number %d not in 1..%d: %w", part, coffer.MaxPartNumber, coffer.ErrTooManyParts)
	}
	return nil
}

func validChecksumAlgorithm(alg coffer.ChecksumAlgorithm) bool {
	switch alg {
	case coffer.ChecksumNone, coffer.ChecksumCRC32, coffer.ChecksumCRC32C, coffer.ChecksumCRC64NVME,
		coffer.ChecksumSHA1, coffer.ChecksumSHA256:
		return true
	}
	return false
}

func checksumAlgorithmError(alg coffer.ChecksumAlgorithm) error {
	return &coffer.ArgumentError{
		Name: "x-amz-checksum-algorithm", Value: string(alg),
		Message: "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
	}
}

// uploadChecksumType settles the checksum type of a new multipart upload:
// CRC64NVME is full-object only, SHA digests composite only, and the CRC32
// family defaults to composite as in S3.
func uploadChecksumType(alg coffer.ChecksumAlgorithm, typ coffer.ChecksumType) (coffer.ChecksumType, error) {
	if !validChecksumAlgorithm(alg) {
		return "", checksumAlgorithmError(alg)
	}
	invalid := func(msg string) error {
		return &coffer.ArgumentError{Code: "InvalidRequest", Name: "x-amz-checksum-type", Value: string(typ), Message: msg}
	}
	switch {
	case alg == coffer.ChecksumNone && typ != "":
		return "", invalid("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	case alg == coffer.ChecksumNone:
		return "", nil
	case typ != "" && typ != coffer.ChecksumComposite && typ != coffer.ChecksumFullObject:
		return "", invalid("Value for x-amz-checksum-type header is invalid.")
	case alg == coffer.ChecksumCRC64NVME && typ == coffer.ChecksumComposite:
		return "", invalid("The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
	case (alg == coffer.ChecksumSHA1 || alg == coffer.ChecksumSHA256) && typ == coffer.ChecksumFullObject:
		return "", invalid("The FULL_OBJECT checksum type cannot be used with the " + strings.ToLower(string(alg)) + " checksum algorithm.")
	case typ != "":
		return typ, nil
	case alg == coffer.ChecksumCRC64NVME:
		return coffer.ChecksumFullObject, nil
	default:
		return coffer.ChecksumComposite, nil
	}
}
