// Package opsapi serves Coffer's operator endpoints under /_coffer/: health
// probes, Prometheus metrics and the admin API (master-key rotation and
// re-wrapping) used by `coffer admin`.
//
// Bucket names cannot start with "_", so these paths never collide with a
// path-style bucket. opsapi must not import storage backends, sse or s3api:
// it sees the small interfaces declared here.
package opsapi
