// Package cse is client-side encryption for S3: objects are encrypted
// before they leave the process and decrypted after they come back, so no
// server (Coffer, Amazon S3 or any other) ever sees plaintext or keys.
//
// The formats are those of the AWS S3 Encryption Client, so objects move
// freely between this package and AWS's clients:
//
//   - Put writes V2 by default (AES-256-GCM content, the x-amz-key-v2
//     envelope) or, with FormatV3, the key-committing algorithm suite 115 of
//     AWS's v4 clients (HKDF-SHA512-derived content key, x-amz-d
//     commitment).
//   - Get reads V2 and V3, and legacy V1 (AES/CBC) and "kms"-wrapped objects
//     when Options.AllowLegacyV1 allows it.
//   - Data keys are wrapped by a Keyring: an AWS-KMS-API endpoint
//     (kms+context), or a key the caller holds (AES/GCM, RSA-OAEP-SHA1).
//   - The envelope lives in the object's metadata, or in an instruction file
//     "<key>.instruction" (Options.InstructionFile; Get finds it by itself).
//
// FORMAT.md in this directory gives every format byte by byte.
//
// Objects of any size stream in constant memory: Put encrypts as it reads
// (bodies larger than Options.PartSize go up as a multipart upload, parts
// uploaded while the next is encrypted, at most Options.Concurrency+1 parts
// in memory at a time), and GetOutput.Body decrypts as it is read. GCM is
// one message per object, so its tag, at the very end, is checked only when
// the body has been read through: until Read returns io.EOF the plaintext
// is not authenticated, and a failed check is reported as ErrTampered in
// place of io.EOF (see GetOutput.Body; GetAll buffers small objects and
// returns them only once verified).
//
// Every failure to read or write an object wraps one of the sentinel
// errors (ErrWrongKey, ErrMissingMetadata, ErrUnsupportedFormat,
// ErrTampered, ErrKMSDenied, ErrContextMismatch, ErrNotEncrypted). No error
// ever carries key material.
//
// This package imports the standard library, golang.org/x/crypto and
// aws-sdk-go-v2 (with its smithy-go) only, and no Coffer package: it is a
// client library that works against any S3 and KMS endpoint.
package cse
