package kms

import (
	"context"
	"fmt"
	"testing"

	"github.com/cofferlabs/coffer"
)

func TestDefaultKeyPolicy(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	out, err := f.api.GetKeyPolicy(f.ctx, &GetKeyPolicyInput{KeyId: key.KeyId})
	f.must(err)
	want := `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	if out.Policy != want || out.PolicyName != "default" {
		t.Fatalf("default policy = %s (%s)", out.Policy, out.PolicyName)
	}
	_, err = f.api.GetKeyPolicy(f.ctx, &GetKeyPolicyInput{KeyId: key.KeyId, PolicyName: "other"})
	wantCode(t, err, CodeNotFound)
	names, err := f.api.ListKeyPolicies(f.ctx, &ListKeyPoliciesInput{KeyId: key.KeyId})
	f.must(err)
	if fmt.Sprint(names.PolicyNames) != "[default]" || names.Truncated {
		t.Fatalf("ListKeyPolicies = %+v", names)
	}
	_, err = f.api.ListKeyPolicies(f.ctx, &ListKeyPoliciesInput{KeyId: key.KeyId, Marker: "bogus"})
	wantCode(t, err, CodeInvalidMarker)
}

// keyPolicy grants the root user everything and adds statements.
func keyPolicy(statements ...string) string {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`
	for _, s := range statements {
		doc += "," + s
	}
	return doc + "]}"
}

func TestKeyPolicyEvaluation(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	policy := keyPolicy(
		`{"Sid":"AliceUses","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*",
		  "Condition":{"StringEquals":{"kms:EncryptionContext:department":"finance"}}}`,
		`{"Sid":"BobViaS3","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:GenerateDataKey","Resource":"*",
		  "Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"},"Bool":{"aws:SecureTransport":"true"}}}`,
		`{"Sid":"NoDecryptForMallory","Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*",
		  "Condition":{"StringEquals":{"aws:username":"mallory"}}}`,
		`{"Sid":"MalloryOtherwise","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/mallory"},"Action":"kms:*","Resource":"*"}`,
		`{"Sid":"OfficeOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/carol"},"Action":"kms:Encrypt","Resource":"*",
		  "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`,
	)
	_, err := f.api.PutKeyPolicy(f.ctx, &PutKeyPolicyInput{KeyId: key.KeyId, Policy: policy})
	f.must(err)
	got, _ := f.api.GetKeyPolicy(f.ctx, &GetKeyPolicyInput{KeyId: key.KeyId})
	if got.Policy != policy {
		t.Fatal("GetKeyPolicy does not return the policy put")
	}
	finance := map[string]string{"department": "finance"}
	blob := f.encrypt(key.KeyId, []byte("x"), finance)
	alice, bob, mallory, carol := userPrincipal("alice"), userPrincipal("bob"), userPrincipal("mallory"), userPrincipal("carol")
	fromIP := func(p coffer.Principal, ip string) context.Context {
		return coffer.WithRequestInfo(asPrincipal(p), coffer.RequestInfo{SourceIP: ip})
	}
	cases := []callCase{
		{"alice encrypts for finance", func() error {
			_, err := f.api.Encrypt(asPrincipal(alice), &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), EncryptionContext: finance})
			return err
		}, "", ""},
		{"alice decrypts for finance", func() error {
			_, err := f.api.Decrypt(asPrincipal(alice), &DecryptInput{CiphertextBlob: blob, EncryptionContext: finance})
			return err
		}, "", ""},
		{"alice encrypts for another department", func() error {
			_, err := f.api.Encrypt(asPrincipal(alice), &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"department": "hr"}})
			return err
		}, CodeAccessDenied, "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Encrypt on resource: " + key.Arn + " because no identity-based policy allows the kms:Encrypt action"},
		{"alice may not disable", func() error {
			_, err := f.api.DisableKey(asPrincipal(alice), &DisableKeyInput{KeyId: key.KeyId})
			return err
		}, CodeAccessDenied, ""},
		{"bob through S3 over TLS", func() error {
			_, err := f.api.GenerateDataKey(viaS3(bob), &GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: DataKeyAES256})
			return err
		}, "", ""},
		{"bob directly", func() error {
			_, err := f.api.GenerateDataKey(asPrincipal(bob), &GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: DataKeyAES256})
			return err
		}, CodeAccessDenied, ""},
		{"mallory decrypts: explicit deny", func() error {
			_, err := f.api.Decrypt(asPrincipal(mallory), &DecryptInput{CiphertextBlob: blob, EncryptionContext: finance})
			return err
		}, CodeAccessDenied, "User: arn:aws:iam::111122223333:user/mallory is not authorized to perform: kms:Decrypt on resource: " + key.Arn + " with an explicit deny in a resource-based policy"},
		{"mallory encrypts", func() error {
			_, err := f.api.Encrypt(asPrincipal(mallory), &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
			return err
		}, "", ""},
		{"carol from the office", func() error {
			_, err := f.api.Encrypt(fromIP(carol, "10.1.2.3"), &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
			return err
		}, "", ""},
		{"carol from elsewhere", func() error {
			_, err := f.api.Encrypt(fromIP(carol, "192.0.2.1"), &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
			return err
		}, CodeAccessDenied, ""},
		{"no principal", func() error {
			_, err := f.api.DescribeKey(context.Background(), &DescribeKeyInput{KeyId: key.KeyId})
			return err
		}, CodeAccessDenied, "User: anonymous is not authorized to perform: kms:DescribeKey because no identity-based policy allows the kms:DescribeKey action"},
		{"anonymous principal", func() error {
			_, err := f.api.Encrypt(asPrincipal(coffer.Principal{Anonymous: true}), &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
			return err
		}, CodeAccessDenied, ""},
		{"another account creates a key", func() error {
			_, err := f.api.CreateKey(asPrincipal(coffer.Principal{AccountID: "444455556666", ARN: "arn:aws:iam::444455556666:root"}), &CreateKeyInput{})
			return err
		}, CodeAccessDenied, "User: arn:aws:iam::444455556666:root is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action"},
	}
	runCalls(t, cases)
	denied := f.audit.named("Decrypt")
	last := denied[len(denied)-1]
	if last.ErrorCode != CodeAccessDenied || last.Details["denySid"] != "NoDecryptForMallory" || last.Principal.UserName != "mallory" {
		t.Fatalf("audit of the explicit deny = %+v", last)
	}
}

func TestPutKeyPolicyRefusals(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	cases := []struct {
		name string
		in   PutKeyPolicyInput
		code string
		msg  string
	}{
		{"not JSON", PutKeyPolicyInput{KeyId: key.KeyId, Policy: "{"}, CodeMalformedPolicyDocument, ""},
		{"no principal", PutKeyPolicyInput{KeyId: key.KeyId, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`}, CodeMalformedPolicyDocument, ""},
		{"lockout", PutKeyPolicyInput{KeyId: key.KeyId, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Decrypt","Resource":"*"}]}`},
			CodeMalformedPolicyDocument, "The new key policy will not allow you to update the key policy in the future."},
		{"other policy name", PutKeyPolicyInput{KeyId: key.KeyId, PolicyName: "custom", Policy: f.kms.defaultPolicy()}, CodeNotFound, ""},
		{"bad policy name", PutKeyPolicyInput{KeyId: key.KeyId, PolicyName: "a-b", Policy: f.kms.defaultPolicy()}, CodeValidation, ""},
		{"missing policy", PutKeyPolicyInput{KeyId: key.KeyId}, CodeValidation, "1 validation error detected: Value null at 'policy' failed to satisfy constraint: Member must not be null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.api.PutKeyPolicy(f.ctx, &tc.in)
			wantCode(t, err, tc.code)
			if tc.msg != "" && message(err) != tc.msg {
				t.Fatalf("message %q, want %q", message(err), tc.msg)
			}
		})
	}
	got, _ := f.api.GetKeyPolicy(f.ctx, &GetKeyPolicyInput{KeyId: key.KeyId})
	if got.Policy != f.kms.defaultPolicy() {
		t.Fatal("a refused PutKeyPolicy changed the policy")
	}
	// With the safety check bypassed the root user may lock itself out.
	_, err := f.api.PutKeyPolicy(f.ctx, &PutKeyPolicyInput{KeyId: key.KeyId, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Decrypt","Resource":"*"}]}`, BypassPolicyLockoutSafetyCheck: true})
	f.must(err)
	_, err = f.api.PutKeyPolicy(f.ctx, &PutKeyPolicyInput{KeyId: key.KeyId, Policy: f.kms.defaultPolicy()})
	wantCode(t, err, CodeAccessDenied)
}

func TestConditionKeys(t *testing.T) {
	f := newFixture(t)
	ctx := coffer.WithRequestInfo(asPrincipal(userPrincipal("dave")), coffer.RequestInfo{SourceIP: "192.0.2.7", SecureTransport: true, UserAgent: "aws-cli/1.45", ViaService: "s3.amazonaws.com"})
	c, err := f.kms.begin(ctx, "Decrypt", readAccess)
	f.must(err)
	got := c.conditions(map[string]string{"b": "2", "a": "1"})
	want := map[string]string{
		"kms:CallerAccount":         "[111122223333]",
		"kms:ViaService":            "[s3.us-east-1.amazonaws.com]",
		"kms:EncryptionContext:a":   "[1]",
		"kms:EncryptionContext:b":   "[2]",
		"kms:EncryptionContextKeys": "[a b]",
		"aws:PrincipalArn":          "[arn:aws:iam::111122223333:user/dave]",
		"aws:PrincipalAccount":      "[111122223333]",
		"aws:PrincipalType":         "[User]",
		"aws:username":              "[dave]",
		"aws:userid":                "[AIDAdave]",
		"aws:SourceIp":              "[192.0.2.7]",
		"aws:SecureTransport":       "[true]",
		"aws:UserAgent":             "[aws-cli/1.45]",
		"aws:CurrentTime":           "[2026-03-04T05:06:07Z]",
		"aws:EpochTime":             fmt.Sprintf("[%d]", testEpoch.Unix()),
	}
	if len(got) != len(want) {
		t.Fatalf("conditions = %v", got)
	}
	for k, v := range want {
		if fmt.Sprint(got[k]) != v {
			t.Fatalf("%s = %v, want %s", k, got[k], v)
		}
	}
	if v := f.kms.viaService("s3.eu-west-1.amazonaws.com"); v != "s3.eu-west-1.amazonaws.com" {
		t.Fatalf("a regional service name became %q", v)
	}
}
