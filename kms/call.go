package kms

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/cofferlabs/coffer"
)

// eventSource is the audit event source of every KMS operation.
const eventSource = "kms.amazonaws.com"

// access says whether an operation only reads (CloudTrail's readOnly:
// describe, get, list and the cryptographic operations).
type access int

const (
	readAccess access = iota + 1
	writeAccess
)

// call is one operation in progress: who asks, and what the audit event
// will say about it.
type call struct {
	k         *KMS
	ctx       context.Context
	op        string
	access    access
	start     time.Time
	principal coffer.Principal
	info      coffer.RequestInfo
	params    map[string]any
	resources []coffer.AuditResource
	details   map[string]string
}

// begin starts operation op. A context without an authenticated principal
// gets AccessDeniedException (the call is still audited by finish).
func (k *KMS) begin(ctx context.Context, op string, a access) (*call, error) {
	c := &call{k: k, ctx: ctx, op: op, access: a, start: k.opts.now(), info: coffer.RequestInfoFrom(ctx), params: map[string]any{}}
	p, ok := coffer.PrincipalFrom(ctx)
	if ok {
		c.principal = p
	}
	if !ok || p.Anonymous || p.ARN == "" {
		return c, errNoPrincipal(op)
	}
	return c, nil
}

// finish records the audit event of the call and returns err unchanged.
func (c *call) finish(err error) error {
	if c.k.opts.Auditor == nil {
		return err
	}
	e := coffer.AuditEvent{
		Time:        c.start,
		EventSource: eventSource,
		EventName:   c.op,
		Principal:   c.principal,
		Request:     c.info,
		ReadOnly:    c.access == readAccess,
		Resources:   c.resources,
		Parameters:  c.params,
		Details:     c.details,
	}
	if err != nil {
		var ke *coffer.KMSError
		if errors.As(err, &ke) {
			e.ErrorCode, e.ErrorMessage = ke.Code, ke.Message
		} else {
			e.ErrorCode, e.ErrorMessage = CodeInternal, "internal error"
		}
	}
	c.k.opts.Auditor.Record(c.ctx, e)
	return err
}

// param records a request parameter for the audit event; empty values are
// left out. Callers never pass plaintext, blobs or key material.
func (c *call) param(name string, value any) {
	switch v := value.(type) {
	case string:
		if v == "" {
			return
		}
	case *int32:
		if v == nil {
			return
		}
		value = *v
	case map[string]string:
		if len(v) == 0 {
			return
		}
		value = maps.Clone(v)
	case bool:
		if !v {
			return
		}
	}
	c.params[name] = value
}

// resource records a key the call touched.
func (c *call) resource(arn string) {
	for _, r := range c.resources {
		if r.ARN == arn {
			return
		}
	}
	c.resources = append(c.resources, coffer.AuditResource{Type: "AWS::KMS::Key", ARN: arn})
}

func (c *call) detail(name, value string) {
	if c.details == nil {
		c.details = map[string]string{}
	}
	c.details[name] = value
}

// spendQuota takes one request from the shared cryptographic quota.
func (c *call) spendQuota() error {
	if !c.k.quota.take(c.k.opts.now()) {
		return errThrottled()
	}
	return nil
}

// internalEvent records an event the KMS itself caused (automatic rotation,
// deletion when a waiting period ends), as CloudTrail does with
// invokedBy kms.amazonaws.com.
func (k *KMS) internalEvent(ctx context.Context, op, arn string, err error) {
	if k.opts.Auditor == nil {
		return
	}
	e := coffer.AuditEvent{
		Time:        k.opts.now(),
		EventSource: eventSource,
		EventName:   op,
		Principal:   coffer.Principal{AccountID: k.opts.AccountID},
		Resources:   []coffer.AuditResource{{Type: "AWS::KMS::Key", ARN: arn}},
		Parameters:  map[string]any{"keyId": arn},
		Details:     map[string]string{"invokedBy": eventSource},
	}
	if err != nil {
		e.ErrorCode, e.ErrorMessage = CodeInternal, "internal error"
	}
	k.opts.Auditor.Record(ctx, e)
}
