package policy

import (
	"testing"

	"github.com/cofferlabs/coffer"
)

func TestPrincipalMatch(t *testing.T) {
	cases := []struct {
		name      string
		principal string // the Principal element
		caller    string
		want      PrincipalMatch
	}{
		{"star takes anyone", `"*"`, "alice", MatchAnyone},
		{"star takes anonymous", `"*"`, "anonymous", MatchAnyone},
		{"AWS star takes anonymous", `{"AWS":"*"}`, "anonymous", MatchAnyone},
		{"star in a list", `{"AWS":["arn:aws:iam::111122223333:user/bob","*"]}`, "carol", MatchAnyone},
		{"user ARN", `{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "alice", MatchExact},
		{"user ARN of someone else", `{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "bob", MatchNone},
		{"user with a path", `{"AWS":"arn:aws:iam::111122223333:user/ci/deployer"}`, "deployer", MatchExact},
		{"role ARN", `{"AWS":"arn:aws:iam::111122223333:role/app"}`, "app-role", MatchExact},
		{"account id takes its root exactly", `{"AWS":"111122223333"}`, "root", MatchExact},
		{"account id takes its users through the account", `{"AWS":"111122223333"}`, "alice", MatchAccount},
		{"root ARN takes its users through the account", `{"AWS":"arn:aws:iam::111122223333:root"}`, "bob", MatchAccount},
		{"account does not take another account", `{"AWS":"111122223333"}`, "carol", MatchNone},
		{"account does not take anonymous", `{"AWS":"111122223333"}`, "anonymous", MatchNone},
		{"user and account: exact wins", `{"AWS":["111122223333","arn:aws:iam::111122223333:user/alice"]}`, "alice", MatchExact},
		{"service principal takes no Coffer caller", `{"Service":"s3.amazonaws.com"}`, "root", MatchNone},
		{"assumed-role session", `{"AWS":"arn:aws:sts::111122223333:assumed-role/app/session1"}`, "alice", MatchNone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Principal":` + tc.principal +
				`,"Action":"s3:GetObject","Resource":"*"}]}`
			d := mustParse(t, doc, ResourcePolicy).Evaluate(Request{Principal: principals[tc.caller], Action: "s3:GetObject", Resource: "*"})
			if d.Principal != tc.want {
				t.Fatalf("matched via %s, want %s", d.Principal, tc.want)
			}
			if (d.Effect == Allow) != (tc.want != MatchNone) {
				t.Fatalf("effect %s with match %s", d.Effect, d.Principal)
			}
		})
	}
}

func TestNotPrincipalExcludes(t *testing.T) {
	cases := []struct {
		name, notPrincipal, caller string
		excluded                   bool
	}{
		{"listed user and account", `["arn:aws:iam::111122223333:user/bob","111122223333"]`, "bob", true},
		{"listed user only", `"arn:aws:iam::111122223333:user/bob"`, "bob", false},
		{"listed account only: its root", `"111122223333"`, "root", true},
		{"listed account only: its users are not", `"111122223333"`, "alice", false},
		{"anonymous is never left out by ARNs", `["111122223333","arn:aws:iam::111122223333:user/bob"]`, "anonymous", false},
		{"star leaves everyone out", `"*"`, "anonymous", true},
		{"another account's user", `["arn:aws:iam::111122223333:user/bob","111122223333"]`, "carol", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"Statement":{"Sid":"D","Effect":"Deny","NotPrincipal":{"AWS":` + tc.notPrincipal + `},"Action":"*","Resource":"*"}}`
			d := mustParse(t, doc, ResourcePolicy).Evaluate(Request{Principal: principals[tc.caller], Action: "s3:GetObject", Resource: "*"})
			if excluded := d.Effect != Deny; excluded != tc.excluded {
				t.Fatalf("excluded = %v, want %v (decision %+v)", excluded, tc.excluded, d)
			}
			if d.Effect == Deny && d.Principal != MatchExcluded {
				t.Fatalf("deny via %s, want %s", d.Principal, MatchExcluded)
			}
		})
	}
}

// TestAllowPrefersDirectGrant: when both an account statement and a
// statement naming the caller allow, the latter is reported, since only it
// grants on its own; document order breaks ties.
func TestAllowPrefersDirectGrant(t *testing.T) {
	doc := `{"Statement":[
		{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"},
		{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:*","Resource":"*"},
		{"Sid":"Everyone","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`
	p := mustParse(t, doc, ResourcePolicy)
	d := p.Evaluate(Request{Principal: principals["alice"], Action: "s3:GetObject", Resource: "*"})
	if d.Sid != "Alice" || d.Principal != MatchExact {
		t.Fatalf("decision %+v, want statement Alice", d)
	}
	d = p.Evaluate(Request{Principal: principals["bob"], Action: "s3:GetObject", Resource: "*"})
	if d.Sid != "Everyone" || d.Principal != MatchAnyone {
		t.Fatalf("decision %+v, want statement Everyone", d)
	}
}

func TestIsRoot(t *testing.T) {
	cases := []struct {
		name string
		p    coffer.Principal
		want bool
	}{
		{"root", principals["root"], true},
		{"user", principals["alice"], false},
		{"role without a user name", principals["app-role"], false},
		{"anonymous", principals["anonymous"], false},
		{"anonymous carrying an ARN", coffer.Principal{Anonymous: true, ARN: "arn:aws:iam::111122223333:root"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := isRoot(tc.p); got != tc.want {
				t.Fatalf("isRoot = %v, want %v", got, tc.want)
			}
		})
	}
}
