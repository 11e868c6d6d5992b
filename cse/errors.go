package cse

import "errors"

// Sentinel errors. Every failure to read or write an encrypted object wraps
// exactly one of them (match with errors.Is) with detail about the cause.
// No error of this package ever contains key material: neither data keys,
// wrapping keys, nor plaintext.
var (
	// ErrWrongKey: the keyring cannot unwrap the object's data key: another
	// key wrapped it, the keyring is of another kind than the object's
	// wrapping algorithm, or the wrapped key itself was altered (the two
	// cannot be told apart). KMS's IncorrectKeyException and
	// InvalidCiphertextException map here.
	ErrWrongKey = errors.New("cse: the keyring cannot unwrap the object's data key")

	// ErrMissingMetadata: the object has part of an envelope, or points to
	// an instruction file that does not exist.
	ErrMissingMetadata = errors.New("cse: the object's encryption metadata is missing or incomplete")

	// ErrUnsupportedFormat: the envelope names a format, content algorithm
	// or wrapping algorithm this package does not read, or a legacy one that
	// Options.AllowLegacyV1 does not allow.
	ErrUnsupportedFormat = errors.New("cse: unsupported client-side encryption format")

	// ErrTampered: the ciphertext or its envelope is not what was written:
	// the GCM tag, the V3 key commitment or the plaintext length does not
	// verify, or the envelope is malformed or self-contradictory.
	ErrTampered = errors.New("cse: the encrypted object or its metadata was altered")

	// ErrKMSDenied: the KMS refused the request (access denied, key
	// disabled, pending deletion, not found, or unavailable).
	ErrKMSDenied = errors.New("cse: the KMS denied the request")

	// ErrContextMismatch: the encryption context given does not match the
	// one stored with the object, or uses a key reserved by the format.
	ErrContextMismatch = errors.New("cse: encryption context mismatch")

	// ErrNotEncrypted: the object carries no client-side encryption
	// metadata and has no instruction file.
	ErrNotEncrypted = errors.New("cse: the object is not client-side encrypted")
)
