package policy

import (
	"bytes"
	"net/netip"
	"strings"
	"time"
)

// setOperator is the ForAnyValue: / ForAllValues: qualifier.
type setOperator int

const (
	setNone setOperator = iota
	setAnyValue
	setAllValues
)

// condition is one (operator, key) pair with its policy values: a single
// request value matches when it compares true with ANY policy value (with
// the comparison inverted, NONE, for negated operators).
type condition struct {
	operator string // as written, e.g. "ForAllValues:StringLikeIfExists"
	key      string // lower-cased: keys are case-insensitive
	spec     operatorSpec
	ifExists bool
	set      setOperator

	texts    []value // familyString, familyARN
	arns     []arnPattern
	numbers  []float64
	times    []time.Time
	bools    []bool
	binaries [][]byte
	prefixes []netip.Prefix
	nulls    []bool // Null: true means "the key must be absent"
}

// holds evaluates the condition against the request context, following
// IAM's rules for missing keys:
//   - plain operators: an absent key makes a positive operator false and a
//     negated one (StringNotEquals, NotIpAddress, ...) true;
//   - ...IfExists: an absent key makes the condition true;
//   - ForAnyValue: true if some request value matches; false when absent;
//   - ForAllValues: true if every request value matches; true when absent;
//   - Null: tests presence only.
//
// A key present with several values and no set qualifier is treated like
// ForAnyValue for a positive operator and as the negation of that (no
// request value matches) for a negated one.
func (c *condition) holds(ctx *contextKeys) bool {
	values := ctx.values(c.key)
	if c.spec.family == familyNull {
		absent := len(values) == 0
		for _, want := range c.nulls {
			if want == absent {
				return true
			}
		}
		return false
	}
	switch c.set {
	case setAnyValue:
		if len(values) == 0 {
			return c.ifExists
		}
		for _, v := range values {
			if c.matchesAny(v, ctx) != c.spec.negated {
				return true
			}
		}
		return false
	case setAllValues:
		for _, v := range values {
			if c.matchesAny(v, ctx) == c.spec.negated {
				return false
			}
		}
		return true
	}
	if len(values) == 0 {
		return c.ifExists || c.spec.negated
	}
	for _, v := range values {
		if c.matchesAny(v, ctx) {
			return !c.spec.negated
		}
	}
	return c.spec.negated
}

// matchesAny reports whether the request value v compares true (with the
// positive comparison) against at least one policy value.
func (c *condition) matchesAny(v string, ctx *contextKeys) bool {
	switch c.spec.family {
	case familyString:
		return c.matchesText(v, ctx)
	case familyARN:
		return c.matchesARN(v, ctx)
	case familyNumeric:
		x, ok := parseNumber(v)
		if !ok {
			return false
		}
		for _, n := range c.numbers {
			if compareOrdered(x, n, c.spec.cmp) {
				return true
			}
		}
	case familyDate:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, want := range c.times {
			if compareTimes(t, want, c.spec.cmp) {
				return true
			}
		}
	case familyBool:
		b, ok := parseBool(v)
		if !ok {
			return false
		}
		for _, want := range c.bools {
			if b == want {
				return true
			}
		}
	case familyBinary:
		b, ok := parseBinary(v)
		if !ok {
			return false
		}
		for _, want := range c.binaries {
			if bytes.Equal(b, want) {
				return true
			}
		}
	case familyIP:
		a, ok := parseAddr(v)
		if !ok {
			return false
		}
		for _, p := range c.prefixes {
			if p.Contains(a) {
				return true
			}
		}
	}
	return false
}

func (c *condition) matchesText(v string, ctx *contextKeys) bool {
	for i := range c.texts {
		p, ok := c.texts[i].resolve(ctx)
		if !ok {
			continue
		}
		switch c.spec.cmp {
		case cmpEqual:
			if p.literal == v {
				return true
			}
		case cmpEqualFold:
			if strings.EqualFold(p.literal, v) {
				return true
			}
		case cmpLike:
			if p.match(v) {
				return true
			}
		}
	}
	return false
}

func (c *condition) matchesARN(v string, ctx *contextKeys) bool {
	for i := range c.texts {
		if c.texts[i].static {
			if c.arns[i].match(v) {
				return true
			}
			continue
		}
		p, ok := c.texts[i].resolve(ctx)
		if ok && splitARNPattern(p).match(v) {
			return true
		}
	}
	return false
}

// parseConditions reads a Condition element: operator -> key -> value or
// values. Every (operator, key) pair must hold for the statement to apply.
func parseConditions(v jsonValue, variables bool) ([]condition, *Error) {
	if v.kind != jsonObject {
		return nil, &Error{Reason: ReasonWrongType, Message: "Condition must be an object", Detail: "Condition is " + v.kind.String()}
	}
	var out []condition
	for _, op := range v.members {
		spec, ifExists, set, ok := parseOperator(op.name)
		if !ok {
			return nil, &Error{Reason: ReasonInvalidConditionOperator, Message: msgInvalidOperator(op.name)}
		}
		if op.value.kind != jsonObject || len(op.value.members) == 0 {
			return nil, &Error{Reason: ReasonInvalidConditionValue, Message: "Invalid Condition block",
				Detail: "operator " + op.name + " must map at least one condition key to its values"}
		}
		for _, k := range op.value.members {
			if !validContextKey(k.name) {
				return nil, &Error{Reason: ReasonInvalidConditionKey, Message: "Policy has an invalid condition key",
					Detail: "condition key " + quote(k.name)}
			}
			c := condition{operator: op.name, key: strings.ToLower(k.name), spec: spec, ifExists: ifExists, set: set}
			texts, detail := conditionTexts(k.value)
			if detail == "" {
				detail = c.compileValues(texts, variables)
			}
			if detail != "" {
				return nil, &Error{Reason: ReasonInvalidConditionValue, Message: "Invalid Condition value",
					Detail: op.name + " " + plain(k.name) + ": " + detail}
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// parseOperator splits "ForAllValues:StringLikeIfExists" into its parts.
// Null takes neither IfExists nor a set qualifier.
func parseOperator(name string) (spec operatorSpec, ifExists bool, set setOperator, ok bool) {
	base := name
	if rest, found := strings.CutPrefix(base, "ForAnyValue:"); found {
		base, set = rest, setAnyValue
	} else if rest, found := strings.CutPrefix(base, "ForAllValues:"); found {
		base, set = rest, setAllValues
	}
	spec, ok = operators[base]
	if !ok {
		if trimmed, found := strings.CutSuffix(base, "IfExists"); found {
			spec, ok = operators[trimmed]
			ifExists = true
		}
	}
	if !ok || spec.family == familyNull && (ifExists || set != setNone) {
		return operatorSpec{}, false, setNone, false
	}
	return spec, ifExists, set, true
}

// conditionTexts reads a condition value: a scalar or a non-empty array of
// scalars (strings, numbers and booleans are all read as their text).
func conditionTexts(v jsonValue) ([]string, string) {
	if text, ok := v.scalarText(); ok {
		return []string{text}, ""
	}
	if v.kind != jsonArray || len(v.items) == 0 {
		return nil, "values must be a string, number, boolean or a non-empty array of them"
	}
	out := make([]string, 0, len(v.items))
	for _, item := range v.items {
		text, ok := item.scalarText()
		if !ok {
			return nil, "values must be a string, number, boolean or a non-empty array of them"
		}
		out = append(out, text)
	}
	return out, ""
}

// compileValues parses the policy values for the operator's family;
// variables are substituted only in string and ARN values, as in AWS.
func (c *condition) compileValues(texts []string, variables bool) string {
	for _, t := range texts {
		switch c.spec.family {
		case familyString, familyARN:
			wildcards := c.spec.cmp == cmpLike
			v, err := compileValue(t, wildcards, variables)
			if err != nil {
				return "malformed policy variable in " + quote(t)
			}
			c.texts = append(c.texts, v)
			if c.spec.family == familyARN {
				var a arnPattern
				if v.static {
					a = compileARN(v.pattern)
				}
				c.arns = append(c.arns, a)
			}
		case familyNumeric:
			n, ok := parseNumber(t)
			if !ok {
				return "not a number: " + quote(t)
			}
			c.numbers = append(c.numbers, n)
		case familyDate:
			d, ok := parseDate(t)
			if !ok {
				return "not an ISO 8601 date or epoch time: " + quote(t)
			}
			c.times = append(c.times, d)
		case familyBool:
			b, ok := parseBool(t)
			if !ok {
				return "not true or false: " + quote(t)
			}
			c.bools = append(c.bools, b)
		case familyBinary:
			b, ok := parseBinary(t)
			if !ok {
				return "not base64: " + quote(t)
			}
			c.binaries = append(c.binaries, b)
		case familyIP:
			p, ok := parsePrefix(t)
			if !ok {
				return "not an IP address or CIDR block: " + quote(t)
			}
			c.prefixes = append(c.prefixes, p)
		case familyNull:
			b, ok := parseBool(t)
			if !ok {
				return "Null takes true or false, not " + quote(t)
			}
			c.nulls = append(c.nulls, b)
		}
	}
	return ""
}
