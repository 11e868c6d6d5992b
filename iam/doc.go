// Package iam is the account's user directory: IAM users, their access keys
// and their inline (identity) policies, with AWS's names, identifiers,
// limits and error codes. *Directory implements coffer.Identities, the view
// the front ends and the policy engine use on every request, and offers the
// IAM operations (CreateUser, CreateAccessKey, PutUserPolicy, ...) in domain
// terms for package iam/iamapi to serve over HTTP.
//
// Every user and every access key is one record in a coffer.KeyStore under
// "iam/", sealed with AES-256-GCM under a 32-byte key the caller passes, and
// bound by the AEAD's additional data to the name it is stored under (which
// carries the access key id for key records). Open loads the whole
// directory into memory; changes are written through before they become
// visible, so AccessKey and IdentityPolicies answer from memory and never
// see a change the key store has not made durable. Byte layouts: FORMAT.md.
//
// A secret access key leaves the package twice only: in the result of
// CreateAccessKey, once, and through AccessKey, for signature
// verification. Errors, records outside their envelope and String methods
// never carry one.
//
// Client mistakes are *Error values wrapping one of this package's
// sentinels (ErrNoSuchEntity, ErrValidation, ...) with AWS's public
// message; anything else (key store failures) is internal.
//
// This package must not import net/http, and among Coffer's packages only
// the root package coffer and policy (to validate identity policies).
package iam
