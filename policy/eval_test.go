package policy

import "testing"

// TestEvalFiles runs every policy under testdata/eval against its requests:
// AWS's published examples for enforcing encryption and TLS, key policies,
// and the gotchas AWS's semantics produce.
func TestEvalFiles(t *testing.T) {
	files := loadEvalFiles(t)
	for _, name := range sortedKeys(files) {
		f := files[name]
		t.Run(name, func(t *testing.T) {
			if f.Source == "" || len(f.Cases) == 0 {
				t.Fatal("every eval file names its source and has cases")
			}
			p := mustParse(t, string(f.Policy), f.kind())
			for _, c := range f.Cases {
				t.Run(c.Name, func(t *testing.T) {
					d := p.Evaluate(c.request(t))
					if got := d.Effect.String(); got != c.Want {
						t.Fatalf("effect = %s (sid %q, statement %d), want %s", got, d.Sid, d.Statement, c.Want)
					}
					if c.Sid != nil && d.Sid != *c.Sid {
						t.Errorf("sid = %q, want %q", d.Sid, *c.Sid)
					}
					if c.Via != "" && d.Principal.String() != c.Via {
						t.Errorf("principal matched via %s, want %s", d.Principal, c.Via)
					}
					checkDecisionShape(t, p, d)
				})
			}
		})
	}
}

// checkDecisionShape checks what every decision promises: NotApplicable
// names no statement; otherwise the named statement has the decision's
// effect and Sid.
func checkDecisionShape(t *testing.T, p *Policy, d Decision) {
	t.Helper()
	if d.Kind != p.Kind() {
		t.Errorf("decision kind %s, policy kind %s", d.Kind, p.Kind())
	}
	if d.Effect == NotApplicable {
		if d.Statement != -1 || d.Sid != "" || d.Principal != MatchNone {
			t.Errorf("NotApplicable decision names statement %d sid %q via %s", d.Statement, d.Sid, d.Principal)
		}
		return
	}
	views := p.Statements()
	if d.Statement < 0 || d.Statement >= len(views) {
		t.Fatalf("statement index %d out of range", d.Statement)
	}
	if v := views[d.Statement]; v.Effect != d.Effect || v.Sid != d.Sid {
		t.Errorf("statement %d is %s %q, decision says %s %q", d.Statement, v.Effect, v.Sid, d.Effect, d.Sid)
	}
}
