package console

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/cofferlabs/coffer"
)

type eventRecorder struct {
	mu     sync.Mutex
	events []coffer.AuditEvent
}

func (r *eventRecorder) Record(_ context.Context, e coffer.AuditEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// Every sign-in attempt is a ConsoleLogin event, as in CloudTrail: the
// caller's access key and the outcome, never the secret.
func TestSignInIsAudited(t *testing.T) {
	rec := &eventRecorder{}
	h := newHarness(t, func(c *Config) { c.Auditor = rec })
	h.signIn(testUserKey, testUserSecret)
	if code := h.do(signInRequest(testUserKey, "wrong-secret-wrong-secret")).Code; code != 401 {
		t.Fatalf("wrong secret: %d", code)
	}
	tests := []struct {
		outcome, arn, errorCode string
	}{
		{"Success", "arn:aws:iam::" + testAccount + ":user/" + testUserName, ""},
		{"Failure", "", "Failed authentication"},
	}
	if len(rec.events) != len(tests) {
		t.Fatalf("%d events, want %d", len(rec.events), len(tests))
	}
	for i, want := range tests {
		e := rec.events[i]
		if e.EventName != "ConsoleLogin" || e.EventSource != "signin.amazonaws.com" || e.Details["ConsoleLogin"] != want.outcome ||
			e.Principal.ARN != want.arn || e.Principal.AccessKeyID != testUserKey || e.ErrorCode != want.errorCode {
			t.Errorf("event %d: %+v", i, e)
		}
	}
	all, _ := json.Marshal(rec.events)
	for _, secret := range h.secrets {
		if strings.Contains(string(all), secret) {
			t.Fatal("an audit event holds a secret")
		}
	}
}
