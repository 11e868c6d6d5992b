package coffer

import (
	"context"
	"io"
)

// Service is the domain API that front ends (s3api, the console) call:
// buckets and objects, with encryption applied. Implementations (package
// sse) MUST:
//   - return the sentinel errors of this package (wrapped or not), an
//     *ArgumentError for a bad argument, and nothing that holds key material;
//   - leave no trace of a write that fails (nothing half-written, old object
//     intact), and make a successful write durable before returning;
//   - read request bodies to EOF before declaring success, verifying every
//     hash asked for in BodyCheck;
//   - never decrypt anything for HeadObject or listings, and unwrap a key
//     only to show an SSE-KMS object's checksum (which needs kms:Decrypt).
type Service interface {
	CreateBucket(ctx context.Context, bucket string) error
	HeadBucket(ctx context.Context, bucket string) (BucketInfo, error)
	ListBuckets(ctx context.Context) ([]BucketInfo, error)
	// DeleteBucket fails with ErrBucketNotEmpty while objects or
	// multipart uploads remain.
	DeleteBucket(ctx context.Context, bucket string) error

	PutObject(ctx context.Context, bucket, key string, body io.Reader, opts PutOptions) (ObjectInfo, error)
	// GetObject returns the object and a stream of the requested bytes.
	// A stream whose ciphertext fails authentication returns an error
	// wrapping ErrCorruptData from Read, never wrong bytes. When
	// opts.Range is set, the returned offset and length say which bytes the
	// stream holds.
	GetObject(ctx context.Context, bucket, key string, opts GetOptions) (ObjectInfo, *ObjectReader, error)
	HeadObject(ctx context.Context, bucket, key string, opts GetOptions) (ObjectInfo, error)
	// DeleteObject succeeds when the key does not exist (S3 semantics).
	DeleteObject(ctx context.Context, bucket, key string) error
	CopyObject(ctx context.Context, bucket, key string, opts CopyOptions) (ObjectInfo, error)
	ListObjects(ctx context.Context, bucket string, q ListQuery) (ListPage, error)

	CreateMultipartUpload(ctx context.Context, bucket, key string, opts UploadOptions) (UploadInfo, error)
	UploadPart(ctx context.Context, bucket, key, uploadID string, part int, body io.Reader, opts PartOptions) (PartInfo, error)
	UploadPartCopy(ctx context.Context, bucket, key, uploadID string, part int, src CopySource, opts PartOptions) (PartInfo, error)
	CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, opts CompleteOptions) (ObjectInfo, error)
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	ListParts(ctx context.Context, bucket, key, uploadID string, q PartQuery) (PartPage, error)
	ListMultipartUploads(ctx context.Context, bucket string, q UploadQuery) (UploadPage, error)

	// PutBucketEncryption sets the bucket's default encryption, applied
	// to writes that name none. It checks the rule's shape, not the KMS
	// key, which is resolved when a write uses it.
	PutBucketEncryption(ctx context.Context, bucket string, enc BucketEncryption) error
	// GetBucketEncryption returns the bucket's rule: SSE-S3 without a
	// bucket key for a bucket that never had one or had it deleted.
	GetBucketEncryption(ctx context.Context, bucket string) (BucketEncryption, error)
	// DeleteBucketEncryption resets the rule to SSE-S3; it is idempotent.
	DeleteBucketEncryption(ctx context.Context, bucket string) error
	// UpdateObjectEncryption re-wraps an existing object's data key as enc
	// asks (SSE-KMS under a key ARN, with or without a bucket key)
	// without touching its data: size, ETag, checksums, metadata and
	// dates stay as they were.
	UpdateObjectEncryption(ctx context.Context, bucket, key string, enc EncryptionRequest) (ObjectInfo, error)

	// PutBucketPolicy validates and stores a bucket policy (JSON, kept
	// byte-exact); a malformed one is an *ArgumentError with Code
	// "MalformedPolicy" and a message saying what is wrong.
	PutBucketPolicy(ctx context.Context, bucket string, doc []byte) error
	// GetBucketPolicy returns the stored policy; ErrNoSuchBucketPolicy
	// when there is none.
	GetBucketPolicy(ctx context.Context, bucket string) ([]byte, error)
	// DeleteBucketPolicy removes the policy; it is idempotent.
	DeleteBucketPolicy(ctx context.Context, bucket string) error
	// HeadUpload returns a multipart upload's description, its
	// encryption included, without reading its parts.
	HeadUpload(ctx context.Context, bucket, key, uploadID string) (UploadInfo, error)
}

// ObjectReader is the plaintext of (part of) an object.
type ObjectReader struct {
	io.ReadCloser
	Offset int64 // first byte's position in the object
	Length int64 // bytes the stream will deliver
}
