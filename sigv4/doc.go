// Package sigv4 verifies AWS Signature Version 4 on incoming HTTP requests,
// server side: the Authorization header, presigned (query string) URLs, and
// aws-chunked request bodies with per-chunk signatures and trailing headers.
//
// For service "s3" only, the same Verifier also accepts Signature Version 2
// (HMAC-SHA1), because botocore and the aws CLI still presign with it for
// custom endpoints in us-east-1: "Authorization: AWS AccessKeyId:Signature"
// with a Date or x-amz-date inside MaxSkew, and presigned URLs with
// AWSAccessKeyId, Signature and Expires. SigV2 signs neither the body nor
// the Host, so Auth.SignatureVersion tells callers which scheme they got
// (features S3 restricts to SigV4, like SSE-KMS, must check it), and
// Verifier.Domains must list the front end's virtual-hosted base domains:
// the bucket a Host names is part of the SigV2 resource.
//
// A Verifier looks the access key up, rebuilds the canonical request exactly
// as the client saw it (path as sent, never re-encoded or normalised), derives
// the signing key (cached per secret, date, region and service) and compares
// signatures in constant time. Verify returns an Auth whose Body the caller
// reads instead of r.Body: it strips aws-chunked framing and checks every
// chunk signature and the trailer signature.
//
// Streaming caveat: the bytes of one aws-chunked chunk are handed to the
// caller as they arrive, before that chunk's signature can be checked (the
// signature covers the whole chunk). A bad chunk therefore surfaces as an
// error from a later Read, never as io.EOF. Callers must not commit anything
// until Read has returned io.EOF; sse and checksum follow that rule.
//
// Wire and signing formats are written down in FORMAT.md next to this file.
//
// This package imports the standard library only (net/http is fine here: it
// is an HTTP concern). It must not import any other Coffer package.
package sigv4
