package coffer

import (
	"time"
	"unicode/utf8"
)

// Limits S3 enforces and Coffer keeps.
const (
	MaxObjectKeyLength   = 1024
	MaxUserMetadataBytes = 2 << 10
	MaxSinglePutSize     = 5 << 30
	MaxObjectSize        = 5 << 40
	MinPartSize          = 5 << 20
	MaxPartSize          = 5 << 30
	MaxPartNumber        = 10000
)

// ObjectMeta is the metadata a client sets on an object and gets back
// byte-exact: the standard content headers and the user's x-amz-meta-* pairs.
type ObjectMeta struct {
	ContentType        string `json:"ct,omitempty"`
	ContentEncoding    string `json:"ce,omitempty"`
	ContentDisposition string `json:"cd,omitempty"`
	ContentLanguage    string `json:"cl,omitempty"`
	CacheControl       string `json:"cc,omitempty"`
	Expires            string `json:"ex,omitempty"`
	StorageClass       string `json:"sc,omitempty"`
	WebsiteRedirect    string `json:"wr,omitempty"`
	// User maps lower-case names (without the x-amz-meta- prefix) to
	// values, empty values included.
	User map[string]string `json:"um,omitempty"`
	// Tagging is the raw x-amz-tagging query string, kept for later use.
	Tagging string `json:"tg,omitempty"`
}

// UserMetadataSize counts user metadata as S3 does: names plus values.
func (m ObjectMeta) UserMetadataSize() int {
	n := 0
	for k, v := range m.User {
		n += len("x-amz-meta-") + len(k) + len(v)
	}
	return n
}

// ChecksumAlgorithm names an additional checksum (x-amz-checksum-*).
type ChecksumAlgorithm string

const (
	ChecksumNone      ChecksumAlgorithm = ""
	ChecksumCRC32     ChecksumAlgorithm = "CRC32"
	ChecksumCRC32C    ChecksumAlgorithm = "CRC32C"
	ChecksumCRC64NVME ChecksumAlgorithm = "CRC64NVME"
	ChecksumSHA1      ChecksumAlgorithm = "SHA1"
	ChecksumSHA256    ChecksumAlgorithm = "SHA256"
)

// ChecksumType says whether a multipart checksum covers the whole object or
// is a checksum of the parts' checksums.
type ChecksumType string

const (
	ChecksumFullObject ChecksumType = "FULL_OBJECT"
	ChecksumComposite  ChecksumType = "COMPOSITE"
)

// Checksum is a stored additional checksum over the plaintext.
type Checksum struct {
	Algorithm ChecksumAlgorithm `json:"alg,omitempty"`
	Type      ChecksumType      `json:"type,omitempty"`
	Value     string            `json:"val,omitempty"` // base64, as on the wire; composite values carry "-N"
}

// ObjectInfo is an object as the API shows it. It never carries key material.
type ObjectInfo struct {
	Bucket       string
	Key          string
	Size         int64  // plaintext bytes
	ETag         string // without quotes
	LastModified time.Time
	Meta         ObjectMeta
	Checksum     Checksum
	Encryption   EncryptionInfo
	PartsCount   int // 0 for single-part objects
	Parts        []PartInfo
}

// PartInfo describes one uploaded part (ListParts, GetObjectAttributes).
type PartInfo struct {
	Number       int
	Size         int64
	ETag         string
	LastModified time.Time
	Checksum     Checksum
	// Encryption is the upload's, reported on UploadPart; empty in listings.
	Encryption EncryptionInfo
}

// ValidateObjectKey applies S3's key rules: 1 to 1024 bytes of UTF-8.
func ValidateObjectKey(key string) error {
	if key == "" || !utf8.ValidString(key) {
		return ErrInvalidObjectName
	}
	if len(key) > MaxObjectKeyLength {
		return ErrKeyTooLong
	}
	return nil
}
