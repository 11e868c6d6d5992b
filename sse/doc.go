// Package sse implements coffer.Service over any coffer.Store: it encrypts
// every object at rest and keeps the key hierarchy that makes that safe.
//
// The hierarchy (byte layouts and derivations in FORMAT.md):
//
//	root key     32 bytes from the operator; never stored by sse
//	master keys  versioned, random, kept in a coffer.KeyStore sealed under
//	             the root key (Keyring); rotation adds a version
//	data keys    random per object (per upload for multipart), sealed under
//	             the current master key (SSE-S3) or under a key-encryption
//	             key the KMS generates and protects (SSE-KMS), and bound to
//	             the object's identity
//	stream keys  derived from the data key per data stream (part number and
//	             part nonce), used by package dare to encrypt the data
//
// Writes stream the body through package checksum (all hashes verified at
// EOF) and dare into the store; any failure aborts the write, leaving the
// old version intact. Reads decrypt only the dare packages a range needs,
// and every byte delivered has been authenticated. HeadObject and listings
// never unseal anything.
//
// SSE-KMS (Options.KeyManager) calls the KMS as the caller in the request
// context, marked as coming through S3: one GenerateDataKey per write, one
// Decrypt per read, unless an S3 Bucket Key serves the call from memory.
// Bucket keys are cached per caller for Options.BucketKeyTTL, so a
// revocation in the KMS reaches a caller's cached bucket key only when it
// expires: the price of calling the KMS a handful of times instead of once
// per object (FORMAT.md §7). Bucket default encryption lives in the bucket
// record; UpdateObjectEncryption re-wraps a data key without touching the
// object's data, and RewrapBucket does so for a whole bucket, resumably,
// with a checkpoint in the key store (FORMAT.md §11).
//
// SSE-C objects have their data key sealed under a key derived (HKDF, with
// a random salt and the object's binding) from the customer key the
// request carries; the record keeps only that seal and a salted keyed
// hash to tell a wrong key (ErrCustomerKeyMismatch) from a right one,
// never the key or its MD5 (FORMAT.md §12). The server cannot open them
// without the request, so master key rewraps pass them by; a copy onto
// itself with a new key re-seals the data key and leaves the data alone.
//
// This package must not import net/http, package s3api, or any storage
// backend (storage/...) outside its tests: it sees storage only as a
// coffer.Store and a coffer.KeyStore, and the KMS only as a
// coffer.KeyManager.
package sse
