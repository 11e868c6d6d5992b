// Package opsapi serves Coffer's operator endpoints under /_coffer/: health
// probes, Prometheus metrics and the admin API used by `coffer admin`:
// master-key rotation, re-wrapping everything under the current master
// key, and re-keying a bucket's objects to SSE-KMS under a KMS key. The
// long runs stream their progress as JSON lines.
//
// Admin requests are the root user's alone. What they ask of the KMS (a
// bucket re-key) runs as the account's root principal with the request's
// facts (request id, source IP) in the context, so the KMS authorizes and
// audits it like any other call.
//
// Bucket names cannot start with "_", so these paths never collide with a
// path-style bucket. opsapi must not import storage backends, sse or s3api:
// it sees the small interfaces declared here, and the domain package for
// principals and errors.
package opsapi
