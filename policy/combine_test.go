package policy

import "testing"

func TestCombine(t *testing.T) {
	identityAllow := Decision{Effect: Allow, Sid: "IdAllow", Statement: 0, Principal: MatchIdentity, Kind: IdentityPolicy}
	identityDeny := Decision{Effect: Deny, Sid: "IdDeny", Statement: 1, Principal: MatchIdentity, Kind: IdentityPolicy}
	resourceExact := Decision{Effect: Allow, Sid: "ResAlice", Statement: 0, Principal: MatchExact, Kind: ResourcePolicy}
	resourceAnyone := Decision{Effect: Allow, Sid: "ResPublic", Statement: 1, Principal: MatchAnyone, Kind: ResourcePolicy}
	resourceAccount := Decision{Effect: Allow, Sid: "ResAccount", Statement: 2, Principal: MatchAccount, Kind: ResourcePolicy}
	resourceDeny := Decision{Effect: Deny, Sid: "ResDeny", Statement: 3, Principal: MatchAnyone, Kind: ResourcePolicy}
	resourceDenyAccount := Decision{Effect: Deny, Sid: "ResDenyAccount", Statement: 4, Principal: MatchAccount, Kind: ResourcePolicy}
	none := Decision{Statement: -1}

	cases := []struct {
		name      string
		decisions []Decision
		want      Effect
		sid       string
	}{
		{"nothing applies: implicit deny", []Decision{none, none}, NotApplicable, ""},
		{"no policies at all", nil, NotApplicable, ""},
		{"identity allow", []Decision{identityAllow, none}, Allow, "IdAllow"},
		{"resource allow naming the caller", []Decision{none, resourceExact}, Allow, "ResAlice"},
		{"resource allow to everyone", []Decision{resourceAnyone}, Allow, "ResPublic"},
		{"resource allow through the account alone grants nothing", []Decision{none, resourceAccount}, NotApplicable, ""},
		{"account delegation plus identity allow", []Decision{identityAllow, resourceAccount}, Allow, "IdAllow"},
		{"explicit deny in the resource policy wins", []Decision{identityAllow, resourceDeny}, Deny, "ResDeny"},
		{"explicit deny in the identity policy wins", []Decision{identityDeny, resourceExact}, Deny, "IdDeny"},
		{"a deny through the account still denies", []Decision{identityAllow, resourceDenyAccount}, Deny, "ResDenyAccount"},
		{"the first deny given is reported", []Decision{resourceDeny, identityDeny}, Deny, "ResDeny"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Combine(tc.decisions...)
			if d.Effect != tc.want || d.Sid != tc.sid {
				t.Fatalf("Combine = %s %q, want %s %q", d.Effect, d.Sid, tc.want, tc.sid)
			}
			if d.Allowed() != (tc.want == Allow) {
				t.Fatalf("Allowed() = %v for %s", d.Allowed(), d.Effect)
			}
			if tc.want == NotApplicable && d.Statement != -1 {
				t.Fatalf("implicit deny names statement %d", d.Statement)
			}
		})
	}
}

// TestCombineKeyPolicyWithIdentity plays issue 5's KMS case end to end:
// the default key policy delegates to IAM, so a user may use the key only
// if their identity policy allows it, and a key policy deny beats it.
func TestCombineKeyPolicyWithIdentity(t *testing.T) {
	key := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		{"Sid":"NoDecryptForBob","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:Decrypt","Resource":"*"}]}`, ResourcePolicy)
	userPolicy := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"arn:aws:kms:us-east-1:111122223333:key/*"}]}`, IdentityPolicy)
	keyARN := "arn:aws:kms:us-east-1:111122223333:key/k1"
	cases := []struct {
		name        string
		caller      string
		identity    []*Policy
		want        Effect
		wantDenySid string
	}{
		{"root needs no identity policy", "root", nil, Allow, ""},
		{"alice without an identity policy", "alice", nil, NotApplicable, ""},
		{"alice with one", "alice", []*Policy{userPolicy}, Allow, ""},
		{"bob is denied by the key policy whatever his own says", "bob", []*Policy{userPolicy}, Deny, "NoDecryptForBob"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := Request{Principal: principals[tc.caller], Action: "kms:Decrypt", Resource: keyARN}
			decisions := []Decision{key.Evaluate(req)}
			for _, p := range tc.identity {
				decisions = append(decisions, p.Evaluate(req))
			}
			d := Combine(decisions...)
			if d.Effect != tc.want {
				t.Fatalf("Combine = %+v, want %s", d, tc.want)
			}
			if tc.want == Deny && d.Sid != tc.wantDenySid {
				t.Fatalf("deny sid %q, want %q", d.Sid, tc.wantDenySid)
			}
		})
	}
}
