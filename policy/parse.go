package policy

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// Kind is what a policy is attached to, which decides whether its
// statements name principals.
type Kind int

const (
	// ResourcePolicy is attached to a resource (a bucket policy, a KMS key
	// policy): every statement names its principals.
	ResourcePolicy Kind = iota
	// IdentityPolicy is attached to a user: it applies to that user, and
	// naming a principal is an error.
	IdentityPolicy
)

func (k Kind) String() string {
	if k == IdentityPolicy {
		return "identity"
	}
	return "resource"
}

// Size limits AWS sets on documents; Parse does not apply them unless
// Options.MaxSize says so, as each service counts its own way.
const (
	MaxKeyPolicySize    = 32 << 10 // KMS PutKeyPolicy / CreateKey
	MaxBucketPolicySize = 20 << 10 // S3 PutBucketPolicy
)

// Policy language versions. Only 2012-10-17 has policy variables; a
// document without a Version is read as 2008-10-17.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Options tune ParseWith.
type Options struct {
	Kind Kind
	// MaxSize refuses larger documents (bytes); 0 means no limit.
	MaxSize int
	// Actions, when set, lists every action the service knows (e.g. all
	// "s3:..." actions); each Action and NotAction entry must match at
	// least one of them. Compared case-insensitively.
	Actions []string
}

// Policy is a parsed, validated document. It is immutable and safe for
// concurrent use.
type Policy struct {
	version    string
	id         string
	kind       Kind
	statements []statement
}

// Parse reads a resource policy (bucket policy, key policy): every
// statement must name a Principal or NotPrincipal.
func Parse(doc []byte) (*Policy, error) { return ParseWith(doc, Options{}) }

// ParseIdentity reads an identity policy (a user's policy): statements
// must not name principals.
func ParseIdentity(doc []byte) (*Policy, error) {
	return ParseWith(doc, Options{Kind: IdentityPolicy})
}

// ParseWith reads a document of opts.Kind. Every refusal is an *Error.
func ParseWith(doc []byte, opts Options) (*Policy, error) {
	if opts.MaxSize > 0 && len(doc) > opts.MaxSize {
		return nil, documentError(ReasonTooLarge, "Policy document exceeds the maximum allowed size of "+strconv.Itoa(opts.MaxSize)+" bytes",
			strconv.Itoa(len(doc))+" bytes")
	}
	trimmed := bytes.TrimLeft(doc, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, documentError(ReasonInvalidJSON, msgNotObject, "")
	}
	root, err := decodeJSON(trimmed)
	if err != nil {
		var dup *duplicateMemberError
		if errors.As(err, &dup) {
			return nil, documentError(ReasonDuplicateField, msgDuplicateField(dup.name), "a member may appear only once in an object")
		}
		return nil, documentError(ReasonInvalidJSON, msgInvalidJSON, err.Error())
	}
	known := make([]string, len(opts.Actions))
	for i, a := range opts.Actions {
		known[i] = strings.ToLower(a)
	}
	return parseDocument(root, opts.Kind, known)
}

func parseDocument(root jsonValue, kind Kind, known []string) (*Policy, error) {
	p := &Policy{kind: kind}
	var statements *jsonValue
	for i, m := range root.members {
		switch m.name {
		case "Version":
			if m.value.kind != jsonString || (m.value.text != Version2012 && m.value.text != Version2008) {
				return nil, documentError(ReasonInvalidVersion, msgInvalidVersion, "Version must be \""+Version2012+"\" or \""+Version2008+"\"")
			}
			p.version = m.value.text
		case "Id":
			if m.value.kind != jsonString {
				return nil, documentError(ReasonWrongType, "Id must be a string", "Id is "+m.value.kind.String())
			}
			p.id = m.value.text
		case "Statement":
			statements = &root.members[i].value
		default:
			return nil, documentError(ReasonUnknownField, msgUnknownField(m.name), "")
		}
	}
	if statements == nil {
		return nil, documentError(ReasonMissingField, msgMissingField("Statement"), "")
	}
	var list []jsonValue
	switch statements.kind {
	case jsonObject:
		list = []jsonValue{*statements}
	case jsonArray:
		list = statements.items
	default:
		return nil, documentError(ReasonWrongType, "Statement must be an object or an array of objects", "Statement is "+statements.kind.String())
	}
	if len(list) == 0 {
		return nil, documentError(ReasonEmptyStatement, msgEmptyStatement, "")
	}
	variables := p.version == Version2012
	sids := map[string]bool{}
	for i, v := range list {
		s, err := parseStatement(v, i, kind, variables, known)
		if err != nil {
			return nil, err
		}
		if s.sid != "" {
			if sids[s.sid] {
				return nil, statementError(i, ReasonDuplicateSid, msgDuplicateSid, "Sid "+quote(s.sid)+" appears twice")
			}
			sids[s.sid] = true
		}
		p.statements = append(p.statements, s)
	}
	return p, nil
}

// Version is the document's Version ("" when it has none).
func (p *Policy) Version() string { return p.version }

// ID is the document's Id ("" when it has none).
func (p *Policy) ID() string { return p.id }

// Kind is what the policy was parsed as.
func (p *Policy) Kind() Kind { return p.kind }
