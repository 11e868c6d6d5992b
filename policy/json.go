package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// The policy grammar is read from a small JSON tree rather than from
// structs so that member order is kept (statement order decides which
// Sid is reported) and duplicate members are refused: a document with two
// "Effect" members means different things to different readers, and
// encoding/json would silently keep the last one.

type jsonKind int

const (
	jsonString jsonKind = iota + 1
	jsonNumber
	jsonBool
	jsonNull
	jsonArray
	jsonObject
)

func (k jsonKind) String() string {
	switch k {
	case jsonString:
		return "a string"
	case jsonNumber:
		return "a number"
	case jsonBool:
		return "a boolean"
	case jsonNull:
		return "null"
	case jsonArray:
		return "an array"
	case jsonObject:
		return "an object"
	}
	return "nothing"
}

type jsonValue struct {
	kind    jsonKind
	text    string // string contents, number literal, or "true"/"false"
	items   []jsonValue
	members []jsonMember
}

type jsonMember struct {
	name  string
	value jsonValue
}

// maxJSONDepth is far deeper than any valid policy (document, Statement,
// statement, Condition, operator, key, values: 7) yet keeps hostile input
// from recursing deeply.
const maxJSONDepth = 16

var (
	errJSONTooDeep  = errors.New("nested too deeply")
	errJSONTrailing = errors.New("unexpected data after the policy document")
)

// duplicateMemberError names the member that appears twice.
type duplicateMemberError struct{ name string }

func (e *duplicateMemberError) Error() string { return "duplicate member " + e.name }

func decodeJSON(doc []byte) (jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return jsonValue{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return jsonValue{}, errJSONTrailing
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (jsonValue, error) {
	if depth > maxJSONDepth {
		return jsonValue{}, errJSONTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return jsonValue{}, err
	}
	switch t := tok.(type) {
	case string:
		return jsonValue{kind: jsonString, text: t}, nil
	case json.Number:
		return jsonValue{kind: jsonNumber, text: string(t)}, nil
	case bool:
		if t {
			return jsonValue{kind: jsonBool, text: "true"}, nil
		}
		return jsonValue{kind: jsonBool, text: "false"}, nil
	case nil:
		return jsonValue{kind: jsonNull}, nil
	case json.Delim:
		if t == '[' {
			return decodeArray(dec, depth)
		}
		return decodeObject(dec, depth)
	}
	return jsonValue{}, errors.New("unexpected JSON token")
}

func decodeArray(dec *json.Decoder, depth int) (jsonValue, error) {
	v := jsonValue{kind: jsonArray}
	for dec.More() {
		item, err := decodeValue(dec, depth+1)
		if err != nil {
			return jsonValue{}, err
		}
		v.items = append(v.items, item)
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return jsonValue{}, err
	}
	return v, nil
}

func decodeObject(dec *json.Decoder, depth int) (jsonValue, error) {
	v := jsonValue{kind: jsonObject}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonValue{}, err
		}
		name, ok := tok.(string)
		if !ok {
			return jsonValue{}, errors.New("object member name is not a string")
		}
		if seen[name] {
			return jsonValue{}, &duplicateMemberError{name: name}
		}
		seen[name] = true
		value, err := decodeValue(dec, depth+1)
		if err != nil {
			return jsonValue{}, err
		}
		v.members = append(v.members, jsonMember{name: name, value: value})
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return jsonValue{}, err
	}
	return v, nil
}

// scalarText is the text of a string, number or boolean: AWS accepts
// `"Bool": {"aws:SecureTransport": false}` and `"NumericLessThan": {"k": 3}`
// as if the values were quoted.
func (v jsonValue) scalarText() (string, bool) {
	switch v.kind {
	case jsonString, jsonNumber, jsonBool:
		return v.text, true
	}
	return "", false
}

// stringList reads a string or a non-empty array of strings.
func (v jsonValue) stringList() ([]string, bool) {
	switch v.kind {
	case jsonString:
		return []string{v.text}, true
	case jsonArray:
		if len(v.items) == 0 {
			return nil, false
		}
		out := make([]string, 0, len(v.items))
		for _, item := range v.items {
			if item.kind != jsonString {
				return nil, false
			}
			out = append(out, item.text)
		}
		return out, true
	}
	return nil, false
}
