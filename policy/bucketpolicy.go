package policy

import (
	"strings"
)

// ValidateBucketPolicy checks doc as S3 PutBucketPolicy does for bucket:
// the grammar (a resource policy), AWS's 20 KiB limit, actions that S3
// has (S3Actions), and two checks of the statements against the bucket:
//
//   - every Resource and NotResource entry is the bucket's ARN
//     (arn:aws:s3:::bucket) or within it (arn:aws:s3:::bucket/...);
//     anything else, "*" included, is "Policy has invalid resource";
//   - in a statement with Action and Resource, at least one action applies
//     to one of the resources: object actions to object ARNs, bucket
//     actions to the bucket ARN ("Action does not apply to any
//     resource(s) in statement", e.g. s3:GetObject on arn:aws:s3:::bucket).
//
// A refusal is an *Error whose Public() text is S3's MalformedPolicy
// message followed by what exactly is wrong.
func ValidateBucketPolicy(doc []byte, bucket string) error {
	p, err := ParseWith(doc, Options{Kind: ResourcePolicy, MaxSize: MaxBucketPolicySize, Actions: s3Actions})
	if err != nil {
		return err
	}
	bucketARN := "arn:aws:s3:::" + bucket
	for i := range p.statements {
		v := &p.statements[i].view
		object, bucketLevel := false, false
		for _, r := range v.Resources {
			switch {
			case r == bucketARN:
				bucketLevel = true
			case strings.HasPrefix(r, bucketARN+"/"):
				object = true
			default:
				return statementError(i, ReasonInvalidResource, msgInvalidResource,
					quote(r)+" is not bucket "+quote(bucket)+" nor within it")
			}
		}
		if v.NotAction || v.NotResource {
			continue
		}
		actsOnObjects, actsOnBucket := s3ScopesCovered(v.Actions)
		if !(object && actsOnObjects || bucketLevel && actsOnBucket) {
			return statementError(i, ReasonActionResourceMismatch, msgActionResource, mismatchDetail(object, bucketLevel))
		}
	}
	return nil
}

func mismatchDetail(object, bucket bool) string {
	switch {
	case object && bucket:
		return "none of the actions acts on a bucket or an object"
	case object:
		return "the resources are objects (bucket/key) and no action acts on objects"
	}
	return "the resource is the bucket and no action acts on a bucket (object actions need arn:aws:s3:::bucket/*)"
}
