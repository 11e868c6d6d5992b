// Package policy is Coffer's IAM-style policy engine: one parser and one
// evaluator for KMS key policies, S3 bucket policies and users' identity
// policies, with AWS's grammar and semantics.
//
// Parse (resource policies: statements name principals) and ParseIdentity
// (statements must not) validate a JSON document and refuse anything
// malformed with an *Error carrying AWS's message. (*Policy).Evaluate
// decides one Request against one document: an explicit Deny wins, else
// an Allow, else NotApplicable. Combine joins the decisions of several
// policies the way AWS does within an account. GlobalConditions builds the
// aws: condition keys of a request from its principal and how it arrived.
// Authorizer decides whole requests with an account's identity policies
// and the resource's policy (coffer.Authorizer, and kms.KeyPolicy for the
// KMS); ValidateBucketPolicy and PolicyStatus are S3's PutBucketPolicy and
// GetBucketPolicyStatus checks.
//
// LANGUAGE.md, next to this file, is the specification this package
// implements: grammar, operators, missing-key rules, principal matching,
// variables, and the AWS documentation each rule comes from.
//
// The package is pure: it imports the standard library and the coffer
// domain package only, never net/http, and does no I/O. Policies are
// immutable once parsed and safe for concurrent use.
package policy
