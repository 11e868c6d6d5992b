package coffer

import (
	"errors"
	"fmt"
)

// Sentinel errors shared by every layer. Implementations wrap them with
// fmt.Errorf("...: %w", Err...) to add context; front ends match them with
// errors.Is and map each to exactly one wire error (s3api keeps that table).
var (
	ErrNoSuchBucket       = errors.New("bucket does not exist")
	ErrBucketExists       = errors.New("bucket already exists")
	ErrBucketNotEmpty     = errors.New("bucket is not empty")
	ErrInvalidBucketName  = errors.New("invalid bucket name")
	ErrNoSuchKey          = errors.New("object does not exist")
	ErrKeyTooLong         = errors.New("object key is too long")
	ErrInvalidObjectName  = errors.New("invalid object key")
	ErrNoSuchUpload       = errors.New("multipart upload does not exist")
	ErrInvalidPart        = errors.New("part not found or its ETag does not match")
	ErrInvalidPartOrder   = errors.New("parts are not in ascending order")
	ErrEntityTooSmall     = errors.New("part is smaller than the minimum allowed size")
	ErrEntityTooLarge     = errors.New("object is larger than the maximum allowed size")
	ErrInvalidRange       = errors.New("requested range is not satisfiable")
	ErrInvalidPartNumber  = errors.New("requested part number is not satisfiable")
	ErrPreconditionFailed = errors.New("precondition failed")
	ErrNotModified        = errors.New("not modified")
	ErrBadDigest          = errors.New("Content-MD5 does not match the body")
	ErrInvalidDigest      = errors.New("Content-MD5 is not valid")
	ErrChecksumMismatch   = errors.New("checksum does not match the body")
	ErrSHA256Mismatch     = errors.New("x-amz-content-sha256 does not match the body")
	ErrIncompleteBody     = errors.New("body is shorter than Content-Length")
	ErrMetadataTooLarge   = errors.New("user metadata exceeds 2 KB")
	ErrInvalidCopySource  = errors.New("copy source is invalid")
	ErrCopyToItself       = errors.New("copy onto itself changes nothing")
	ErrTooManyParts       = errors.New("part number out of range")
	ErrNotImplemented     = errors.New("not implemented")
	ErrCorruptData        = errors.New("stored data failed authentication")
	ErrKeyNotFound        = errors.New("key not found in key store")
	ErrKeyExists          = errors.New("key already exists in key store")
	ErrSealedKeyInvalid   = errors.New("sealed key cannot be opened")
	ErrConcurrentUpdate   = errors.New("object changed while being read")
)

// ErrEncryptionTypeBlocked refuses a write whose encryption type the
// bucket's BlockedEncryptionTypes lists.
var ErrEncryptionTypeBlocked = errors.New("the bucket blocks writes with this encryption type")

// ErrNoSuchBucketPolicy: GetBucketPolicy of a bucket without one.
var ErrNoSuchBucketPolicy = errors.New("the bucket has no policy")

// SSE-C failures (spec §3.4). None of them ever carries key material.
var (
	// ErrCustomerKeyRequired: an SSE-C object read or copied without its key.
	ErrCustomerKeyRequired = errors.New("the object is SSE-C and no customer key was sent")
	// ErrCustomerKeyMismatch: the key sent is not the object's (403).
	ErrCustomerKeyMismatch = errors.New("the customer key is not the object's")
	// ErrCustomerKeyNotApplicable: a customer key sent for an object that
	// is not SSE-C.
	ErrCustomerKeyNotApplicable = errors.New("a customer key was sent for an object that is not SSE-C")
	// ErrUploadKeyPresence: a part or completion of an upload sent a
	// customer key when the upload has none, or none when it has one.
	ErrUploadKeyPresence = errors.New("the upload's SSE-C parameters were not repeated")
	// ErrUploadKeyMismatch: a part sent another key than the upload's.
	ErrUploadKeyMismatch = errors.New("the customer key differs from the upload's")
)

// ArgumentError is a client mistake in one named argument (a header, a query
// parameter or a form field). Front ends render it as InvalidArgument with
// Name and Value, or with the code given in Code when it is set.
type ArgumentError struct {
	Code    string // wire code override; empty means InvalidArgument
	Name    string // e.g. "x-amz-server-side-encryption"
	Value   string // the offending value; never key material
	Message string // public text, shown to the client
}

func (e *ArgumentError) Error() string {
	return fmt.Sprintf("invalid argument %s=%q: %s", e.Name, e.Value, e.Message)
}
