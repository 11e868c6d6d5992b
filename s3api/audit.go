package s3api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/sigv4"
)

const s3EventSource = "s3.amazonaws.com"

// auditedRefusals are the error codes recorded as security events: every
// request refused for who it is or how it proved it.
var auditedRefusals = map[errorCode]bool{
	codeAccessDenied:                 true,
	codeInvalidAccessKeyID:           true,
	codeSignatureDoesNotMatch:        true,
	codeAuthorizationHeaderMalformed: true,
	codeAuthorizationQueryError:      true,
	codeRequestTimeTooSkewed:         true,
}

// auditRefusal records a refused request.
func (s *server) auditRefusal(r *http.Request, req *request, e *apiError, cause error) {
	if s.auditor == nil || !auditedRefusals[e.Code] {
		return
	}
	event := s.event(r, req, req.op())
	event.ErrorCode, event.ErrorMessage = string(e.Code), publicMessage(e)
	var denied *deniedError
	if errors.As(cause, &denied) {
		event.Details = map[string]string{"action": denied.action, "resource": denied.resource}
		if denied.decision.DenySid != "" {
			event.Details["denySid"] = denied.decision.DenySid
			event.Details["deniedBy"] = denied.decision.DeniedBy
		}
	}
	if event.Principal.AccessKeyID == "" {
		var sigErr *sigv4.SignatureError
		if errors.As(cause, &sigErr) {
			event.Principal.AccessKeyID = sigErr.AccessKey // who claimed to sign
		}
	}
	s.auditor.Record(context.WithoutCancel(r.Context()), event)
}

// auditBucketEncryption records a change (or attempted change) of a
// bucket's default encryption.
func (s *server) auditBucketEncryption(r *http.Request, req *request, name string, enc *coffer.BucketEncryption, err error) {
	if s.auditor == nil {
		return
	}
	event := s.event(r, req, name)
	event.ReadOnly = false
	if enc != nil && enc.Algorithm != "" {
		event.Parameters["SSEAlgorithm"] = string(enc.Algorithm)
		event.Parameters["BucketKeyEnabled"] = enc.BucketKeyEnabled
		if enc.KMSMasterKeyID != "" {
			event.Parameters["KMSMasterKeyID"] = enc.KMSMasterKeyID
		}
		if len(enc.BlockedEncryptionTypes) > 0 {
			event.Parameters["BlockedEncryptionTypes"] = enc.BlockedEncryptionTypes
		}
	}
	if err != nil {
		e := toAPIError(err, req.body)
		event.ErrorCode, event.ErrorMessage = string(e.Code), publicMessage(e)
	}
	s.auditor.Record(context.WithoutCancel(r.Context()), event)
}

// auditBucketPolicy records a change (or attempted change) of a bucket's
// policy; the document itself is kept by the bucket, not the trail.
func (s *server) auditBucketPolicy(r *http.Request, req *request, name string, err error) {
	if s.auditor == nil {
		return
	}
	event := s.event(r, req, name)
	event.ReadOnly = false
	if err != nil {
		e := toAPIError(err, req.body)
		event.ErrorCode, event.ErrorMessage = string(e.Code), publicMessage(e)
	}
	s.auditor.Record(context.WithoutCancel(r.Context()), event)
}

// event is the common part of an S3 audit event for this request.
func (s *server) event(r *http.Request, req *request, name string) coffer.AuditEvent {
	event := coffer.AuditEvent{
		Time: time.Now().UTC(), EventSource: s3EventSource, EventName: name,
		Principal: req.principal, Request: req.info,
		ReadOnly:   r.Method == http.MethodGet || r.Method == http.MethodHead,
		Parameters: map[string]any{},
	}
	if event.Principal.AccessKeyID == "" {
		event.Principal.AccessKeyID = req.accessKey
	}
	if req.bucket != "" {
		event.Parameters["bucketName"] = req.bucket
		event.Resources = append(event.Resources, coffer.AuditResource{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::" + req.bucket})
	}
	if req.key != "" {
		event.Parameters["key"] = req.key
		event.Resources = append(event.Resources, coffer.AuditResource{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::" + req.bucket + "/" + req.key})
	}
	return event
}
