package coffer

import "time"

// BodyCheck says what a body must hash to. Front ends fill it from the
// request; the Service hashes the body once, all sums in parallel, and fails
// the write (leaving nothing behind) when one does not match.
type BodyCheck struct {
	// Size is the declared plaintext length, or -1 when unknown. A body that
	// ends early fails with ErrIncompleteBody.
	Size int64
	// ContentMD5 is the decoded Content-MD5 header, if sent (ErrBadDigest).
	ContentMD5 []byte
	// SHA256 is the hex x-amz-content-sha256 of a signed, non-streaming
	// payload (ErrSHA256Mismatch). Empty when unsigned or streaming.
	SHA256 string
	// Checksum asks for an additional checksum to be computed and stored.
	Checksum ChecksumAlgorithm
	// ChecksumValue is the base64 value the client sent in a header.
	ChecksumValue string
	// ChecksumTrailer, when set, returns the value sent in a trailer; it is
	// called only after the body has been read to EOF.
	ChecksumTrailer func() string
}

// PutOptions are the parameters of PutObject.
type PutOptions struct {
	Meta       ObjectMeta
	Check      BodyCheck
	Encryption EncryptionRequest
	// IfNoneMatchStar makes the write fail with ErrPreconditionFailed when
	// the key exists (conditional writes, If-None-Match: *).
	IfNoneMatchStar bool
	// IfMatch makes the write fail unless the current ETag matches.
	IfMatch string
}

// Range is a byte range from a Range header. Exactly one form is used:
// Start..End (End -1 means to the end), or the last Suffix bytes.
type Range struct {
	Start, End int64
	Suffix     int64
	IsSuffix   bool
}

// Resolve turns the range into an offset and length within an object of
// the given size, or ErrInvalidRange when it is not satisfiable.
func (r Range) Resolve(size int64) (offset, length int64, err error) {
	if r.IsSuffix {
		if r.Suffix <= 0 {
			return 0, 0, ErrInvalidRange
		}
		if r.Suffix > size {
			r.Suffix = size
		}
		return size - r.Suffix, r.Suffix, nil
	}
	if r.Start < 0 || r.Start >= size || (r.End >= 0 && r.End < r.Start) {
		return 0, 0, ErrInvalidRange
	}
	end := r.End
	if end < 0 || end >= size {
		end = size - 1
	}
	return r.Start, end - r.Start + 1, nil
}

// Conditions are the If-* preconditions of a read (or of a copy source).
type Conditions struct {
	IfMatch           string // ETag list as sent, "*" allowed
	IfNoneMatch       string
	IfModifiedSince   *time.Time
	IfUnmodifiedSince *time.Time
}

// Check evaluates the conditions against an object in the order RFC 7232
// and S3 use; it returns nil, ErrPreconditionFailed or ErrNotModified.
func (c Conditions) Check(etag string, modified time.Time) error {
	modified = modified.Truncate(time.Second)
	if c.IfMatch != "" {
		if !etagListMatches(c.IfMatch, etag) {
			return ErrPreconditionFailed
		}
	} else if c.IfUnmodifiedSince != nil && modified.After(*c.IfUnmodifiedSince) {
		return ErrPreconditionFailed
	}
	if c.IfNoneMatch != "" {
		if etagListMatches(c.IfNoneMatch, etag) {
			return ErrNotModified
		}
	} else if c.IfModifiedSince != nil && !modified.After(*c.IfModifiedSince) {
		return ErrNotModified
	}
	return nil
}

func etagListMatches(list, etag string) bool {
	for _, candidate := range splitETagList(list) {
		if candidate == "*" || candidate == etag {
			return true
		}
	}
	return false
}

func splitETagList(list string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(list); i++ {
		if i == len(list) || list[i] == ',' {
			out = append(out, TrimETag(list[start:i]))
			start = i + 1
		}
	}
	return out
}

// TrimETag removes blanks, a weak prefix and the quotes around an ETag.
func TrimETag(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	if len(s) > 2 && s[:2] == "W/" {
		s = s[2:]
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	return s
}

// GetOptions are the parameters of GetObject and HeadObject.
type GetOptions struct {
	Range       *Range
	PartNumber  int // > 0 reads one part of a multipart object
	Conditions  Conditions
	CustomerKey *CustomerKey // SSE-C objects only
	// WantChecksum asks for the stored checksum (x-amz-checksum-mode).
	WantChecksum bool
}

// MetadataDirective says where a copy's metadata comes from.
type MetadataDirective string

const (
	MetadataCopy    MetadataDirective = "COPY"
	MetadataReplace MetadataDirective = "REPLACE"
)

// CopySource names the object a copy reads from.
type CopySource struct {
	Bucket      string
	Key         string
	Conditions  Conditions
	CustomerKey *CustomerKey
	Range       *Range // UploadPartCopy only
}

// CopyOptions are the parameters of CopyObject.
type CopyOptions struct {
	Source     CopySource
	Directive  MetadataDirective
	Meta       ObjectMeta // used when Directive is MetadataReplace
	Encryption EncryptionRequest
	Checksum   ChecksumAlgorithm
}

// UploadOptions are the parameters of CreateMultipartUpload.
type UploadOptions struct {
	Meta         ObjectMeta
	Encryption   EncryptionRequest
	Checksum     ChecksumAlgorithm
	ChecksumType ChecksumType
}

// PartOptions are the parameters of UploadPart.
type PartOptions struct {
	Check       BodyCheck
	CustomerKey *CustomerKey
}

// CompletePart is one entry of a CompleteMultipartUpload request.
type CompletePart struct {
	Number   int
	ETag     string
	Checksum string // base64 value of the upload's checksum algorithm, if any
}

// CompleteOptions are the parameters of CompleteMultipartUpload.
type CompleteOptions struct {
	Parts       []CompletePart
	CustomerKey *CustomerKey
	// Checksum is the full-object checksum the client declared, if any.
	Checksum        Checksum
	IfNoneMatchStar bool
	IfMatch         string
}
