package s3api

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/sigv4"
)

// Config is what New needs to serve S3.
type Config struct {
	Service  coffer.Service
	Verifier *sigv4.Verifier // nil knows no keys: every signed request fails
	// Region is reported by GetBucketLocation, HeadBucket and ListBuckets
	// and is the only location constraint CreateBucket accepts.
	Region    string
	AccountID string
	Owner     Owner
	// Domains are the base domains of virtual-hosted-style requests
	// (<bucket>.<domain>); empty means path style only.
	Domains []string
	Logger  *slog.Logger // nil discards
	// Metrics receives the request metrics; nil keeps them unregistered.
	Metrics prometheus.Registerer
	// Identify maps a verified access key to the principal it belongs to.
	// Nil makes every valid key the account's root (until IAM users
	// exist); a key it does not know is refused as InvalidAccessKeyId.
	Identify func(accessKey string) (coffer.Principal, bool)
	// Auditor records security events: bucket encryption changes and
	// every request refused for authentication or authorization. Nil
	// records nothing.
	Auditor coffer.Auditor
	// Authorizer decides every request with the caller's identity
	// policies and the bucket's policy. Nil allows every signed request
	// and refuses anonymous ones.
	Authorizer coffer.Authorizer
	// KMSKeyARN resolves a KMS key reference (id, alias) to its key ARN,
	// so that s3:x-amz-server-side-encryption-aws-kms-key-id compares
	// ARNs, as S3 does; nil, or a reference that does not resolve,
	// compares the reference as sent.
	KMSKeyARN func(ctx context.Context, keyID string) (string, bool)
	// PolicyIsPublic says whether a bucket policy grants public access
	// (GetBucketPolicyStatus); nil answers NotImplemented.
	PolicyIsPublic func(doc []byte) (bool, error)
}

// Owner is the canonical user shown as owner and initiator in listings.
type Owner struct {
	ID          string
	DisplayName string
}

const defaultRegion = "us-east-1"
