package kms

import "testing"

func TestKeyARN(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/app", TargetKeyId: key.KeyId})
	f.must(err)
	events := len(f.audit.events)
	tests := []struct {
		ref  string
		want string
		ok   bool
	}{
		{key.KeyId, key.Arn, true},
		{key.Arn, key.Arn, true},
		{"alias/app", key.Arn, true},
		{"arn:aws:kms:" + testRegion + ":" + testAccount + ":alias/app", key.Arn, true},
		{"alias/missing", "", false},
		{"alias/aws/s3", "", false}, // never created by a lookup
		{"00000000-0000-4000-8000-000000000000", "", false},
		{"not a key", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, ok := f.kms.KeyARN(tc.ref)
		if got != tc.want || ok != tc.ok {
			t.Errorf("KeyARN(%q) = %q, %v; want %q, %v", tc.ref, got, ok, tc.want, tc.ok)
		}
	}
	if len(f.audit.events) != events {
		t.Fatal("KeyARN left audit events")
	}
}
