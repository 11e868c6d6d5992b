package coffer

import (
	"context"
	"fmt"
)

// KeyManager is the KMS as the S3 side (package sse) uses it. Every call
// acts as the Principal in ctx (with RequestInfo.ViaService set to
// "s3.amazonaws.com" by the caller), is authorized by the key's policy,
// counts against the request quota and is audited. Implementations MUST
// return *KMSError for every KMS-level failure and never put key material
// in an error.
type KeyManager interface {
	// ResolveKey returns the full ARN of the key keyID names: a key id,
	// key ARN, alias name or alias ARN; "" means alias/aws/s3, which is
	// created on first use. It fails for missing keys, and for keys that
	// cannot encrypt (disabled, pending deletion).
	ResolveKey(ctx context.Context, keyID string) (keyARN string, err error)
	// GenerateDataKey returns a fresh 32-byte data key in plaintext and
	// sealed under the key, bound to encCtx.
	GenerateDataKey(ctx context.Context, keyID string, encCtx map[string]string) (plaintext, blob []byte, keyARN string, err error)
	// Decrypt opens a blob made by GenerateDataKey (or Encrypt) with the
	// same encryption context. The blob names its key.
	Decrypt(ctx context.Context, blob []byte, encCtx map[string]string) (plaintext []byte, keyARN string, err error)
}

// KMSError is a KMS failure with its AWS error code ("NotFoundException",
// "DisabledException", "KMSInvalidStateException", "AccessDeniedException",
// "ThrottlingException", "InvalidCiphertextException", ...). The KMS JSON
// API renders it as {"__type": Code, "message": Message}; S3 renders it as
// KMS.<Code> (400), AccessDenied (403) or SlowDown (503).
type KMSError struct {
	Code    string
	Message string // public text; never key material
}

func (e *KMSError) Error() string { return fmt.Sprintf("kms: %s: %s", e.Code, e.Message) }
