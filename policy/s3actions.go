package policy

import (
	"slices"
	"strings"
)

// s3Scope is the resource an S3 action acts on, which decides whether a
// bucket policy statement's Action and Resource fit together.
type s3Scope int

const (
	scopeObject  s3Scope = iota + 1 // arn:aws:s3:::bucket/key
	scopeBucket                     // arn:aws:s3:::bucket
	scopeAccount                    // no bucket or object: "*", jobs, access points, Storage Lens
)

// s3ActionTable is Amazon S3's actions ("Actions defined by Amazon S3" in
// the Service Authorization Reference) with the resource each acts on:
// the actions S3 PutBucketPolicy accepts, so that a typo such as
// s3:GetObjekt is refused as it is by S3 ("Policy has invalid action").
// Coffer implements a subset; the others are accepted in policies
// because users paste them from working AWS policies.
var s3ActionTable = []struct {
	name  string
	scope s3Scope
}{
	// Objects.
	{"AbortMultipartUpload", scopeObject},
	{"BypassGovernanceRetention", scopeObject},
	{"DeleteObject", scopeObject},
	{"DeleteObjectTagging", scopeObject},
	{"DeleteObjectVersion", scopeObject},
	{"DeleteObjectVersionTagging", scopeObject},
	{"GetObject", scopeObject},
	{"GetObjectAcl", scopeObject},
	{"GetObjectAttributes", scopeObject},
	{"GetObjectLegalHold", scopeObject},
	{"GetObjectRetention", scopeObject},
	{"GetObjectTagging", scopeObject},
	{"GetObjectTorrent", scopeObject},
	{"GetObjectVersion", scopeObject},
	{"GetObjectVersionAcl", scopeObject},
	{"GetObjectVersionAttributes", scopeObject},
	{"GetObjectVersionForReplication", scopeObject},
	{"GetObjectVersionTagging", scopeObject},
	{"GetObjectVersionTorrent", scopeObject},
	{"InitiateReplication", scopeObject},
	{"ListMultipartUploadParts", scopeObject},
	{"ObjectOwnerOverrideToBucketOwner", scopeObject},
	{"PutObject", scopeObject},
	{"PutObjectAcl", scopeObject},
	{"PutObjectLegalHold", scopeObject},
	{"PutObjectRetention", scopeObject},
	{"PutObjectTagging", scopeObject},
	{"PutObjectVersionAcl", scopeObject},
	{"PutObjectVersionTagging", scopeObject},
	{"ReplicateDelete", scopeObject},
	{"ReplicateObject", scopeObject},
	{"ReplicateTags", scopeObject},
	{"RestoreObject", scopeObject},
	{"UpdateObjectEncryption", scopeObject},

	// Buckets.
	{"CreateBucket", scopeBucket},
	{"CreateBucketMetadataTableConfiguration", scopeBucket},
	{"DeleteBucket", scopeBucket},
	{"DeleteBucketMetadataTableConfiguration", scopeBucket},
	{"DeleteBucketPolicy", scopeBucket},
	{"DeleteBucketWebsite", scopeBucket},
	{"GetAccelerateConfiguration", scopeBucket},
	{"GetAnalyticsConfiguration", scopeBucket},
	{"GetBucketAcl", scopeBucket},
	{"GetBucketCORS", scopeBucket},
	{"GetBucketLocation", scopeBucket},
	{"GetBucketLogging", scopeBucket},
	{"GetBucketMetadataTableConfiguration", scopeBucket},
	{"GetBucketNotification", scopeBucket},
	{"GetBucketObjectLockConfiguration", scopeBucket},
	{"GetBucketOwnershipControls", scopeBucket},
	{"GetBucketPolicy", scopeBucket},
	{"GetBucketPolicyStatus", scopeBucket},
	{"GetBucketPublicAccessBlock", scopeBucket},
	{"GetBucketRequestPayment", scopeBucket},
	{"GetBucketTagging", scopeBucket},
	{"GetBucketVersioning", scopeBucket},
	{"GetBucketWebsite", scopeBucket},
	{"GetEncryptionConfiguration", scopeBucket},
	{"GetIntelligentTieringConfiguration", scopeBucket},
	{"GetInventoryConfiguration", scopeBucket},
	{"GetLifecycleConfiguration", scopeBucket},
	{"GetMetricsConfiguration", scopeBucket},
	{"GetReplicationConfiguration", scopeBucket},
	{"ListBucket", scopeBucket},
	{"ListBucketMultipartUploads", scopeBucket},
	{"ListBucketVersions", scopeBucket},
	{"PutAccelerateConfiguration", scopeBucket},
	{"PutAnalyticsConfiguration", scopeBucket},
	{"PutBucketAcl", scopeBucket},
	{"PutBucketCORS", scopeBucket},
	{"PutBucketLogging", scopeBucket},
	{"PutBucketNotification", scopeBucket},
	{"PutBucketObjectLockConfiguration", scopeBucket},
	{"PutBucketOwnershipControls", scopeBucket},
	{"PutBucketPolicy", scopeBucket},
	{"PutBucketPublicAccessBlock", scopeBucket},
	{"PutBucketRequestPayment", scopeBucket},
	{"PutBucketTagging", scopeBucket},
	{"PutBucketVersioning", scopeBucket},
	{"PutBucketWebsite", scopeBucket},
	{"PutEncryptionConfiguration", scopeBucket},
	{"PutIntelligentTieringConfiguration", scopeBucket},
	{"PutInventoryConfiguration", scopeBucket},
	{"PutLifecycleConfiguration", scopeBucket},
	{"PutMetricsConfiguration", scopeBucket},
	{"PutReplicationConfiguration", scopeBucket},

	// Neither: the account, Batch Operations jobs, access points, Storage
	// Lens. Valid in a bucket policy, but never applicable to its
	// resources.
	{"CreateAccessPoint", scopeAccount},
	{"CreateJob", scopeAccount},
	{"DeleteAccessPoint", scopeAccount},
	{"DeleteAccessPointPolicy", scopeAccount},
	{"DeleteJobTagging", scopeAccount},
	{"DeleteStorageLensConfiguration", scopeAccount},
	{"DescribeJob", scopeAccount},
	{"GetAccessPoint", scopeAccount},
	{"GetAccessPointPolicy", scopeAccount},
	{"GetAccessPointPolicyStatus", scopeAccount},
	{"GetAccountPublicAccessBlock", scopeAccount},
	{"GetJobTagging", scopeAccount},
	{"GetStorageLensConfiguration", scopeAccount},
	{"GetStorageLensDashboard", scopeAccount},
	{"ListAccessPoints", scopeAccount},
	{"ListAllMyBuckets", scopeAccount},
	{"ListJobs", scopeAccount},
	{"ListStorageLensConfigurations", scopeAccount},
	{"PutAccessPointPolicy", scopeAccount},
	{"PutAccountPublicAccessBlock", scopeAccount},
	{"PutJobTagging", scopeAccount},
	{"PutStorageLensConfiguration", scopeAccount},
	{"UpdateJobPriority", scopeAccount},
	{"UpdateJobStatus", scopeAccount},
}

// s3Actions are the table's names as "s3:Name", and s3Scopes their
// scopes, index for index.
var s3Actions, s3Scopes = func() ([]string, []s3Scope) {
	names := make([]string, len(s3ActionTable))
	scopes := make([]s3Scope, len(s3ActionTable))
	for i, a := range s3ActionTable {
		names[i], scopes[i] = "s3:"+a.name, a.scope
	}
	return names, scopes
}()

// S3Actions returns every Amazon S3 action ("s3:GetObject", ...) a bucket
// policy may name, for Options.Actions.
func S3Actions() []string { return slices.Clone(s3Actions) }

// s3ScopesCovered returns the scopes of the S3 actions an Action element
// covers (its patterns compiled as parseActions does).
func s3ScopesCovered(actions []string) (object, bucket bool) {
	for _, name := range actions {
		p := compileWildcard(strings.ToLower(name))
		for i, known := range s3Actions {
			if !p.matchFold(known) {
				continue
			}
			switch s3Scopes[i] {
			case scopeObject:
				object = true
			case scopeBucket:
				bucket = true
			}
		}
	}
	return object, bucket
}
