package policy

import (
	"encoding/json"
	"testing"
)

// publicCase is one entry of testdata/public.json.
type publicCase struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy"`
	Public bool            `json:"public"`
}

func TestPolicyStatus(t *testing.T) {
	for _, c := range loadJSON[publicCase](t, "public.json") {
		t.Run(c.Name, func(t *testing.T) {
			s, err := PolicyStatus(c.Policy)
			if err != nil {
				t.Fatal(err)
			}
			if s.IsPublic != c.Public {
				t.Fatalf("IsPublic = %v, want %v", s.IsPublic, c.Public)
			}
		})
	}
	if _, err := PolicyStatus([]byte(`{`)); err == nil {
		t.Fatal("a broken policy has a status")
	}
	identity := mustParse(t, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, IdentityPolicy)
	if identity.IsPublic() {
		t.Fatal("an identity policy is public")
	}
}

// TestPublicMeansAnonymousAllowed ties IsPublic to evaluation: for every
// statement that is public alone, an anonymous caller is allowed the
// statement's first action on a matching resource when no pinning key is
// in the request.
func TestPublicMeansAnonymousAllowed(t *testing.T) {
	for _, c := range loadJSON[publicCase](t, "public.json") {
		p := mustParse(t, string(c.Policy), ResourcePolicy)
		anonymousAllowed := false
		for _, v := range p.Statements() {
			if v.Effect != Allow || v.NotAction || v.NotResource {
				continue
			}
			resource := v.Resources[0]
			if resource[len(resource)-1] == '*' {
				resource = resource[:len(resource)-1] + "k"
			}
			d := p.Evaluate(Request{Principal: principals["anonymous"], Action: v.Actions[0], Resource: resource,
				Conditions: map[string][]string{"aws:securetransport": {"true"}, "s3:prefix": {"public/"}}})
			if d.Allowed() {
				anonymousAllowed = true
			}
		}
		if anonymousAllowed && !c.Public {
			t.Errorf("%s: anonymous is allowed but the policy is not public", c.Name)
		}
	}
}
