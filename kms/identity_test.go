package kms

import (
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/policy"
)

// userPolicies is a coffer.Identities holding the identity policies of
// the account's users, by user name.
type userPolicies map[string][]string

func (userPolicies) AccessKey(string) (coffer.Principal, string, bool) {
	return coffer.Principal{}, "", false
}

func (u userPolicies) IdentityPolicies(p coffer.Principal) [][]byte {
	var out [][]byte
	for _, doc := range u[p.UserName] {
		out = append(out, []byte(doc))
	}
	return out
}

// TestIdentityPolicies: with the account's users known to the policy
// engine, the default key policy ("Enable IAM User Permissions")
// delegates to their identity policies, a key policy that does not name
// the account ignores them, an identity-policy deny wins, and operations
// on no key (CreateKey, ListKeys, ListAliases, GenerateRandom) need an
// identity policy, except for root.
func TestIdentityPolicies(t *testing.T) {
	users := userPolicies{
		"alice": {`{"Version":"2012-10-17","Statement":[{"Sid":"UseKeys","Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"arn:aws:kms:us-east-1:111122223333:key/*"}]}`},
		"bob": {`{"Version":"2012-10-17","Statement":[
		  {"Sid":"KeyAdmin","Effect":"Allow","Action":"kms:*","Resource":"*"},
		  {"Sid":"NoDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}`},
		"dave": nil, // a new user: no policy
	}
	f := newFixture(t, func(o *Options) { o.Policy = policy.NewAuthorizer(users, testAccount) })
	key := f.newKey() // the default key policy
	blob := f.encrypt(key.KeyId, []byte("x"), nil)
	closed, err := f.api.CreateKey(f.ctx, &CreateKeyInput{BypassPolicyLockoutSafetyCheck: true,
		Policy: `{"Version":"2012-10-17","Statement":[{"Sid":"AdminOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/admin"},"Action":"kms:*","Resource":"*"}]}`})
	f.must(err)
	alice, bob, dave := asPrincipal(userPrincipal("alice")), asPrincipal(userPrincipal("bob")), asPrincipal(userPrincipal("dave"))
	const arnPrefix = "User: arn:aws:iam::111122223333:user/"

	cases := []callCase{
		{"alice encrypts under the default key policy", func() error {
			_, err := f.api.Encrypt(alice, &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
			return err
		}, "", ""},
		{"alice decrypts", func() error {
			_, err := f.api.Decrypt(alice, &DecryptInput{CiphertextBlob: blob})
			return err
		}, "", ""},
		{"alice's policy does not cover DisableKey", func() error {
			_, err := f.api.DisableKey(alice, &DisableKeyInput{KeyId: key.KeyId})
			return err
		}, CodeAccessDenied, ""},
		{"dave has no identity policy", func() error {
			_, err := f.api.Decrypt(dave, &DecryptInput{CiphertextBlob: blob})
			return err
		}, CodeAccessDenied, arnPrefix + "dave is not authorized to perform: kms:Decrypt on resource: " + key.Arn + " because no identity-based policy allows the kms:Decrypt action"},
		{"bob's identity-policy deny wins", func() error {
			_, err := f.api.Decrypt(bob, &DecryptInput{CiphertextBlob: blob})
			return err
		}, CodeAccessDenied, arnPrefix + "bob is not authorized to perform: kms:Decrypt on resource: " + key.Arn + " with an explicit deny in an identity-based policy"},
		{"bob encrypts", func() error {
			_, err := f.api.Encrypt(bob, &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
			return err
		}, "", ""},
		{"a key policy that does not name the account ignores identity policies", func() error {
			_, err := f.api.Encrypt(alice, &EncryptInput{KeyId: closed.KeyMetadata.KeyId, Plaintext: []byte("x")})
			return err
		}, CodeAccessDenied, ""},
		{"nor does root get past it", func() error {
			_, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: closed.KeyMetadata.KeyId})
			return err
		}, CodeAccessDenied, ""},

		{"root creates keys", func() error {
			_, err := f.api.CreateKey(f.ctx, &CreateKeyInput{})
			return err
		}, "", ""},
		{"bob creates keys: his identity policy allows it", func() error {
			_, err := f.api.CreateKey(bob, &CreateKeyInput{})
			return err
		}, "", ""},
		{"alice may not create keys", func() error {
			_, err := f.api.CreateKey(alice, &CreateKeyInput{})
			return err
		}, CodeAccessDenied, arnPrefix + "alice is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action"},
		{"dave may not list keys", func() error {
			_, err := f.api.ListKeys(dave, &ListKeysInput{})
			return err
		}, CodeAccessDenied, arnPrefix + "dave is not authorized to perform: kms:ListKeys on resource: * because no identity-based policy allows the kms:ListKeys action"},
		{"dave may not list aliases", func() error {
			_, err := f.api.ListAliases(dave, &ListAliasesInput{})
			return err
		}, CodeAccessDenied, ""},
		{"dave may not generate random bytes", func() error {
			_, err := f.api.GenerateRandom(dave, &GenerateRandomInput{NumberOfBytes: i32(8)})
			return err
		}, CodeAccessDenied, ""},
		{"bob generates random bytes", func() error {
			_, err := f.api.GenerateRandom(bob, &GenerateRandomInput{NumberOfBytes: i32(8)})
			return err
		}, "", ""},
		{"root lists keys", func() error {
			_, err := f.api.ListKeys(f.ctx, &ListKeysInput{})
			return err
		}, "", ""},

		{"bob may change the key policy: delegation plus his kms:*", func() error {
			_, err := f.api.PutKeyPolicy(bob, &PutKeyPolicyInput{KeyId: key.KeyId, Policy: f.kms.defaultPolicy()})
			return err
		}, "", ""},
		{"the lockout check counts bob's identity policy: a policy without the account locks him out", func() error {
			_, err := f.api.PutKeyPolicy(bob, &PutKeyPolicyInput{KeyId: key.KeyId,
				Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/admin"},"Action":"kms:*","Resource":"*"}]}`})
			return err
		}, CodeMalformedPolicyDocument, "The new key policy will not allow you to update the key policy in the future."},
	}
	runCalls(t, cases)
	var last coffer.AuditEvent
	for _, e := range f.audit.named("Decrypt") {
		if e.Principal.UserName == "bob" {
			last = e
		}
	}
	if last.ErrorCode != CodeAccessDenied || last.Details["denySid"] != "NoDecrypt" || last.Details["deniedBy"] != "identity" {
		t.Fatalf("audit of bob's denied Decrypt = %+v", last)
	}
}

// TestBrokenIdentityPolicy: a stored identity policy that does not parse
// fails its user's calls (an internal error, not an allow), and only
// theirs.
func TestBrokenIdentityPolicy(t *testing.T) {
	users := userPolicies{"alice": {`{"Statement":{"Effect":"Allow","Action":"kms:*"}}`}, "bob": {`{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`}}
	f := newFixture(t, func(o *Options) { o.Policy = policy.NewAuthorizer(users, testAccount) })
	key := f.newKey()
	_, err := f.api.Encrypt(asPrincipal(userPrincipal("alice")), &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
	if err == nil || code(err) == "" || code(err) == CodeAccessDenied {
		t.Fatalf("alice's broken policy: %v (%s)", err, code(err))
	}
	_, err = f.api.Encrypt(asPrincipal(userPrincipal("bob")), &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
	f.must(err)
}
