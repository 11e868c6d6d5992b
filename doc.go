// Package coffer holds Coffer's domain: the types that describe buckets,
// objects, multipart uploads and their encryption, the boundary interfaces
// between the layers (Service for the API front ends, Store for storage
// backends, KeyStore for sealed key material) and the sentinel errors that
// cross those boundaries.
//
// The layers, outermost first:
//
//	s3api    HTTP: turns requests into options and streams, calls a Service
//	sse      implements Service: encrypts on put, decrypts on get, seals keys
//	storage  implements Store: keeps ciphertext and records (storage/fs)
//
// This package imports the standard library only. It must not import net/http
// or any other Coffer package.
package coffer
