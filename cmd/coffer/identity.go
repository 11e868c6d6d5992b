package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"errors"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/iam"
	"github.com/cofferlabs/coffer/policy"
)

// iamRecordKey derives the key that seals the user directory's records
// from the root key (iam/FORMAT.md).
func iamRecordKey(rootKey []byte) []byte {
	m := hmac.New(sha256.New, rootKey)
	m.Write([]byte("coffer/iam/record-key/v1"))
	return m.Sum(nil)
}

// accounts is who may sign requests: the root user, whose credentials are
// the server's own, and the users of the directory.
type accounts struct {
	root      rootCredentials
	accountID string
	users     *iam.Directory
}

// secret is the sigv4.Verifier's key lookup.
func (a accounts) secret(accessKey string) (string, bool) {
	if a.isRoot(accessKey) {
		return a.root.SecretAccessKey, true
	}
	_, secret, ok := a.users.AccessKey(accessKey)
	return secret, ok
}

// identify maps a verified access key to its principal. A key that is
// neither root's nor an active user key (deleted or deactivated since its
// signature was checked) is refused, never taken for root.
func (a accounts) identify(accessKey string) (coffer.Principal, bool) {
	if a.isRoot(accessKey) {
		return coffer.Principal{
			AccountID: a.accountID, ARN: "arn:aws:iam::" + a.accountID + ":root",
			UserID: a.accountID, AccessKeyID: accessKey,
		}, true
	}
	p, _, ok := a.users.AccessKey(accessKey)
	return p, ok
}

func (a accounts) isRoot(accessKey string) bool {
	return subtle.ConstantTimeCompare([]byte(accessKey), []byte(a.root.AccessKeyID)) == 1
}

// validateBucketPolicy is the Service's bucket policy check: the policy
// engine's grammar, its refusals as S3's MalformedPolicy.
func validateBucketPolicy(doc []byte, bucket string) error {
	err := policy.ValidateBucketPolicy(doc, bucket)
	var refused *policy.Error
	if errors.As(err, &refused) {
		return &coffer.ArgumentError{Code: "MalformedPolicy", Name: "Policy", Message: refused.Public()}
	}
	return err
}

// policyIsPublic answers GetBucketPolicyStatus.
func policyIsPublic(doc []byte) (bool, error) {
	status, err := policy.PolicyStatus(doc)
	return status.IsPublic, err
}
