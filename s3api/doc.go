// Package s3api is Coffer's S3 front end: the only package that speaks S3's
// HTTP. It recognises an operation from a declarative route table
// (routes.go), authenticates every request with sigv4, turns headers, query
// parameters and small XML bodies into coffer options, calls a
// coffer.Service and renders the result as S3 does. Every failure goes
// through one renderer (errors.go) driven by two tables: the wire codes
// (status and message) and the ordered mapping from domain errors to them.
//
// Each request gets an id (x-amz-request-id, x-amz-id-2), one structured log
// line and Prometheus metrics. Secrets never reach logs: no signatures, no
// SSE-C keys, no query strings.
//
// Before calling the Service, s3api puts the caller into the request's
// context: the coffer.Principal the access key belongs to (Config.Identify;
// the account root by default) and the coffer.RequestInfo (what the
// transport layer found, or the connection's own facts, with the request
// id, user agent and signature version), so that the KMS behind SSE-KMS
// authorizes and audits the real caller. Bucket encryption changes and
// every refused request are recorded through Config.Auditor. KMS failures
// map to S3's KMS.<Code> errors in the same error table.
//
// s3api sees coffer.Service only: it must not import sse or any storage
// backend (tests may, to run real clients end to end).
package s3api
