// Package iamapi serves the account's user directory (package iam) over
// the AWS query protocol, as IAM and STS speak it, so that `aws iam ...`,
// `aws sts get-caller-identity` and the SDKs' IAM and STS clients work
// unchanged: POST / with a form-encoded body (Action=CreateUser&
// Version=2010-05-08&...), signed with SigV4 for service "iam" (or "sts" for
// GetCallerIdentity, Version=2011-06-15), answered in XML in the IAM (or
// STS) namespace.
//
// Operations: CreateUser, GetUser, ListUsers, DeleteUser, CreateAccessKey,
// ListAccessKeys, UpdateAccessKey, DeleteAccessKey, PutUserPolicy,
// GetUserPolicy, ListUserPolicies, DeleteUserPolicy, and STS
// GetCallerIdentity. Every IAM operation is authorized through the
// coffer.Authorizer (Action "iam:<Operation>", Resource the target user's
// ARN, or "*" for ListUsers); GetCallerIdentity needs no permission, as on
// AWS. Every change, and every denial, is recorded with the coffer.Auditor
// (event source iam.amazonaws.com), never with a secret.
//
// The handler authenticates the caller, puts the principal and the
// request's facts (coffer.Principal, coffer.RequestInfo) in the context,
// parses the form strictly (a parameter given twice is refused), calls the
// directory and encodes the result. Every failure, authentication
// included, goes through one error renderer: <ErrorResponse> with
// <Type>, <Code>, <Message> and <RequestId>, with AWS's HTTP status; a
// server failure answers 500 with public text and is logged.
//
// IsRequest recognizes an IAM or STS call cheaply, for routing on an
// endpoint shared with S3.
//
// Among Coffer's packages this package may import only the root package
// coffer, iam and sigv4 (and policy, which iam uses); it never sees a key
// store or the policy engine's evaluator directly.
package iamapi
