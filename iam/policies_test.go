package iam

import (
	"context"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

const (
	allowAll  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	allowRead = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"]
    }
  ]
}`
)

// sizedPolicy is a valid identity policy of exactly n characters, white
// space not counted, with extra white space that must not count.
func sizedPolicy(t testing.TB, n int) string {
	t.Helper()
	head := `{ "Version" : "2012-10-17" , "Statement" : { "Effect" : "Allow" , "Action" : "s3:GetObject" , "Resource" : "arn:aws:s3:::`
	tail := `" } }`
	fill := n - policySize(head) - policySize(tail)
	if fill < 1 {
		t.Fatalf("cannot make a %d-character policy", n)
	}
	doc := head + strings.Repeat("b", fill) + tail
	if policySize(doc) != n {
		t.Fatalf("sized policy has %d characters", policySize(doc))
	}
	return doc
}

func TestPutUserPolicy(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, user, policyName, document string
		kind                             error
		message                          string
	}{
		{"allow all", "alice", "all", allowAll, nil, ""},
		{"pretty printed", "alice", "read", allowRead, nil, ""},
		{"2048 characters and white space", "alice", "big", "", nil, ""},
		{"latin-1 characters", "alice", "latin", `{"Version":"2012-10-17","Statement":{"Sid":"café","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, nil, ""},
		{"no such user", "bob", "all", allowAll, ErrNoSuchEntity, "The user with name bob cannot be found."},
		{"invalid policy name", "alice", "a/b", allowAll, ErrValidation, "at 'policyName'"},
		{"policy name too long", "alice", strings.Repeat("p", 129), allowAll, ErrValidation, "have length less than or equal to 128"},
		{"no document", "alice", "p", "", ErrValidation, "Value null at 'policyDocument'"},
		{"characters beyond latin-1", "alice", "p", `{"Statement":{"Sid":"✓","Effect":"Allow","Action":"*","Resource":"*"}}`, ErrValidation,
			`at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`},
		{"control character", "alice", "p", "{\x00}", ErrValidation, "at 'policyDocument'"},
		{"not JSON", "alice", "p", `{"Statement":`, ErrMalformedPolicy, "This policy contains invalid Json"},
		{"not an object", "alice", "p", `["Statement"]`, ErrMalformedPolicy, "first byte must be '{'"},
		{"a principal", "alice", "p", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`,
			ErrMalformedPolicy, "Policy document should not specify a principal."},
		{"bad effect", "alice", "p", `{"Version":"2012-10-17","Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}`, ErrMalformedPolicy, "Invalid effect: Maybe"},
		{"no statement", "alice", "p", `{"Version":"2012-10-17"}`, ErrMalformedPolicy, "Missing required field Statement"},
		{"empty statement", "alice", "p", `{"Version":"2012-10-17","Statement":[]}`, ErrMalformedPolicy, "Statement is empty"},
		{"bad version", "alice", "p", `{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, ErrMalformedPolicy, "valid version string"},
		{"2049 characters", "alice", "big", "", ErrLimitExceeded, "Maximum policy size of 2048 bytes exceeded for user alice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _, _ := newDirectory(t)
			must[User](t)(d.CreateUser(ctx, "alice", ""))
			doc := tt.document
			switch tt.name {
			case "2048 characters and white space":
				doc = sizedPolicy(t, 2048)
			case "2049 characters":
				doc = sizedPolicy(t, 2049)
			}
			err := d.PutUserPolicy(ctx, tt.user, tt.policyName, doc)
			if tt.kind != nil {
				wantError(t, "PutUserPolicy", err, tt.kind, tt.message)
				if names, _ := d.ListUserPolicies("alice"); len(names) != 0 {
					t.Fatalf("a refused policy was kept: %v", names)
				}
				return
			}
			noErr(t, "PutUserPolicy", err)
			if got := must[string](t)(d.GetUserPolicy("Alice", tt.policyName)); got != doc {
				t.Fatalf("GetUserPolicy = %q, want the document as put", got)
			}
		})
	}
}

// TestInlinePolicyQuota: the 2048-character quota is on all of a user's
// inline policies together, a replaced policy counts once, and each user
// has their own.
func TestInlinePolicyQuota(t *testing.T) {
	ctx := context.Background()
	d, _, _ := newDirectory(t)
	must[User](t)(d.CreateUser(ctx, "alice", ""))
	must[User](t)(d.CreateUser(ctx, "bob", ""))
	noErr(t, "first half", d.PutUserPolicy(ctx, "alice", "a", sizedPolicy(t, 1024)))
	noErr(t, "second half", d.PutUserPolicy(ctx, "alice", "b", sizedPolicy(t, 1024)))
	wantError(t, "one more", d.PutUserPolicy(ctx, "alice", "c", sizedPolicy(t, 120)), ErrLimitExceeded, "Maximum policy size of 2048 bytes exceeded for user alice")
	wantError(t, "growing one", d.PutUserPolicy(ctx, "alice", "b", sizedPolicy(t, 1025)), ErrLimitExceeded, "exceeded")
	noErr(t, "replacing one with a smaller one", d.PutUserPolicy(ctx, "alice", "b", sizedPolicy(t, 900)))
	noErr(t, "filling the rest", d.PutUserPolicy(ctx, "alice", "c", sizedPolicy(t, 124)))
	noErr(t, "another user's quota", d.PutUserPolicy(ctx, "bob", "a", sizedPolicy(t, 2048)))
	if names := must[[]string](t)(d.ListUserPolicies("alice")); strings.Join(names, ",") != "a,b,c" {
		t.Fatalf("ListUserPolicies = %v", names)
	}
}

func TestPolicyLifecycle(t *testing.T) {
	ctx := context.Background()
	d, _, _ := newDirectory(t)
	alice := must[User](t)(d.CreateUser(ctx, "alice", ""))
	k := must[NewAccessKey](t)(d.CreateAccessKey(ctx, "alice"))
	p, _, _ := d.AccessKey(k.ID)
	if docs := d.IdentityPolicies(p); docs != nil {
		t.Fatalf("a new user has policies %q", docs)
	}
	noErr(t, "put read", d.PutUserPolicy(ctx, "alice", "read", allowRead))
	noErr(t, "put all", d.PutUserPolicy(ctx, "alice", "all", allowRead))
	noErr(t, "replace all", d.PutUserPolicy(ctx, "alice", "all", allowAll))
	if names := must[[]string](t)(d.ListUserPolicies("alice")); strings.Join(names, ",") != "all,read" {
		t.Fatalf("ListUserPolicies = %v", names)
	}
	docs := d.IdentityPolicies(p)
	if len(docs) != 2 || string(docs[0]) != allowAll || string(docs[1]) != allowRead {
		t.Fatalf("IdentityPolicies = %q", docs)
	}
	docs[0][0] = 'X' // the caller's copy
	if again := d.IdentityPolicies(p); string(again[0]) != allowAll {
		t.Fatal("IdentityPolicies shares its memory with callers")
	}
	for _, tt := range []struct {
		name string
		p    coffer.Principal
	}{
		{"root", coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::111122223333:root", UserID: testAccount}},
		{"anonymous", coffer.Principal{Anonymous: true, UserName: "alice", UserID: alice.ID, AccountID: testAccount}},
		{"another account", coffer.Principal{AccountID: "444455556666", UserName: "alice", UserID: alice.ID}},
		{"another user id", coffer.Principal{AccountID: testAccount, UserName: "alice", UserID: "AIDAAAAAAAAAAAAAAAAAA"}},
		{"unknown user", coffer.Principal{AccountID: testAccount, UserName: "bob", UserID: alice.ID}},
	} {
		if docs := d.IdentityPolicies(tt.p); docs != nil {
			t.Errorf("IdentityPolicies(%s) = %q", tt.name, docs)
		}
	}
	if docs := d.IdentityPolicies(coffer.Principal{AccountID: testAccount, UserName: "ALICE", UserID: alice.ID}); len(docs) != 2 {
		t.Fatalf("IdentityPolicies ignores case? %q", docs)
	}

	_, err := d.GetUserPolicy("alice", "none")
	wantError(t, "GetUserPolicy", err, ErrNoSuchEntity, "The user policy with name none cannot be found.")
	wantError(t, "DeleteUserPolicy", d.DeleteUserPolicy(ctx, "alice", "none"), ErrNoSuchEntity, "The user policy with name none cannot be found.")
	_, err = d.ListUserPolicies("bob")
	wantError(t, "ListUserPolicies", err, ErrNoSuchEntity, "The user with name bob cannot be found.")
	noErr(t, "DeleteUserPolicy", d.DeleteUserPolicy(ctx, "alice", "all"))
	if docs := d.IdentityPolicies(p); len(docs) != 1 || string(docs[0]) != allowRead {
		t.Fatalf("after delete: %q", docs)
	}
	noErr(t, "DeleteUserPolicy", d.DeleteUserPolicy(ctx, "alice", "read"))
	if names := must[[]string](t)(d.ListUserPolicies("alice")); len(names) != 0 {
		t.Fatalf("ListUserPolicies = %v", names)
	}
}

func TestCheckPolicyDocument(t *testing.T) {
	for _, tt := range []struct {
		name, doc, message string
	}{
		{"valid", allowRead, ""},
		{"invalid action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3","Resource":"*"}}`, "Policy has invalid action"},
		{"invalid resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}`, "Policy has invalid resource"},
		{"unknown operator", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringSorta":{"aws:username":"x"}}}}`, "Invalid Condition type : StringSorta"},
		{"duplicate sid", `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"*","Resource":"*"}]}`, "Statement IDs (SID) in a single policy must be unique."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPolicyDocument(tt.doc)
			if tt.message == "" {
				noErr(t, "CheckPolicyDocument", err)
				return
			}
			wantError(t, "CheckPolicyDocument", err, ErrMalformedPolicy, tt.message)
		})
	}
}
