// Package kms is Coffer's built-in key management service: the domain of
// the AWS KMS API for symmetric keys. It keeps KMS keys (key metadata and
// every version of their key material), aliases, tags and key policies in a
// coffer.KeyStore, sealed under a key derived from the root key; it enforces
// key states, key policies (through the KeyPolicy interface), a shared
// request quota for cryptographic operations, and records every operation,
// successful or not, with the coffer.Auditor.
//
// The AWS operations are methods of API ((*KMS).API()), one per operation,
// with input and output types shaped like botocore's KMS model; every
// client-visible failure is a *coffer.KMSError with AWS's code and message,
// anything else is an internal failure (storage, randomness). *KMS itself
// implements coffer.KeyManager, the view package sse uses, through the same
// code paths, and offers the periodic sweeps the server runs:
// DeleteExpiredKeys (crypto-shredding keys whose deletion window has passed)
// and RotateDueKeys (automatic rotation).
//
// Ciphertext blobs name their key and key material, so Decrypt needs no key
// id; the encryption context is bound as additional authenticated data in a
// collision-free encoding. Byte layouts and derivations: FORMAT.md.
//
// This package must not import net/http (the HTTP protocol is package
// kms/kmsapi) nor any Coffer package other than the root package coffer.
package kms
