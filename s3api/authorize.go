package s3api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/cofferlabs/coffer"
)

// deniedError is a request the Authorizer refused; it renders as
// AccessDenied and gives the audit trail the statement that denied it.
type deniedError struct {
	action   string
	resource string
	decision coffer.AccessDecision
}

func (e *deniedError) Error() string {
	if e.decision.DenySid != "" {
		return "explicit deny (" + e.decision.DeniedBy + " policy, " + e.decision.DenySid + ") of " + e.action + " on " + e.resource
	}
	return "no policy allows " + e.action + " on " + e.resource
}

func (e *deniedError) Unwrap() error { return errAccessDenied }

// authorize decides whether the caller may perform the route's action on
// the request's bucket or object.
func (s *server) authorize(r *http.Request, req *request) error {
	return s.authorizeOn(r, req, req.route.action, req.bucket, req.key, s.objectConditions(r, req))
}

// objectConditions are the request's condition keys, computed only when
// an Authorizer will read them.
func (s *server) objectConditions(r *http.Request, req *request) map[string][]string {
	if s.authorizer == nil {
		return nil
	}
	return s.conditions(r, req, r.Header)
}

// authorizeOn decides one action on a bucket (key "") or an object, with
// the bucket's policy as the resource policy. Without an Authorizer every
// signed request is allowed and anonymous ones are refused.
func (s *server) authorizeOn(r *http.Request, req *request, action, bucket, key string, conditions map[string][]string) error {
	if s.authorizer == nil {
		if req.principal.Anonymous || req.principal.ARN == "" {
			return errAccessDenied
		}
		return nil
	}
	ctx := withCaller(r.Context(), req)
	access := coffer.AccessRequest{Action: action, Resource: resourceARN(bucket, key), Conditions: conditions}
	if bucket != "" && action != "s3:CreateBucket" {
		doc, err := s.svc.GetBucketPolicy(ctx, bucket)
		switch {
		case err == nil:
			access.ResourcePolicy = doc
		case !errors.Is(err, coffer.ErrNoSuchBucketPolicy) && !errors.Is(err, coffer.ErrNoSuchBucket):
			return err
		}
	}
	decision, err := s.authorizer.Authorize(ctx, access)
	if err != nil {
		return err
	}
	if !decision.Allowed {
		return &deniedError{action: action, resource: access.Resource, decision: decision}
	}
	return nil
}

// resourceARN is the ARN a request addresses. ListBuckets addresses no
// bucket: its "arn:aws:s3:::*" is matched both by "Resource": "*" and by
// the "arn:aws:s3:::*" that policies for s3:ListAllMyBuckets often name.
func resourceARN(bucket, key string) string {
	switch {
	case bucket == "":
		return "arn:aws:s3:::*"
	case key == "":
		return "arn:aws:s3:::" + bucket
	}
	return "arn:aws:s3:::" + bucket + "/" + key
}

// conditions are the S3 condition keys of the request (spec §4.1): what
// the request itself carries, before any bucket default applies. Parts
// and completions of a multipart upload are judged with the encryption
// the upload was created with, so a policy refusing unencrypted PUTs does
// not refuse the parts of an encrypted upload.
func (s *server) conditions(r *http.Request, req *request, h http.Header) map[string][]string {
	m := make(map[string][]string, 8)
	set := func(name, value string) {
		if value != "" {
			m[name] = []string{value}
		}
	}
	set("s3:authType", authType(r, req))
	if req.info.SignatureVersion == 2 {
		set("s3:signatureversion", "AWS")
	} else if req.info.SignatureVersion == 4 {
		set("s3:signatureversion", "AWS4-HMAC-SHA256")
	}
	set("s3:x-amz-content-sha256", h.Get("x-amz-content-sha256"))
	set("s3:TlsVersion", strings.TrimPrefix(req.info.TLSVersion, "TLSv"))
	switch req.route.op {
	case "PutObject", "CopyObject", "CreateMultipartUpload", "PostObject":
		set("s3:x-amz-server-side-encryption", h.Get(hdrSSE))
		set("s3:x-amz-server-side-encryption-aws-kms-key-id", s.keyARN(r.Context(), h.Get(hdrSSEKMSKeyID)))
		set("s3:x-amz-server-side-encryption-customer-algorithm", h.Get(hdrSSECAlgorithm))
		set("s3:x-amz-acl", h.Get("x-amz-acl"))
		set("s3:x-amz-storage-class", h.Get("x-amz-storage-class"))
		if req.route.op == "CopyObject" {
			set("s3:x-amz-copy-source", h.Get(hdrCopySource))
			set("s3:x-amz-metadata-directive", h.Get("x-amz-metadata-directive"))
		}
	case "UploadPart", "UploadPartCopy", "CompleteMultipartUpload":
		s.uploadConditions(r, req, set)
	case "ListObjects", "ListObjectsV2":
		q := r.URL.Query()
		for _, name := range []string{"prefix", "delimiter", "max-keys"} {
			if q.Has(name) {
				m["s3:"+name] = []string{q.Get(name)}
			}
		}
	}
	return m
}

// uploadConditions fills the encryption keys from the upload's record.
// An upload that cannot be read leaves them absent; the handler then
// answers NoSuchUpload if the policy lets the request through.
func (s *server) uploadConditions(r *http.Request, req *request, set func(name, value string)) {
	up, err := s.svc.HeadUpload(r.Context(), req.bucket, req.key, r.URL.Query().Get("uploadId"))
	if err != nil {
		return
	}
	switch up.Encryption.Type {
	case coffer.SSEC:
		set("s3:x-amz-server-side-encryption-customer-algorithm", "AES256")
	case coffer.SSEKMS:
		set("s3:x-amz-server-side-encryption", string(coffer.SSEKMS))
		set("s3:x-amz-server-side-encryption-aws-kms-key-id", up.Encryption.KMSKeyARN)
	default:
		set("s3:x-amz-server-side-encryption", string(up.Encryption.Type))
	}
}

// keyARN is the KMS key ARN a key reference names, for comparison with
// policies; the reference as sent when it does not resolve.
func (s *server) keyARN(ctx context.Context, ref string) string {
	if ref == "" || s.kmsKeyARN == nil || strings.HasPrefix(ref, "arn:") && strings.Contains(ref, ":key/") {
		return ref
	}
	if arn, ok := s.kmsKeyARN(ctx, ref); ok {
		return arn
	}
	return ref
}

// authType is s3:authType: how the request was authenticated.
func authType(r *http.Request, req *request) string {
	switch {
	case req.route != nil && req.route.auth == authForm:
		return "POST"
	case req.principal.Anonymous:
		return ""
	case r.Header.Get("Authorization") != "":
		return "REST-HEADER"
	}
	return "REST-QUERY-STRING"
}
