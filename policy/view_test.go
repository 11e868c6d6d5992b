package policy

import (
	"reflect"
	"testing"
)

func TestStatementsView(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Id":"key-1","Statement":[
		{"Sid":"A","Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:user/alice"],"Service":"s3.amazonaws.com"},
		 "Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*",
		 "Condition":{"StringEquals":{"kms:ViaService":["s3.us-east-1.amazonaws.com"]},"Bool":{"aws:SecureTransport":true}}},
		{"Effect":"Deny","NotPrincipal":"*","NotAction":"kms:Describe*","NotResource":"arn:aws:kms:*:*:key/x"}]}`, ResourcePolicy)
	want := []Statement{
		{
			Sid: "A", Effect: Allow,
			Principals: []string{"arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/alice", "service:s3.amazonaws.com"},
			Actions:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resources:  []string{"*"},
			Conditions: []Condition{
				{Operator: "StringEquals", Key: "kms:ViaService", Values: []string{"s3.us-east-1.amazonaws.com"}},
				{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}},
			},
		},
		{
			Effect: Deny, Principals: []string{"*"}, NotPrincipal: true,
			Actions: []string{"kms:Describe*"}, NotAction: true,
			Resources: []string{"arn:aws:kms:*:*:key/x"}, NotResource: true,
		},
	}
	got := p.Statements()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if p.Version() != Version2012 || p.ID() != "key-1" || p.Kind() != ResourcePolicy {
		t.Fatalf("version %q id %q kind %s", p.Version(), p.ID(), p.Kind())
	}
	// The view is a copy: changing it changes nothing in the policy.
	got[0].Actions[0] = "kms:*"
	got[0].Conditions[0].Values[0] = "x"
	if again := p.Statements(); !reflect.DeepEqual(again, want) {
		t.Fatalf("policy changed through its view: %+v", again)
	}
}

// TestKnownActions: with Options.Actions, names and wildcards must cover a
// known action, compared case-insensitively.
func TestKnownActions(t *testing.T) {
	known := []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}
	for _, action := range []string{`"*"`, `"s3:*"`, `"S3:getobject"`, `["s3:Get*","s3:List?ucket"]`} {
		doc := `{"Statement":{"Effect":"Allow","Principal":"*","Action":` + action + `,"Resource":"*"}}`
		if _, err := ParseWith([]byte(doc), Options{Actions: known}); err != nil {
			t.Errorf("%s: %v", action, err)
		}
	}
}
