// Package auditapi serves the audit trail over CloudTrail's JSON 1.1
// protocol, so that `aws cloudtrail lookup-events` and the SDKs' CloudTrail
// clients query it unchanged: POST / with X-Amz-Target
// com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op> (botocore) or
// CloudTrail_20131101.<Op> (aws-sdk-go-v2), signed with SigV4 for service
// "cloudtrail". LookupEvents is implemented; every other
// CloudTrail operation answers UnsupportedOperationException and unknown
// targets UnknownOperationException. Responses and errors follow botocore's
// CloudTrail model: timestamps are epoch-second numbers, errors are
// {"__type": Code, "message": text} with the model's codes.
//
// Among Coffer's packages it may import only the domain package, audit and
// sigv4.
package auditapi
