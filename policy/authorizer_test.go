package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

const testAccount = "111122223333"

// directory is a coffer.Identities with identity policies by principal
// ARN (and no access keys: the authorizer never asks for them).
type directory map[string][]string

func (directory) AccessKey(string) (coffer.Principal, string, bool) {
	return coffer.Principal{}, "", false
}

func (d directory) IdentityPolicies(p coffer.Principal) [][]byte {
	var out [][]byte
	for _, doc := range d[p.ARN] {
		out = append(out, []byte(doc))
	}
	return out
}

// storedDirectory answers from documents kept as bytes, as a real
// directory does (no copy per request), for the benchmark.
type storedDirectory map[string][][]byte

func (storedDirectory) AccessKey(string) (coffer.Principal, string, bool) {
	return coffer.Principal{}, "", false
}

func (d storedDirectory) IdentityPolicies(p coffer.Principal) [][]byte { return d[p.ARN] }

var testEpoch = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func newTestAuthorizer(d directory) *Authorizer {
	a := NewAuthorizer(d, testAccount)
	a.now = func() time.Time { return testEpoch }
	return a
}

// callerContext is the context a front end makes for a caller; "" is a
// context with no principal at all.
func callerContext(caller string, info coffer.RequestInfo) context.Context {
	ctx := coffer.WithRequestInfo(context.Background(), info)
	if caller == "" {
		return ctx
	}
	return coffer.WithPrincipal(ctx, principals[caller])
}

const (
	bucketARN = "arn:aws:s3:::amzn-s3-demo-bucket"
	keyARN    = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// testBucketPolicy forces TLS and SSE, grants public reads of public/,
// uploads to alice, reads of shared/ to carol of another account, lists to
// the account (a delegation), and denies bob deletes in a statement
// without a Sid.
const testBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"DenyNonTLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["` + bucketARN + `","` + bucketARN + `/*"],
  "Condition":{"Bool":{"aws:SecureTransport":"false"}}},
 {"Sid":"DenyUnEncryptedObjectUploads","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"` + bucketARN + `/*",
  "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}},
 {"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + bucketARN + `/public/*"},
 {"Sid":"AliceUploads","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:PutObject","Resource":"` + bucketARN + `/uploads/*"},
 {"Sid":"CarolReadsShared","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/carol"},"Action":"s3:GetObject","Resource":"` + bucketARN + `/shared/*"},
 {"Sid":"AccountLists","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:ListBucket","Resource":"` + bucketARN + `"},
 {"Effect":"Deny","Principal":{"AWS":["arn:aws:iam::111122223333:user/bob"]},"Action":"s3:DeleteObject","Resource":"` + bucketARN + `/*"}]}`

var testIdentities = directory{
	"arn:aws:iam::111122223333:user/alice": {
		`{"Version":"2012-10-17","Statement":[{"Sid":"AliceReads","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["` + bucketARN + `","` + bucketARN + `/*"]}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}}`,
	},
	"arn:aws:iam::111122223333:user/bob": {
		`{"Version":"2012-10-17","Statement":[
		  {"Sid":"BobEverything","Effect":"Allow","Action":["s3:*","kms:*"],"Resource":"*"},
		  {"Sid":"NoBucketDeletes","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`,
	},
	// deployer is a new user: no policy yet.
	// carol belongs to another account: a directory never holds her, and
	// the authorizer does not ask.
	"arn:aws:iam::444455556666:user/carol": {`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
}

var (
	overTLS   = coffer.RequestInfo{SecureTransport: true, SourceIP: "192.0.2.10"}
	plainHTTP = coffer.RequestInfo{SourceIP: "192.0.2.10"}
	withSSE   = map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}}
)

func TestAuthorize(t *testing.T) {
	cases := []struct {
		name       string
		caller     string // a principals key; "" = no principal in the context
		info       coffer.RequestInfo
		action     string
		resource   string
		conditions map[string][]string
		policy     string // the resource policy; "" = none
		allowed    bool
		denySid    string
		deniedBy   string
		delegated  bool // an implicit deny the key policy left to identity policies
	}{
		// The account's root user.
		{name: "root reads without any policy", caller: "root", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/private/x", allowed: true},
		{name: "root reads when the bucket policy says nothing of it", caller: "root", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/private/x", policy: testBucketPolicy, allowed: true},
		{name: "root is denied by an explicit deny", caller: "root", info: overTLS, action: "s3:PutObject", resource: bucketARN + "/k", policy: testBucketPolicy,
			denySid: "DenyUnEncryptedObjectUploads", deniedBy: "resource"},
		{name: "root over plain HTTP is denied by the TLS rule", caller: "root", info: plainHTTP, action: "s3:GetObject", resource: bucketARN + "/public/x", policy: testBucketPolicy,
			denySid: "DenyNonTLS", deniedBy: "resource"},
		{name: "root may always put a bucket policy", caller: "root", info: plainHTTP, action: "s3:PutBucketPolicy", resource: bucketARN, policy: testBucketPolicy, allowed: true},
		{name: "root may always delete a bucket policy", caller: "root", info: plainHTTP, action: "s3:DeleteBucketPolicy", resource: bucketARN, policy: testBucketPolicy, allowed: true},
		{name: "root may always read a bucket policy", caller: "root", info: plainHTTP, action: "s3:getbucketpolicy", resource: bucketARN, policy: testBucketPolicy, allowed: true},
		{name: "the exception is root's only: bob is denied", caller: "bob", info: plainHTTP, action: "s3:DeleteBucketPolicy", resource: bucketARN, policy: testBucketPolicy,
			denySid: "DenyNonTLS", deniedBy: "resource"},
		{name: "the exception covers only the bucket policy actions", caller: "root", info: plainHTTP, action: "s3:GetBucketPolicyStatus", resource: bucketARN, policy: testBucketPolicy,
			denySid: "DenyNonTLS", deniedBy: "resource"},
		{name: "a role of the account is not its root user", caller: "app-role", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/private/x", policy: testBucketPolicy},
		{name: "nor may it manage the bucket policy", caller: "app-role", info: overTLS, action: "s3:PutBucketPolicy", resource: bucketARN, policy: testBucketPolicy},
		{name: "another account's root is not this account's root", caller: "other-root", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/private/x", policy: testBucketPolicy},
		{name: "another account's root may not manage the bucket policy", caller: "other-root", info: overTLS, action: "s3:DeleteBucketPolicy", resource: bucketARN, policy: testBucketPolicy},

		// Users of the account.
		{name: "an identity policy allows", caller: "alice", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/private/x", policy: testBucketPolicy, allowed: true},
		{name: "an identity policy allows without a bucket policy", caller: "alice", info: plainHTTP, action: "s3:GetObject", resource: bucketARN + "/private/x", allowed: true},
		{name: "a bucket policy naming the user allows", caller: "alice", info: overTLS, action: "s3:PutObject", resource: bucketARN + "/uploads/x", conditions: withSSE, policy: testBucketPolicy, allowed: true},
		{name: "the user's allow does not beat the deny", caller: "alice", info: overTLS, action: "s3:PutObject", resource: bucketARN + "/uploads/x", policy: testBucketPolicy,
			denySid: "DenyUnEncryptedObjectUploads", deniedBy: "resource"},
		{name: "nothing allows alice elsewhere", caller: "alice", info: overTLS, action: "s3:PutObject", resource: bucketARN + "/other/x", conditions: withSSE, policy: testBucketPolicy},
		{name: "a new user can do nothing", caller: "deployer", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/private/x", policy: testBucketPolicy},
		{name: "a new user can do nothing without a bucket policy either", caller: "deployer", info: overTLS, action: "s3:ListBucket", resource: bucketARN},
		{name: "naming the account only delegates to identity policies", caller: "deployer", info: overTLS, action: "s3:ListBucket", resource: bucketARN, policy: testBucketPolicy},
		{name: "delegation plus an identity allow", caller: "alice", info: overTLS, action: "s3:ListBucket", resource: bucketARN, policy: testBucketPolicy, allowed: true},
		{name: "a user gets what everyone gets", caller: "deployer", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/public/x", policy: testBucketPolicy, allowed: true},
		{name: "a deny without a Sid is named by position", caller: "bob", info: overTLS, action: "s3:DeleteObject", resource: bucketARN + "/x", policy: testBucketPolicy,
			denySid: "statement 6", deniedBy: "resource"},
		{name: "an identity-policy deny", caller: "bob", info: overTLS, action: "s3:DeleteBucket", resource: bucketARN, policy: testBucketPolicy,
			denySid: "NoBucketDeletes", deniedBy: "identity"},
		{name: "an identity-policy deny without a bucket policy", caller: "bob", info: overTLS, action: "s3:DeleteBucket", resource: bucketARN,
			denySid: "NoBucketDeletes", deniedBy: "identity"},
		{name: "bob's s3:* allows an encrypted upload", caller: "bob", info: overTLS, action: "s3:PutObject", resource: bucketARN + "/x", conditions: withSSE, policy: testBucketPolicy, allowed: true},

		// Anonymous callers.
		{name: "anonymous reads what everyone may", caller: "anonymous", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/public/x", policy: testBucketPolicy, allowed: true},
		{name: "no principal at all is anonymous", caller: "", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/public/x", policy: testBucketPolicy, allowed: true},
		{name: "anonymous gets nothing else", caller: "anonymous", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/private/x", policy: testBucketPolicy},
		{name: "anonymous gets nothing without a bucket policy", caller: "", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/public/x"},
		{name: "anonymous is denied by the TLS rule", caller: "anonymous", info: plainHTTP, action: "s3:GetObject", resource: bucketARN + "/public/x", policy: testBucketPolicy,
			denySid: "DenyNonTLS", deniedBy: "resource"},
		{name: "anonymous may not manage the bucket policy", caller: "", info: overTLS, action: "s3:PutBucketPolicy", resource: bucketARN, policy: testBucketPolicy},

		// Other accounts.
		{name: "another account's user named by the bucket policy", caller: "carol", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/shared/x", policy: testBucketPolicy, allowed: true},
		{name: "another account's user: her own identity policies are not ours to apply", caller: "carol", info: overTLS, action: "s3:GetObject", resource: bucketARN + "/private/x", policy: testBucketPolicy},

		// The service cannot override the context's aws: keys.
		{name: "a request key does not replace aws:SecureTransport", caller: "alice", info: plainHTTP, action: "s3:GetObject", resource: bucketARN + "/private/x",
			conditions: map[string][]string{"aws:SecureTransport": {"true"}}, policy: testBucketPolicy, denySid: "DenyNonTLS", deniedBy: "resource"},
		{name: "nor in another case", caller: "alice", info: plainHTTP, action: "s3:GetObject", resource: bucketARN + "/private/x",
			conditions: map[string][]string{"AWS:SECURETRANSPORT": {"true"}}, policy: testBucketPolicy, denySid: "DenyNonTLS", deniedBy: "resource"},

		// KMS actions on a key follow the key-policy rules.
		{name: "kms: the default key policy delegates to alice's identity policy", caller: "alice", info: overTLS, action: "kms:Decrypt", resource: keyARN,
			conditions: map[string][]string{"kms:ViaService": {"s3.us-east-1.amazonaws.com"}}, policy: defaultKeyPolicy, allowed: true},
		{name: "kms: her identity policy's condition is not met", caller: "alice", info: overTLS, action: "kms:Decrypt", resource: keyARN, policy: defaultKeyPolicy, delegated: true},
		{name: "kms: a user without an identity policy", caller: "deployer", info: overTLS, action: "kms:Decrypt", resource: keyARN, policy: defaultKeyPolicy, delegated: true},
		{name: "kms: identity policies count only if the key policy delegates", caller: "bob", info: overTLS, action: "kms:Decrypt", resource: keyARN, policy: aliceOnlyKeyPolicy},
		{name: "kms: root gets no bypass of a key policy", caller: "root", info: overTLS, action: "kms:Decrypt", resource: keyARN, policy: aliceOnlyKeyPolicy},
		{name: "kms: a user named by the key policy", caller: "alice", info: overTLS, action: "kms:Encrypt", resource: keyARN, policy: aliceOnlyKeyPolicy, allowed: true},
	}
	a := newTestAuthorizer(testIdentities)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := coffer.AccessRequest{Action: tc.action, Resource: tc.resource, Conditions: tc.conditions}
			if tc.policy != "" {
				req.ResourcePolicy = []byte(tc.policy)
			}
			d, err := a.Authorize(callerContext(tc.caller, tc.info), req)
			if err != nil {
				t.Fatal(err)
			}
			want := coffer.AccessDecision{Allowed: tc.allowed, DenySid: tc.denySid, DeniedBy: tc.deniedBy, Delegated: tc.delegated}
			if d != want {
				t.Fatalf("decision %+v, want %+v", d, want)
			}
		})
	}
}

const defaultKeyPolicy = `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`

const aliceOnlyKeyPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"AliceUses","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}`

// TestAuthorizeConditions checks the request context the policies see:
// the context's aws: keys and the service's keys.
func TestAuthorizeConditions(t *testing.T) {
	probe := func(operator, key, value string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"` +
			operator + `":{"` + key + `":"` + value + `"}}}]}`
	}
	info := coffer.RequestInfo{SecureTransport: true, SourceIP: "198.51.100.7", UserAgent: "aws-cli/2.27"}
	cases := []struct {
		caller     string
		policy     string
		conditions map[string][]string
	}{
		{"alice", probe("StringEquals", "aws:username", "alice"), nil},
		{"alice", probe("StringEquals", "aws:userid", "AIDAALICE"), nil},
		{"alice", probe("ArnEquals", "aws:PrincipalArn", "arn:aws:iam::111122223333:user/alice"), nil},
		{"alice", probe("StringEquals", "aws:PrincipalAccount", testAccount), nil},
		{"alice", probe("StringEquals", "aws:PrincipalType", "User"), nil},
		{"root", probe("StringEquals", "aws:PrincipalType", "Account"), nil},
		{"anonymous", probe("StringEquals", "aws:PrincipalType", "Anonymous"), nil},
		{"alice", probe("IpAddress", "aws:SourceIp", "198.51.100.0/24"), nil},
		{"alice", probe("StringLike", "aws:UserAgent", "aws-cli/*"), nil},
		{"alice", probe("DateEquals", "aws:CurrentTime", "2026-05-01T12:00:00Z"), nil},
		{"alice", probe("Bool", "aws:SecureTransport", "true"), nil},
		{"alice", probe("StringEquals", "s3:prefix", "home/"), map[string][]string{"s3:prefix": {"home/"}}},
		{"alice", probe("StringEquals", "s3:x-amz-server-side-encryption", "aws:kms"), map[string][]string{"S3:X-Amz-Server-Side-Encryption": {"aws:kms"}}},
		{"alice", probe("StringEquals", "aws:SourceArn", "arn:aws:s3:::x"), map[string][]string{"aws:SourceArn": {"arn:aws:s3:::x"}}},
	}
	a := newTestAuthorizer(nil)
	for _, tc := range cases {
		t.Run(tc.caller+" "+tc.policy[strings.Index(tc.policy, `"Condition"`):], func(t *testing.T) {
			d, err := a.Authorize(callerContext(tc.caller, info), coffer.AccessRequest{Action: "s3:GetObject", Resource: bucketARN + "/k", Conditions: tc.conditions, ResourcePolicy: []byte(tc.policy)})
			if err != nil || !d.Allowed {
				t.Fatalf("the condition does not hold: %+v %v", d, err)
			}
		})
	}
	// The service's map is the caller's: Authorize must not change it.
	service := map[string][]string{"s3:prefix": {"a"}}
	if _, err := a.Authorize(callerContext("alice", info), coffer.AccessRequest{Action: "s3:ListBucket", Resource: bucketARN, Conditions: service}); err != nil {
		t.Fatal(err)
	}
	if len(service) != 1 || len(service["s3:prefix"]) != 1 {
		t.Fatalf("Authorize changed the request's conditions: %v", service)
	}
}

// TestAuthorizeMalformed: a document that does not parse fails the
// request closed, whatever the other documents say, with an error that
// names the document and unwraps to the *Error; only root's bucket-policy
// actions go through, so that root can replace the broken policy.
func TestAuthorizeMalformed(t *testing.T) {
	const broken = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"}]}` // no Resource
	allowAll := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	dir := directory{
		principals["alice"].ARN: {allowAll},
		principals["jane"].ARN:  {allowAll, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}}`},
	}
	cases := []struct {
		name    string
		caller  string
		action  string
		policy  string
		wantErr string // "" = no error
		allowed bool
	}{
		{"a broken bucket policy fails an identity allow closed", "alice", "s3:GetObject", broken, "the resource policy does not parse", false},
		{"a broken bucket policy fails root closed", "root", "s3:GetObject", broken, "the resource policy does not parse", false},
		{"root may still delete the broken bucket policy", "root", "s3:DeleteBucketPolicy", broken, "", true},
		{"root may still replace it", "root", "s3:PutBucketPolicy", broken, "", true},
		{"anonymous and a broken bucket policy", "anonymous", "s3:GetObject", broken, "the resource policy does not parse", false},
		{"a broken identity policy fails its user closed", "jane", "s3:GetObject", "", "identity policy 1 of arn:aws:iam::111122223333:user/Jane does not parse", false},
		{"the other users are not affected", "alice", "s3:GetObject", "", "", true},
		{"a broken identity policy fails even a public bucket closed for its user", "jane", "s3:GetObject", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`,
			"identity policy 1", false},
	}
	a := newTestAuthorizer(dir)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := coffer.AccessRequest{Action: tc.action, Resource: bucketARN + "/k"}
			if tc.policy != "" {
				req.ResourcePolicy = []byte(tc.policy)
			}
			for range 2 { // the second time from the cache
				d, err := a.Authorize(callerContext(tc.caller, overTLS), req)
				if d.Allowed != tc.allowed || d.DenySid != "" {
					t.Fatalf("decision %+v, want allowed %v", d, tc.allowed)
				}
				if tc.wantErr == "" {
					if err != nil {
						t.Fatal(err)
					}
					continue
				}
				var perr *Error
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &perr) {
					t.Fatalf("error %v, want one containing %q and unwrapping to *Error", err, tc.wantErr)
				}
			}
		})
	}
	// An empty document is not "no policy".
	if d, err := a.Authorize(callerContext("alice", overTLS), coffer.AccessRequest{Action: "s3:GetObject", Resource: bucketARN + "/k", ResourcePolicy: []byte{}}); err == nil || d.Allowed {
		t.Fatalf("an empty resource policy gave %+v, %v", d, err)
	}
}

// TestKeyPolicies is the KMS's side (kms.KeyPolicy): the key policy with
// the caller's identity policies, and identity policies alone for
// operations on no key.
func TestKeyPolicies(t *testing.T) {
	denyDecrypt := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
	 {"Sid":"NoDecryptOutsideS3","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*",
	  "Condition":{"StringNotEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}},
	 {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/Jane"},"Action":"kms:Encrypt","Resource":"*"}]}`
	viaS3 := map[string][]string{"kms:ViaService": {"s3.us-east-1.amazonaws.com"}}
	cases := []struct {
		name       string
		users      bool // the authorizer knows the account's users
		doc        string
		caller     string
		action     string
		conditions map[string][]string
		want       coffer.AccessDecision
	}{
		{name: "default policy lets root", doc: defaultKeyPolicy, caller: "root", action: "kms:Decrypt", want: coffer.AccessDecision{Allowed: true}},
		{name: "default policy alone does not let a user", doc: defaultKeyPolicy, caller: "alice", action: "kms:Decrypt", want: coffer.AccessDecision{Delegated: true}},
		{name: "explicit deny names its statement", doc: denyDecrypt, caller: "root", action: "kms:Decrypt",
			want: coffer.AccessDecision{DenySid: "NoDecryptOutsideS3", DeniedBy: "resource"}},
		{name: "a deny without a Sid", doc: denyDecrypt, caller: "jane", action: "kms:Encrypt",
			want: coffer.AccessDecision{DenySid: "statement 2", DeniedBy: "resource"}},
		{name: "condition lifts the deny", doc: denyDecrypt, caller: "root", action: "kms:Decrypt", conditions: viaS3, want: coffer.AccessDecision{Allowed: true}},
		{name: "mixed-case condition keys", doc: denyDecrypt, caller: "root", action: "kms:Decrypt",
			conditions: map[string][]string{"KMS:ViaService": {"s3.us-east-1.amazonaws.com"}}, want: coffer.AccessDecision{Allowed: true}},

		{name: "users: delegation plus an identity allow", users: true, doc: defaultKeyPolicy, caller: "alice", action: "kms:Decrypt", conditions: viaS3, want: coffer.AccessDecision{Allowed: true}},
		{name: "users: the identity policy's condition fails", users: true, doc: defaultKeyPolicy, caller: "alice", action: "kms:Decrypt", want: coffer.AccessDecision{Delegated: true}},
		{name: "users: the identity policy does not cover the action", users: true, doc: defaultKeyPolicy, caller: "alice", action: "kms:Encrypt", conditions: viaS3, want: coffer.AccessDecision{Delegated: true}},
		{name: "users: no identity policy", users: true, doc: defaultKeyPolicy, caller: "deployer", action: "kms:Decrypt", conditions: viaS3, want: coffer.AccessDecision{Delegated: true}},
		{name: "users: no delegation, no effect", users: true, doc: aliceOnlyKeyPolicy, caller: "bob", action: "kms:Decrypt"},
		{name: "users: the key policy deny beats the identity allow", users: true, doc: denyDecrypt, caller: "bob", action: "kms:Decrypt",
			want: coffer.AccessDecision{DenySid: "NoDecryptOutsideS3", DeniedBy: "resource"}},
		{name: "users: account-level action allowed by an identity policy", users: true, caller: "bob", action: "kms:CreateKey", want: coffer.AccessDecision{Allowed: true}},
		{name: "users: account-level action without one", users: true, caller: "alice", action: "kms:ListKeys"},
		{name: "users: root's account-level actions", users: true, caller: "root", action: "kms:ListKeys", want: coffer.AccessDecision{Allowed: true}},
		{name: "no users: account-level action", caller: "alice", action: "kms:CreateKey"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := NewKeyPolicies()
			if tc.users {
				a = newTestAuthorizer(testIdentities)
			}
			doc, resource := []byte(nil), "*" // an operation on no key
			if tc.doc != "" {
				doc, resource = []byte(tc.doc), keyARN
			}
			d, err := a.Allowed(doc, principals[tc.caller], tc.action, resource, tc.conditions)
			if err != nil || d != tc.want {
				t.Fatalf("Allowed = %+v, %v; want %+v", d, err, tc.want)
			}
		})
	}
	k := NewKeyPolicies()
	err := k.Validate([]byte(`{"Statement":[{"Effect":"Allow","Action":"kms:*"}]}`))
	if err == nil || err.Error() != "Missing required field Principal" {
		t.Fatalf("a key policy without Principal: %v", err)
	}
	if _, err := k.Allowed([]byte(`{`), principals["root"], "kms:Decrypt", keyARN, nil); err == nil {
		t.Fatal("a broken key policy was evaluated")
	}
}

// TestAuthorizerCache: documents are parsed once, the cache stays
// bounded, and evaluation is safe for concurrent use (run with -race).
func TestAuthorizerCache(t *testing.T) {
	a := newTestAuthorizer(testIdentities)
	for i := range maxCachedDocuments + 10 {
		doc := fmt.Sprintf(`{"Statement":{"Sid":"S%d","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, i)
		d, err := a.Authorize(callerContext("root", overTLS), coffer.AccessRequest{Action: "s3:GetObject", Resource: bucketARN + "/k", ResourcePolicy: []byte(doc)})
		if err != nil || d.DenySid != fmt.Sprintf("S%d", i) {
			t.Fatalf("document %d: %+v %v", i, d, err)
		}
	}
	if n := len(a.docs.resource); n > maxCachedDocuments || n == 0 {
		t.Fatalf("%d cached documents", n)
	}

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			callers := []string{"root", "alice", "bob", "deployer", "anonymous", "carol"}
			for i := range 200 {
				caller := callers[(g+i)%len(callers)]
				_, err := a.Authorize(callerContext(caller, overTLS), coffer.AccessRequest{Action: "s3:PutObject", Resource: bucketARN + "/uploads/x",
					Conditions: map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}}, ResourcePolicy: []byte(testBucketPolicy)})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
