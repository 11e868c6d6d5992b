package policy

import "github.com/cofferlabs/coffer"

// Effect is a statement's effect, or the outcome of an evaluation.
type Effect int

const (
	// NotApplicable: no statement covered the request. Alone, that is the
	// implicit deny.
	NotApplicable Effect = iota
	Allow
	Deny
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "NotApplicable"
}

// Request is what a caller asks to do.
type Request struct {
	Principal coffer.Principal
	// Action is "service:Operation", e.g. "kms:Decrypt", "s3:PutObject".
	Action string
	// Resource is the ARN acted on, or "*" for actions without one.
	Resource string
	// Conditions is the request context: condition key -> values. Keys
	// compare case-insensitively (lower-case keys are fastest); a key that
	// is absent or has no values is missing. GlobalConditions builds the
	// aws: keys.
	Conditions map[string][]string
}

// Decision is the outcome of evaluating one policy.
type Decision struct {
	Effect Effect
	// Sid and Statement (an index into the Statement array) name the
	// deciding statement: the first Deny that applied, else the Allow
	// reported. Statement is -1 and Sid "" when NotApplicable.
	Sid       string
	Statement int
	// Principal says how the deciding statement's principal element took
	// in the caller (MatchIdentity for identity policies).
	Principal PrincipalMatch
	// Kind is the kind of policy that decided.
	Kind Kind
}

// Allowed reports whether the decision grants the request.
func (d Decision) Allowed() bool { return d.Effect == Allow }

// Evaluate decides the request against this one document: Deny if any
// statement that applies denies (the first such in document order), else
// Allow if any that applies allows, else NotApplicable. Among allowing
// statements one that names the caller, or everyone, is reported in
// preference to one that only names the caller's account, since only the
// former grants anything on its own (see Combine).
func (p *Policy) Evaluate(req Request) Decision {
	return p.evaluate(req, newContextKeys(req.Conditions))
}

// evaluateLower is Evaluate for a request whose condition keys are known
// to be lower-case, sparing the check (the Authorizer's requests).
func (p *Policy) evaluateLower(req Request) Decision {
	return p.evaluate(req, contextKeys{m: req.Conditions, checked: true})
}

func (p *Policy) evaluate(req Request, ctx contextKeys) Decision {
	resource := newTarget(req.Resource)
	allow := Decision{Statement: -1, Kind: p.kind}
	for i := range p.statements {
		s := &p.statements[i]
		how := s.applies(p.kind, req.Action, resource, req.Principal, &ctx)
		if how == MatchNone {
			continue
		}
		d := Decision{Effect: s.effect, Sid: s.sid, Statement: i, Principal: how, Kind: p.kind}
		if s.effect == Deny {
			return d
		}
		if allow.Effect != Allow || allow.Principal == MatchAccount && how != MatchAccount {
			allow = d
		}
	}
	return allow
}

// Combine joins the decisions of every policy that applies to one request
// within one account (the caller's identity policies and the resource's
// policy), as AWS evaluates them:
//
//  1. an explicit Deny in any of them wins (the first one given);
//  2. otherwise an Allow wins: from an identity policy, or from a resource
//     policy statement that named the caller's ARN, everyone ("*"), or
//     the caller by NotPrincipal. A resource-policy Allow that took the
//     caller in only through its account (MatchAccount) delegates to the
//     account's identity policies and grants nothing by itself;
//  3. otherwise the result is NotApplicable: the implicit deny.
//
// Cross-account access (an Allow needed on both sides) and the powers a
// service gives the owner of a resource (S3's bucket owner) are the
// caller's to add.
func Combine(decisions ...Decision) Decision {
	for _, d := range decisions {
		if d.Effect == Deny {
			return d
		}
	}
	for _, d := range decisions {
		if d.Effect == Allow && (d.Kind == IdentityPolicy || d.Principal != MatchAccount) {
			return d
		}
	}
	return Decision{Statement: -1}
}
