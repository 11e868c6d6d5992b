package policy

import "github.com/cofferlabs/coffer"

// statement is one compiled Statement element.
type statement struct {
	sid          string
	effect       Effect
	principals   *principalSet // nil in identity policies
	notPrincipal bool
	actions      actionSet
	notAction    bool
	resources    resourceSet
	notResource  bool
	conditions   []condition
	view         Statement
}

// applies reports whether the statement covers the request and, if so,
// how its principal element took in the caller. Cheap tests go first.
func (s *statement) applies(kind Kind, action string, resource target, p coffer.Principal, ctx *contextKeys) PrincipalMatch {
	if s.actions.match(action) == s.notAction {
		return MatchNone
	}
	if s.resources.match(resource, ctx) == s.notResource {
		return MatchNone
	}
	how := MatchIdentity
	if kind == ResourcePolicy {
		if how = s.principalMatch(p); how == MatchNone {
			return MatchNone
		}
	}
	for i := range s.conditions {
		if !s.conditions[i].holds(ctx) {
			return MatchNone
		}
	}
	return how
}

func (s *statement) principalMatch(p coffer.Principal) PrincipalMatch {
	if s.notPrincipal {
		if s.principals.excludes(p) {
			return MatchNone
		}
		return MatchExcluded
	}
	return s.principals.match(p)
}

// statementFields is what parseStatement collects before checking that
// the required elements are there.
type statementFields struct {
	sid, effect                 *jsonValue
	principal, action, resource *jsonMember
	condition                   *jsonValue
}

func parseStatement(v jsonValue, index int, kind Kind, variables bool, known []string) (statement, *Error) {
	fail := func(reason Reason, message, detail string) (statement, *Error) {
		return statement{}, statementError(index, reason, message, detail)
	}
	if v.kind != jsonObject {
		return fail(ReasonWrongType, "Statement must be an object or an array of objects", "statement is "+v.kind.String())
	}
	var f statementFields
	for i := range v.members {
		m := &v.members[i]
		var slot **jsonMember
		switch m.name {
		case "Sid":
			f.sid = &m.value
			continue
		case "Effect":
			f.effect = &m.value
			continue
		case "Condition":
			f.condition = &m.value
			continue
		case "Principal", "NotPrincipal":
			slot = &f.principal
		case "Action", "NotAction":
			slot = &f.action
		case "Resource", "NotResource":
			slot = &f.resource
		default:
			return fail(ReasonUnknownField, msgUnknownField(m.name), "")
		}
		if *slot != nil {
			return fail(ReasonConflictingFields, "Statement cannot have both "+(*slot).name+" and "+m.name, "")
		}
		*slot = m
	}

	s := statement{}
	if f.sid != nil {
		if f.sid.kind != jsonString {
			return fail(ReasonWrongType, "Sid must be a string", "Sid is "+f.sid.kind.String())
		}
		s.sid = f.sid.text
	}
	if f.effect == nil {
		return fail(ReasonMissingField, msgMissingField("Effect"), "")
	}
	switch {
	case f.effect.kind == jsonString && f.effect.text == "Allow":
		s.effect = Allow
	case f.effect.kind == jsonString && f.effect.text == "Deny":
		s.effect = Deny
	default:
		text, _ := f.effect.scalarText()
		return fail(ReasonInvalidEffect, msgInvalidEffect(text), "Effect must be \"Allow\" or \"Deny\"")
	}

	switch {
	case kind == IdentityPolicy && f.principal != nil:
		return fail(ReasonPrincipalNotAllowed, msgNoPrincipal, f.principal.name+" belongs in resource policies only")
	case kind == ResourcePolicy && f.principal == nil:
		return fail(ReasonMissingField, msgMissingField("Principal"), "")
	case kind == ResourcePolicy:
		set, detail := parsePrincipal(f.principal.value)
		if detail != "" {
			return fail(ReasonInvalidPrincipal, msgInvalidPrincipal, detail)
		}
		s.principals, s.notPrincipal = set, f.principal.name == "NotPrincipal"
	}

	if f.action == nil {
		return fail(ReasonMissingField, msgMissingField("Action"), "")
	}
	actions, ok := f.action.value.stringList()
	if !ok {
		return fail(ReasonInvalidAction, msgInvalidAction, f.action.name+" must be a string or a non-empty array of strings")
	}
	var detail string
	if s.actions, detail = parseActions(actions, known); detail != "" {
		return fail(ReasonInvalidAction, msgInvalidAction, detail)
	}
	s.notAction = f.action.name == "NotAction"

	if f.resource == nil {
		return fail(ReasonMissingField, msgMissingField("Resource"), "")
	}
	resources, ok := f.resource.value.stringList()
	if !ok {
		return fail(ReasonInvalidResource, msgInvalidResource, f.resource.name+" must be a string or a non-empty array of strings")
	}
	if s.resources, detail = parseResources(resources, variables); detail != "" {
		return fail(ReasonInvalidResource, msgInvalidResource, detail)
	}
	s.notResource = f.resource.name == "NotResource"

	if f.condition != nil {
		conditions, err := parseConditions(*f.condition, variables)
		if err != nil {
			err.Statement = index
			return statement{}, err
		}
		s.conditions = conditions
	}
	s.view = newStatementView(&s, actions, resources, f.condition)
	return s, nil
}
