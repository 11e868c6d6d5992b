package postpolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// Operator is a policy condition's match type.
type Operator string

const (
	OpEq                 Operator = "eq"
	OpStartsWith         Operator = "starts-with"
	OpContentLengthRange Operator = "content-length-range"
)

// Condition is one entry of the policy's "conditions" list. Simple
// conditions ({"acl": "public-read"}) become OpEq.
type Condition struct {
	Op Operator
	// Field is the lower-case form field name without its '$'.
	Field string
	Value string
	// Min and Max bound the file size for OpContentLengthRange.
	Min, Max int64
	// unsatisfiable marks conditions S3 parses but never lets pass: a
	// field reference without '$', or range bounds that are not numbers.
	unsatisfiable bool
	// text is the condition as S3 prints it in error messages.
	text string
}

// Policy is a verified, decoded POST policy.
type Policy struct {
	AccessKey  string // from x-amz-credential
	Region     string // the credential scope's region
	Expiration time.Time
	Conditions []Condition
}

// Parse decodes a policy document (the JSON, not its base64). It follows
// S3: "expiration" and "conditions" are required and case-sensitive,
// operators and field names are case-insensitive, values are not.
func Parse(doc []byte) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil || top == nil {
		return nil, malformed("Invalid JSON.")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, malformed("Invalid JSON.")
	}
	for name := range top {
		if name != "expiration" && name != "conditions" {
			return nil, malformed("Unexpected: '%s'", truncate(strings.ToLower(name), 64))
		}
	}
	rawExp, ok := top["expiration"]
	if !ok {
		return nil, malformed("Policy missing expiration.")
	}
	exp, err := parseExpiration(rawExp)
	if err != nil {
		return nil, err
	}
	rawConds, ok := top["conditions"]
	if !ok {
		return nil, malformed("Policy missing conditions.")
	}
	var list []json.RawMessage
	if err := json.Unmarshal(rawConds, &list); err != nil || list == nil {
		return nil, malformed("Invalid 'conditions' value: must be a List.")
	}
	p := &Policy{Expiration: exp}
	for _, raw := range list {
		c, err := parseCondition(raw)
		if err != nil {
			return nil, err
		}
		p.Conditions = append(p.Conditions, c)
	}
	return p, nil
}

// parseExpiration takes ISO 8601 in UTC ("Z"), with or without fractions
// of a second; S3 refuses offsets and a space for the 'T'.
func parseExpiration(raw json.RawMessage) (time.Time, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, malformed("Invalid 'expiration' value: must be a string.")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !strings.HasSuffix(s, "Z") {
		return time.Time{}, malformed("Invalid 'expiration' value: '%s'", truncate(s, 64))
	}
	return t, nil
}

func parseCondition(raw json.RawMessage) (Condition, error) {
	switch firstByte(raw) {
	case '{':
		return parseSimpleCondition(raw)
	case '[':
		return parseListCondition(raw)
	}
	return Condition{}, malformed("Invalid condition test: must be a List or Object.")
}

// parseSimpleCondition reads {"field": "value"}, an exact match.
func parseSimpleCondition(raw json.RawMessage) (Condition, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return Condition{}, malformed("Invalid JSON.")
	}
	if len(obj) != 1 {
		return Condition{}, malformed("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
	}
	for name, v := range obj {
		if firstByte(v) == 'n' {
			return Condition{}, malformed("Invalid JSON.")
		}
		var value string
		if err := json.Unmarshal(v, &value); err != nil {
			return Condition{}, malformed("Invalid Simple-Condition: value must be a string.")
		}
		c := Condition{Op: OpEq, Field: strings.ToLower(name), Value: value}
		c.text = render("eq", "$"+name, value)
		return c, nil
	}
	panic("unreachable")
}

// parseListCondition reads ["eq"|"starts-with", "$field", "value"] and
// ["content-length-range", min, max].
func parseListCondition(raw json.RawMessage) (Condition, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var items []any
	if err := dec.Decode(&items); err != nil {
		return Condition{}, malformed("Invalid JSON.")
	}
	if len(items) == 0 {
		return Condition{}, malformed("Invalid Condition: missing operation identifier.")
	}
	opName, ok := items[0].(string)
	if !ok {
		return Condition{}, malformed("Invalid Condition: missing operation identifier.")
	}
	op := Operator(strings.ToLower(opName))
	switch op {
	case OpEq, OpStartsWith:
		return parseMatch(op, opName, items)
	case OpContentLengthRange:
		return parseRange(opName, items)
	}
	return Condition{}, malformed("Invalid Condition: unknown operation '%s'.", truncate(opName, 64))
}

func parseMatch(op Operator, opName string, items []any) (Condition, error) {
	if len(items) != 3 {
		return Condition{}, malformed("Invalid %s: wrong number of arguments.", opName)
	}
	ref, ok1 := items[1].(string)
	value, ok2 := items[2].(string)
	if !ok1 || !ok2 {
		return Condition{}, malformed("Invalid JSON.")
	}
	c := Condition{Op: op, Value: value, text: render(opName, ref, value)}
	if name, ok := strings.CutPrefix(ref, "$"); ok {
		c.Field = strings.ToLower(name)
	} else {
		c.Field, c.unsatisfiable = strings.ToLower(ref), true
	}
	return c, nil
}

// parseRange accepts integer bounds, also as strings of digits (S3 does);
// a fraction is invalid JSON to S3, a negative bound or min > max malformed,
// and other strings make a condition that can never pass.
func parseRange(opName string, items []any) (Condition, error) {
	if len(items) != 3 {
		return Condition{}, malformed("Invalid %s: wrong number of arguments.", opName)
	}
	c := Condition{Op: OpContentLengthRange, text: render(opName, items[1], items[2])}
	var bounds [2]int64
	for i, item := range items[1:] {
		switch v := item.(type) {
		case json.Number:
			n, err := strconv.ParseInt(v.String(), 10, 64)
			if err != nil {
				return Condition{}, malformed("Invalid JSON.")
			}
			bounds[i] = n
		case string:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || strings.HasPrefix(v, "+") {
				c.unsatisfiable = true
				continue
			}
			bounds[i] = n
		default:
			return Condition{}, malformed("Invalid JSON.")
		}
	}
	c.Min, c.Max = bounds[0], bounds[1]
	if !c.unsatisfiable && (c.Min < 0 || c.Max < 0 || c.Min > c.Max) {
		return Condition{}, malformed("Invalid %s: bounds must satisfy 0 <= min <= max.", opName)
	}
	return c, nil
}

// render prints a condition the way S3 quotes it in error messages.
func render(items ...any) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, item := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(item)
	}
	return strings.ReplaceAll(b.String(), "\n", "") + "]"
}

func firstByte(raw json.RawMessage) byte {
	for _, c := range raw {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c
		}
	}
	return 0
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
