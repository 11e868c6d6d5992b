// Package sse implements coffer.Service over any coffer.Store: it encrypts
// every object at rest and keeps the key hierarchy that makes that safe.
//
// The hierarchy (byte layouts and derivations in FORMAT.md):
//
//	root key     32 bytes from the operator; never stored by sse
//	master keys  versioned, random, kept in a coffer.KeyStore sealed under
//	             the root key (Keyring); rotation adds a version
//	data keys    random per object (per upload for multipart), sealed under
//	             the current master key and bound to the object's identity
//	stream keys  derived from the data key per data stream (part number and
//	             part nonce), used by package dare to encrypt the data
//
// Writes stream the body through package checksum (all hashes verified at
// EOF) and dare into the store; any failure aborts the write, leaving the
// old version intact. Reads decrypt only the dare packages a range needs,
// and every byte delivered has been authenticated. HeadObject and listings
// never unseal anything. Each SSE type seals data keys through its own
// keySealer; SSE-S3 is implemented, SSE-KMS and SSE-C answer
// coffer.ErrNotImplemented for now.
//
// This package must not import net/http, package s3api, or any storage
// backend (storage/...) outside its tests: it sees storage only as a
// coffer.Store and a coffer.KeyStore.
package sse
