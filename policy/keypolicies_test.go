package policy

import (
	"testing"

	"github.com/cofferlabs/coffer"
)

func TestKeyPolicies(t *testing.T) {
	const acct = "111122223333"
	root := coffer.Principal{AccountID: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}
	user := coffer.Principal{AccountID: acct, ARN: "arn:aws:iam::" + acct + ":user/alice", UserName: "alice", UserID: "AIDAALICE"}
	defaultPolicy := `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}]}`
	denyDecrypt := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"},
	 {"Sid":"NoDecryptOutsideS3","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*",
	  "Condition":{"StringNotEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}`
	cases := []struct {
		name       string
		doc        string
		principal  coffer.Principal
		action     string
		conditions map[string][]string
		allowed    bool
		denySid    string
	}{
		{name: "default policy lets root", doc: defaultPolicy, principal: root, action: "kms:Decrypt", allowed: true},
		{name: "default policy alone does not let a user", doc: defaultPolicy, principal: user, action: "kms:Decrypt"},
		{name: "explicit deny names its statement", doc: denyDecrypt, principal: root, action: "kms:Decrypt", denySid: "NoDecryptOutsideS3"},
		{name: "condition lifts the deny", doc: denyDecrypt, principal: root, action: "kms:Decrypt",
			conditions: map[string][]string{"kms:ViaService": {"s3.us-east-1.amazonaws.com"}}, allowed: true},
	}
	k := NewKeyPolicies()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			allowed, sid, err := k.Allowed([]byte(tc.doc), tc.principal, tc.action, "arn:aws:kms:us-east-1:"+acct+":key/k", tc.conditions)
			if err != nil || allowed != tc.allowed || sid != tc.denySid {
				t.Fatalf("Allowed = %v, %q, %v; want %v, %q", allowed, sid, err, tc.allowed, tc.denySid)
			}
		})
	}
	if err := k.Validate([]byte(`{"Statement":[{"Effect":"Allow","Action":"kms:*"}]}`)); err == nil {
		t.Fatal("a key policy without Principal was accepted")
	}
}
