package console

import (
	"context"
	"net/http"
	"time"

	"github.com/cofferlabs/coffer"
)

// auditSignIn records a sign-in attempt as CloudTrail records console
// sign-ins: event ConsoleLogin from signin.amazonaws.com, with the access
// key (never the secret) and, on failure, why.
func (c *Console) auditSignIn(r *http.Request, accessKey string, p coffer.Principal, failure string) {
	if c.auditor == nil {
		return
	}
	p.AccessKeyID = accessKey
	info := coffer.RequestInfoFrom(r.Context())
	if info.SourceIP == "" {
		info.SourceIP = sourceIP(r)
	}
	info.UserAgent = r.UserAgent()
	event := coffer.AuditEvent{
		Time: time.Now().UTC(), EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin",
		Principal: p, Request: info, Details: map[string]string{"ConsoleLogin": "Success"},
	}
	if failure != "" {
		event.ErrorCode, event.ErrorMessage = "Failed authentication", failure
		event.Details["ConsoleLogin"] = "Failure"
	}
	c.auditor.Record(context.WithoutCancel(r.Context()), event)
}
