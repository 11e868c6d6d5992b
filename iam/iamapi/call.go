package iamapi

import (
	"context"
	"net/http"
	"time"

	"github.com/cofferlabs/coffer"
)

// call is one authenticated request in progress: who asks, what, and what
// the audit event will say about it.
type call struct {
	h         *handler
	ctx       context.Context
	op        *operation
	principal coffer.Principal
	params    params
	w         http.ResponseWriter

	denied    bool
	resources []coffer.AuditResource
	auditArgs map[string]any
	details   map[string]string
}

func (c *call) run() (any, error) { return c.op.run(c) }

// authorize asks the Authorizer whether the caller may perform action
// ("iam:CreateUser") on resource (a user ARN, or "*"), and words a denial
// as IAM does.
func (c *call) authorize(action, resource string) error {
	if resource != "*" {
		c.resource(resource)
	}
	d, err := c.h.authorizer.Authorize(c.ctx, coffer.AccessRequest{Action: action, Resource: resource})
	if err != nil {
		return err
	}
	if d.Allowed {
		return nil
	}
	c.denied = true
	if d.DenySid != "" {
		c.detail("denySid", d.DenySid)
		policy := "an identity-based policy"
		if d.DeniedBy == "resource" {
			policy = "a resource-based policy"
		}
		c.detail("deniedBy", d.DeniedBy)
		return newError(codeAccessDenied, "User: %s is not authorized to perform: %s on resource: %s with an explicit deny in %s",
			c.principal.ARN, action, clipARN(resource), policy)
	}
	return newError(codeAccessDenied, "User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action",
		c.principal.ARN, action, clipARN(resource), action)
}

// clipARN bounds an ARN made of client input in a message.
func clipARN(arn string) string {
	const max = 256
	if len(arn) > max {
		return arn[:max] + "..."
	}
	return arn
}

// resource records a user the call touches, for the audit event.
func (c *call) resource(arn string) {
	for _, r := range c.resources {
		if r.ARN == arn {
			return
		}
	}
	c.resources = append(c.resources, coffer.AuditResource{Type: "AWS::IAM::User", ARN: arn})
}

// arg records a request parameter for the audit event; empty values are
// left out. Never a secret.
func (c *call) arg(name, value string) {
	if value == "" {
		return
	}
	if c.auditArgs == nil {
		c.auditArgs = map[string]any{}
	}
	c.auditArgs[name] = value
}

func (c *call) detail(name, value string) {
	if c.details == nil {
		c.details = map[string]string{}
	}
	c.details[name] = value
}

// audit records the call when it changed (or tried to change) the
// directory, or was denied.
func (c *call) audit(e *apiError) {
	if c.h.auditor == nil || (!c.op.mutating && !c.denied) {
		return
	}
	source := iamEventSource
	if c.op.service == serviceSTS {
		source = stsEventSource
	}
	event := coffer.AuditEvent{
		Time:        time.Now().UTC(),
		EventSource: source,
		EventName:   c.op.name,
		Principal:   c.principal,
		Request:     coffer.RequestInfoFrom(c.ctx),
		ReadOnly:    !c.op.mutating,
		Resources:   c.resources,
		Parameters:  c.auditArgs,
		Details:     c.details,
	}
	if e != nil {
		event.ErrorCode, event.ErrorMessage = e.code, e.message
	}
	c.h.auditor.Record(c.ctx, event)
}

// targetUser is the user an operation acts on: the UserName parameter,
// or the caller when it has none (as IAM does for GetUser and the access
// key operations). The root user's own credentials are not in the
// directory.
func (c *call) targetUser() (string, error) {
	if name := c.params.get("UserName"); name != "" {
		return name, nil
	}
	if c.principal.UserName != "" {
		return c.principal.UserName, nil
	}
	return "", newError(codeValidation, "The root user's access keys are the server's configuration, not IAM's: name a user with UserName.")
}

// userARN is the ARN of the user named name: the directory's when the
// user exists (it has their path), else the one CreateUser would give
// under "/".
func (c *call) userARN(name string) string {
	if u, err := c.h.dir.GetUser(name); err == nil {
		return u.ARN
	}
	return "arn:aws:iam::" + c.h.accountID + ":user/" + name
}
