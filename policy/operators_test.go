package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// operatorCase is one entry of testdata/operators.json: a Condition
// element, a request context, and whether the condition holds.
type operatorCase struct {
	Name      string                     `json:"name"`
	Condition json.RawMessage            `json:"condition"`
	Context   map[string]json.RawMessage `json:"context"`
	Match     bool                       `json:"match"`
	Version   string                     `json:"version"` // default 2012-10-17; "none" leaves Version out
}

func loadOperatorCases(t testing.TB) []operatorCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "operators.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []operatorCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// document wraps the condition in an identity policy whose single Allow
// statement applies exactly when the condition holds.
func (c operatorCase) document() string {
	version := `"Version":"` + Version2012 + `",`
	switch c.Version {
	case "none":
		version = ""
	case "":
	default:
		version = `"Version":"` + c.Version + `",`
	}
	return `{` + version + `"Statement":[{"Sid":"S","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":` +
		string(c.Condition) + `}]}`
}

// TestOperators runs every operator, with present, absent and multivalued
// keys, the IfExists forms, the set qualifiers and policy variables.
func TestOperators(t *testing.T) {
	cases := loadOperatorCases(t)
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Name] {
			t.Fatalf("duplicate case name %q", c.Name)
		}
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			p := mustParse(t, c.document(), IdentityPolicy)
			ctx := contextValues(t, c.Context)
			d := p.Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Conditions: ctx})
			if got := d.Effect == Allow; got != c.Match {
				t.Fatalf("condition %s with context %q: holds = %v, want %v", c.Condition, ctx, got, c.Match)
			}
		})
	}
}

// TestEveryOperatorCovered keeps the table honest: each base operator, its
// IfExists form (Null has none) and both set qualifiers appear in a case.
func TestEveryOperatorCovered(t *testing.T) {
	used := map[string]bool{}
	for _, c := range loadOperatorCases(t) {
		var cond map[string]json.RawMessage
		if err := json.Unmarshal(c.Condition, &cond); err != nil {
			t.Fatal(err)
		}
		for op := range cond {
			spec, ifExists, set, ok := parseOperator(op)
			if !ok {
				t.Fatalf("case %q uses unknown operator %s", c.Name, op)
			}
			for name, s := range operators {
				if s == spec {
					used[name] = true
				}
			}
			if ifExists {
				used["IfExists"] = true
			}
			used[[]string{"", "ForAnyValue", "ForAllValues"}[set]] = true
		}
	}
	for name := range operators {
		if !used[name] {
			t.Errorf("no case for %s", name)
		}
	}
	for _, q := range []string{"IfExists", "ForAnyValue", "ForAllValues"} {
		if !used[q] {
			t.Errorf("no case for %s", q)
		}
	}
}
