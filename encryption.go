package coffer

// SSEType is how an object is encrypted at rest. Every object Coffer stores
// is encrypted; there is no "none".
type SSEType string

const (
	SSES3  SSEType = "AES256"  // server-managed keys (default)
	SSEKMS SSEType = "aws:kms" // keys from the KMS
	SSEC   SSEType = "SSE-C"   // customer-provided keys
)

// EncryptionRequest is what a client asked for on a write. The zero value
// means "the bucket default".
type EncryptionRequest struct {
	Type             SSEType
	KMSKeyID         string            // as given: id, ARN, alias or alias ARN
	KMSContext       map[string]string // the caller's additional context
	BucketKeyEnabled *bool
	CustomerKey      *CustomerKey
}

// CustomerKey is an SSE-C key as sent with a request. It lives in memory for
// the request only and must never be logged, stored or put in an error.
type CustomerKey struct {
	Key [32]byte
	MD5 string // base64 of MD5(Key), as the client sent it
}

// String hides the key from fmt and loggers.
func (CustomerKey) String() string { return "[customer key]" }

// EncryptionInfo is how an object is encrypted, as the API reports it.
type EncryptionInfo struct {
	Type             SSEType `json:"type"`
	KMSKeyARN        string  `json:"kmsKey,omitempty"`
	BucketKeyEnabled bool    `json:"bucketKey,omitempty"`
	// CustomerKeyMD5 is the SSE-C key MD5 the request sent, echoed in
	// responses; it is never stored.
	CustomerKeyMD5 string `json:"-"`
}

// BucketEncryption is a bucket's default encryption rule
// (PutBucketEncryption). A bucket always has one; the zero value of a new
// bucket is SSE-S3 without a bucket key.
type BucketEncryption struct {
	Algorithm        SSEType // SSES3 or SSEKMS
	KMSMasterKeyID   string  // as the user gave it; resolved at use
	BucketKeyEnabled bool
	// BlockedEncryptionTypes lists write encryption types the bucket
	// refuses: "SSE-C" or "NONE".
	BlockedEncryptionTypes []string
}
