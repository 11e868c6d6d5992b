package coffer

import (
	"context"
	"time"
)

// AuditEvent is one CloudTrail-style record: a KMS operation (including
// those S3 makes on a caller's behalf) or a security-relevant S3 event.
type AuditEvent struct {
	Time        time.Time
	EventSource string // "kms.amazonaws.com", "s3.amazonaws.com"
	EventName   string // "GenerateDataKey", "PutBucketEncryption", ...
	Principal   Principal
	Request     RequestInfo
	ReadOnly    bool
	// Resources are the ARNs the event touched (key, bucket, object).
	Resources []AuditResource
	// Parameters are request facts worth keeping: key id, encryption
	// context, bucket, key. Never key material or secrets.
	Parameters   map[string]any
	ErrorCode    string // empty on success
	ErrorMessage string
	// Details carries extra facts, e.g. the Sid of a denying statement.
	Details map[string]string
}

// AuditResource is one resource of an event.
type AuditResource struct {
	Type string // "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::S3::Object"
	ARN  string
}

// Auditor records events. Record MUST NOT block a request for long and
// MUST NOT fail it: an auditor that cannot write logs the failure and
// reports itself unhealthy.
type Auditor interface {
	Record(ctx context.Context, e AuditEvent)
}
