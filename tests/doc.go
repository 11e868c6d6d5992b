// Package tests holds Coffer's integration tests: they build the real
// coffer binary, start it on 127.0.0.1 with a fresh data dir, and drive it
// with the clients users run (the aws CLI, boto3, aws-sdk-go-v2, minio-go).
// Nothing here is imported by Coffer itself.
package tests
