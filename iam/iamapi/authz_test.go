package iamapi

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

// opCase is one IAM operation as a user calls it on another user, with
// the authorization request it must make.
type opCase struct {
	form     url.Values
	action   string
	resource string
	mutating bool
}

// everyOperation lists each IAM operation once, aimed at user "target"
// (path /team/), so that no operation can skip authorization unnoticed.
func everyOperation(keyID string) []opCase {
	target := userARN("/team/", "target")
	return []opCase{
		{form("CreateUser", "UserName", "newcomer", "Path", "/team/"), "iam:CreateUser", userARN("/team/", "newcomer"), true},
		{form("GetUser", "UserName", "target"), "iam:GetUser", target, false},
		{form("ListUsers"), "iam:ListUsers", "*", false},
		{form("DeleteUser", "UserName", "target"), "iam:DeleteUser", target, true},
		{form("CreateAccessKey", "UserName", "target"), "iam:CreateAccessKey", target, true},
		{form("ListAccessKeys", "UserName", "target"), "iam:ListAccessKeys", target, false},
		{form("UpdateAccessKey", "UserName", "target", "AccessKeyId", keyID, "Status", "Inactive"), "iam:UpdateAccessKey", target, true},
		{form("DeleteAccessKey", "UserName", "target", "AccessKeyId", keyID), "iam:DeleteAccessKey", target, true},
		{form("PutUserPolicy", "UserName", "target", "PolicyName", "p", "PolicyDocument", allowAll), "iam:PutUserPolicy", target, true},
		{form("GetUserPolicy", "UserName", "target", "PolicyName", "read"), "iam:GetUserPolicy", target, false},
		{form("ListUserPolicies", "UserName", "target"), "iam:ListUserPolicies", target, false},
		{form("DeleteUserPolicy", "UserName", "target", "PolicyName", "read"), "iam:DeleteUserPolicy", target, true},
	}
}

func TestEveryOperationIsListed(t *testing.T) {
	listed := map[string]bool{}
	for _, c := range everyOperation("AKIAAAAAAAAAAAAAAAAA") {
		listed[c.form.Get("Action")] = true
		if op := operations[c.form.Get("Action")]; op == nil || op.mutating != c.mutating {
			t.Errorf("%s: mutating %v in the table", c.form.Get("Action"), c.mutating)
		}
	}
	for name, op := range operations {
		if op.service == serviceIAM && !listed[name] {
			t.Errorf("%s is not in everyOperation", name)
		}
	}
}

// TestNewUserCanDoNothing: a user without permissions is denied every IAM
// operation, with IAM's message, the authorizer is asked with the right
// action and resource, nothing changes, and every denial is audited.
func TestNewUserCanDoNothing(t *testing.T) {
	s := startServer(t)
	bob := s.newUser(t, "bob")
	mustOK(t, "CreateUser", s.iam(t, root, form("CreateUser", "UserName", "target", "Path", "/team/")))
	target := s.newUserKey(t, s.iam(t, root, form("CreateAccessKey", "UserName", "target")))
	mustOK(t, "PutUserPolicy", s.iam(t, root, form("PutUserPolicy", "UserName", "target", "PolicyName", "read", "PolicyDocument", allowRead)))
	before := len(s.audit.all())
	for _, c := range everyOperation(target.id) {
		t.Run(c.form.Get("Action"), func(t *testing.T) {
			r := s.iam(t, bob, c.form)
			want := fmt.Sprintf("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action", c.action, c.resource, c.action)
			if r.status != 403 || r.errorCode() != "AccessDenied" || r.errorMessage() != want {
				t.Fatalf("%d %s %q\nwant %q", r.status, r.errorCode(), r.errorMessage(), want)
			}
			if got := s.authz.last(); got.Action != c.action || got.Resource != c.resource || got.ResourcePolicy != nil {
				t.Fatalf("authorizer asked %+v", got)
			}
			events := s.audit.all()
			e := events[len(events)-1]
			if e.EventName != c.form.Get("Action") || e.ErrorCode != "AccessDenied" || e.ReadOnly == c.mutating || e.Principal.UserName != "bob" || e.EventSource != "iam.amazonaws.com" {
				t.Fatalf("audit event %+v", e)
			}
		})
	}
	if got := len(s.audit.all()) - before; got != len(everyOperation("")) {
		t.Fatalf("%d denials audited, want %d", got, len(everyOperation("")))
	}
	if _, _, ok := s.dir.AccessKey(target.id); !ok {
		t.Fatal("the target's key changed")
	}
	if docs := s.dir.IdentityPolicies(mustPrincipal(t, s, target.id)); len(docs) != 1 {
		t.Fatalf("the target's policies changed: %q", docs)
	}
	// GetCallerIdentity needs no permission.
	mustOK(t, "GetCallerIdentity", s.call(t, bob, serviceSTS, stsForm("GetCallerIdentity").Encode()))
}

func mustPrincipal(t *testing.T, s *server, keyID string) coffer.Principal {
	t.Helper()
	p, _, ok := s.dir.AccessKey(keyID)
	if !ok {
		t.Fatalf("key %s is not active", keyID)
	}
	return p
}

// TestGrantedUser: once allowed, a user acts; with no UserName, the
// access key operations and GetUser act on the caller.
func TestGrantedUser(t *testing.T) {
	s := startServer(t)
	alice := s.newUser(t, "alice")
	aliceARN := userARN("/", "alice")
	if r := s.iam(t, alice, form("ListAccessKeys")); r.errorCode() != "AccessDenied" {
		t.Fatalf("before the grant: %s", r.body)
	}
	for _, action := range []string{"iam:GetUser", "iam:ListAccessKeys", "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateUser"} {
		s.authz.grant(aliceARN, action)
	}
	runSteps(t, s, alice, []step{
		{"get self", form("GetUser"), 200, "", []string{"<UserName>alice</UserName>"}, nil},
		{"list own keys", form("ListAccessKeys"), 200, "", []string{"<AccessKeyId>" + alice.id + "</AccessKeyId>"}, nil},
		{"second own key", form("CreateAccessKey"), 200, "", []string{"<UserName>alice</UserName>"}, nil},
		{"create a user", form("CreateUser", "UserName", "carol"), 200, "", nil, nil},
		{"delete a user is not granted", form("DeleteUser", "UserName", "carol"), 403, "AccessDenied", nil, nil},
	})
	if got := s.authz.last(); got.Resource != userARN("/", "carol") {
		t.Fatalf("DeleteUser asked about %s", got.Resource)
	}
	// An explicit deny names its statement, in the message's words and the
	// audit event.
	s.authz.deny(aliceARN, "iam:CreateUser", "NoNewUsers")
	r := s.iam(t, alice, form("CreateUser", "UserName", "dave"))
	want := "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111122223333:user/dave with an explicit deny in an identity-based policy"
	if r.status != 403 || r.errorMessage() != want {
		t.Fatalf("%d %q", r.status, r.errorMessage())
	}
	events := s.audit.all()
	if e := events[len(events)-1]; e.Details["denySid"] != "NoNewUsers" || e.Details["deniedBy"] != "identity" {
		t.Fatalf("audit details %v", e.Details)
	}
	// Self-service on an access key: deactivate the second key, signing
	// with the first.
	keys := s.iam(t, alice, form("ListAccessKeys"))
	second := ""
	for _, id := range strings.Split(keys.body, "<AccessKeyId>")[1:] {
		if id, _, _ = strings.Cut(id, "<"); id != alice.id {
			second = id
		}
	}
	mustOK(t, "UpdateAccessKey", s.iam(t, alice, form("UpdateAccessKey", "AccessKeyId", second, "Status", "Inactive")))
	if got := s.authz.last(); got.Action != "iam:UpdateAccessKey" || got.Resource != aliceARN {
		t.Fatalf("authorizer asked %+v", got)
	}
}

// TestAudit: every change is recorded, successful or not, with its
// parameters and never a secret; reads that are allowed are not.
func TestAudit(t *testing.T) {
	s := startServer(t)
	alice := s.newUser(t, "alice")
	mustOK(t, "PutUserPolicy", s.iam(t, root, form("PutUserPolicy", "UserName", "alice", "PolicyName", "read", "PolicyDocument", allowRead)))
	mustOK(t, "ListUsers", s.iam(t, root, form("ListUsers")))
	mustOK(t, "GetUserPolicy", s.iam(t, root, form("GetUserPolicy", "UserName", "alice", "PolicyName", "read")))
	mustOK(t, "GetCallerIdentity", s.call(t, alice, serviceSTS, stsForm("GetCallerIdentity").Encode()))
	if r := s.iam(t, root, form("CreateUser", "UserName", "alice")); r.errorCode() != "EntityAlreadyExists" {
		t.Fatal(r.body)
	}
	mustOK(t, "UpdateAccessKey", s.iam(t, root, form("UpdateAccessKey", "UserName", "alice", "AccessKeyId", alice.id, "Status", "Inactive")))
	events := s.audit.all()
	var names []string
	for _, e := range events {
		names = append(names, e.EventName+"/"+e.ErrorCode)
	}
	if got := strings.Join(names, " "); got != "CreateUser/ CreateAccessKey/ PutUserPolicy/ CreateUser/EntityAlreadyExists UpdateAccessKey/" {
		t.Fatalf("audited %s", got)
	}
	create, key, put, update := events[0], events[1], events[2], events[4]
	if create.Parameters["userName"] != "alice" || create.ReadOnly || create.Principal.ARN != rootUser.ARN ||
		len(create.Resources) != 1 || create.Resources[0] != (coffer.AuditResource{Type: "AWS::IAM::User", ARN: userARN("/", "alice")}) {
		t.Fatalf("CreateUser event %+v", create)
	}
	if key.Details["accessKeyId"] != alice.id || key.Parameters["userName"] != "alice" {
		t.Fatalf("CreateAccessKey event %+v", key)
	}
	if put.Parameters["policyDocument"] != allowRead || put.Parameters["policyName"] != "read" {
		t.Fatalf("PutUserPolicy event %+v", put)
	}
	if update.Parameters["status"] != "Inactive" || update.Parameters["accessKeyId"] != alice.id {
		t.Fatalf("UpdateAccessKey event %+v", update)
	}
	if create.Request.RequestID == "" || create.Request.SourceIP != "127.0.0.1" || create.Request.SignatureVersion != 4 {
		t.Fatalf("request facts %+v", create.Request)
	}
	all, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(all), alice.secret) || strings.Contains(fmt.Sprintf("%+v", events), alice.secret) {
		t.Fatal("an audit event carries the secret")
	}
}

// TestSecretNeverLogged: with debug logging, over successes, client
// errors and internal failures, no log line carries a secret.
func TestSecretNeverLogged(t *testing.T) {
	ks := &brokenStore{KeyStore: memStore()}
	s := startServer(t, withKeyStore(ks))
	alice := s.newUser(t, "alice")
	second := s.newUserKey(t, s.iam(t, root, form("CreateAccessKey", "UserName", "alice")))
	ks.broken.Store(true)
	for _, v := range []url.Values{
		form("CreateAccessKey", "UserName", "alice"),
		form("UpdateAccessKey", "UserName", "alice", "AccessKeyId", alice.id, "Status", "Inactive"),
		form("DeleteAccessKey", "UserName", "alice", "AccessKeyId", second.id),
		form("CreateUser", "UserName", "bob"),
	} {
		if r := s.iam(t, root, v); r.status < 400 {
			t.Fatalf("%s succeeded on a broken store", v.Get("Action"))
		}
	}
	s.call(t, creds{alice.id, "wrong"}, serviceIAM, form("ListUsers").Encode())
	logs := s.logs.String()
	if !strings.Contains(logs, "iam request failed") {
		t.Fatalf("nothing logged:\n%s", logs)
	}
	for _, secret := range []string{alice.secret, second.secret, rootSecret} {
		if strings.Contains(logs, secret) {
			t.Fatal("a secret is in the logs")
		}
	}
}
