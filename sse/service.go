package sse

import (
	"crypto/rand"
	"io"
	"time"

	"github.com/cofferlabs/coffer"
)

// DefaultBucketKeyTTL is how long a bucket key serves from memory when
// Options.BucketKeyTTL is zero.
const DefaultBucketKeyTTL = 5 * time.Minute

// Options configure a Service.
type Options struct {
	Region    string // reported as every bucket's region
	AccountID string
	Now       func() time.Time // nil means time.Now
	// KeyManager is the KMS behind SSE-KMS. Nil leaves SSE-KMS
	// unimplemented: such writes and reads answer ErrNotImplemented.
	KeyManager coffer.KeyManager
	// Auditor records UpdateObjectEncryption calls; nil records nothing.
	Auditor coffer.Auditor
	// BucketKeyTTL bounds how long an S3 Bucket Key, once the KMS has
	// released it to a caller, serves that caller from memory (see
	// FORMAT.md §7). Zero means DefaultBucketKeyTTL.
	BucketKeyTTL time.Duration
	// BlockSSECByDefault makes new buckets refuse SSE-C writes
	// (BlockedEncryptionTypes SSE-C), as Amazon S3 does for buckets made
	// since April 2026. Off by default; see docs/operations.md.
	BlockSSECByDefault bool
	// ValidateBucketPolicy checks a bucket policy document for the bucket
	// (package policy's grammar; cmd wires it). Nil refuses every policy
	// with coffer.ErrNotImplemented.
	ValidateBucketPolicy func(doc []byte, bucket string) error
}

// Service implements coffer.Service over a coffer.Store, encrypting every
// object at rest with data keys sealed by a Keyring (SSE-S3) or by the
// KMS (SSE-KMS).
type Service struct {
	store coffer.Store
	keys  *Keyring
	opts  Options
	now   func() time.Time
	// random is the source of data keys, nonces and upload IDs (a test hook).
	random       io.Reader
	masterSealer masterKeySealer
	kms          *kmsSealer // nil without a KeyManager
	buckets      bucketCache
}

var _ coffer.Service = (*Service)(nil)

// New returns a Service storing objects in store, sealing their keys with
// keys, or with opts.KeyManager for SSE-KMS.
func New(store coffer.Store, keys *Keyring, opts Options) *Service {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Service{
		store:        store,
		keys:         keys,
		opts:         opts,
		now:          func() time.Time { return now().UTC() },
		random:       rand.Reader,
		masterSealer: masterKeySealer{keys: keys, random: rand.Reader},
	}
	if opts.KeyManager != nil {
		ttl := opts.BucketKeyTTL
		if ttl <= 0 {
			ttl = DefaultBucketKeyTTL
		}
		s.kms = newKMSSealer(opts.KeyManager, ttl, s.now)
	}
	return s
}
