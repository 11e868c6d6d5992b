package policy

import "slices"

// Statement is a read-only view of one statement as written (principals
// normalised), for callers that check more than the grammar: S3 refuses
// actions that do not apply to the resources listed, GetBucketPolicyStatus
// asks whether anyone is allowed in.
type Statement struct {
	Sid    string
	Effect Effect
	// Principals lists "*", principal ARNs (an account id becomes
	// arn:aws:iam::<id>:root) and "service:<name>"; empty in identity policies.
	Principals   []string
	NotPrincipal bool
	Actions      []string
	NotAction    bool
	Resources    []string
	NotResource  bool
	Conditions   []Condition
}

// Condition is one operator and key with its values, as written.
type Condition struct {
	Operator string
	Key      string
	Values   []string
}

func newStatementView(s *statement, actions, resources []string, condition *jsonValue) Statement {
	view := Statement{
		Sid:          s.sid,
		Effect:       s.effect,
		NotPrincipal: s.notPrincipal,
		Actions:      actions,
		NotAction:    s.notAction,
		Resources:    resources,
		NotResource:  s.notResource,
	}
	if s.principals != nil {
		view.Principals = s.principals.written
	}
	if condition != nil {
		for _, op := range condition.members {
			for _, k := range op.value.members {
				values, _ := conditionTexts(k.value)
				view.Conditions = append(view.Conditions, Condition{Operator: op.name, Key: k.name, Values: values})
			}
		}
	}
	return view
}

// Statements returns a copy of the document's statements in order.
func (p *Policy) Statements() []Statement {
	out := make([]Statement, len(p.statements))
	for i := range p.statements {
		v := p.statements[i].view
		v.Principals = slices.Clone(v.Principals)
		v.Actions = slices.Clone(v.Actions)
		v.Resources = slices.Clone(v.Resources)
		v.Conditions = slices.Clone(v.Conditions)
		for j := range v.Conditions {
			v.Conditions[j].Values = slices.Clone(v.Conditions[j].Values)
		}
		out[i] = v
	}
	return out
}
