package iamapi

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxParams bounds the parameters of one request; the largest IAM request
// Coffer serves has a handful.
const maxParams = 100

// params are a request's parameters: the form body and the query string
// together, each name at most once.
type params map[string]string

// parseParams reads the form body and the raw query. It refuses what a
// lenient parser would guess at: bad percent-encoding, and a name given
// twice (in the body, or in both places), which two parsers could read
// differently.
func parseParams(body, rawQuery string) (params, *apiError) {
	p := params{}
	for _, part := range []string{body, rawQuery} {
		for pair := range strings.SplitSeq(part, "&") {
			if pair == "" {
				continue
			}
			if len(p) >= maxParams {
				return nil, newError(codeMalformedQueryString, "The request has more than %d parameters.", maxParams)
			}
			rawName, rawValue, _ := strings.Cut(pair, "=")
			name, err1 := url.QueryUnescape(rawName)
			value, err2 := url.QueryUnescape(rawValue)
			if err1 != nil || err2 != nil {
				return nil, newError(codeMalformedQueryString, "The request's form encoding is malformed near %s.", clip(rawName))
			}
			if _, dup := p[name]; dup {
				return nil, newError(codeInvalidParameterValue, "The parameter %s is given more than once.", clip(name))
			}
			p[name] = value
		}
	}
	return p, nil
}

// get returns a parameter's value ("" when absent).
func (p params) get(name string) string { return p[name] }

// unexpected returns the first parameter that is not one of allowed, nor
// Action, Version or a SigV4 query parameter, in a stable order.
func (p params) unexpected(allowed []string) string {
	first := ""
	for name := range p {
		switch {
		case name == "Action", name == "Version", strings.HasPrefix(name, "X-Amz-"):
			continue
		}
		known := false
		for _, a := range allowed {
			known = known || name == a
		}
		if !known && (first == "" || name < first) {
			first = name
		}
	}
	return first
}

// Pagination (AWS: MaxItems 1-1000, default 100; Marker opaque).
const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
	maxMarkerLength = 320
)

// pageParams reads MaxItems and Marker. The marker is the sort key of the
// first item of the page, base64url-encoded.
func (p params) pageParams() (maxItems int, after string, err *apiError) {
	maxItems = defaultMaxItems
	if v, ok := p["MaxItems"]; ok {
		n, convErr := strconv.Atoi(v)
		switch {
		case convErr != nil:
			return 0, "", newError(codeValidation, "1 validation error detected: Value %s at 'maxItems' failed to satisfy constraint: Member must be an integer", quote(v))
		case n < 1:
			return 0, "", newError(codeValidation, "1 validation error detected: Value %s at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", quote(v))
		case n > maxMaxItems:
			return 0, "", newError(codeValidation, "1 validation error detected: Value %s at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to %d", quote(v), maxMaxItems)
		}
		maxItems = n
	}
	if v, ok := p["Marker"]; ok {
		key, decErr := base64.RawURLEncoding.DecodeString(v)
		if decErr != nil || v == "" || len(v) > maxMarkerLength {
			return 0, "", newError(codeValidation, "Invalid Marker: it is not one this API returned.")
		}
		after = string(key)
	}
	return maxItems, after, nil
}

// page returns at most maxItems of items (sorted by key) from the first
// whose key is at least from, and the marker of the next page ("" when
// this is the last).
func page[T any](items []T, key func(T) string, from string, maxItems int) ([]T, string) {
	start := 0
	for start < len(items) && key(items[start]) < from {
		start++
	}
	items = items[start:]
	if len(items) <= maxItems {
		return items, ""
	}
	return items[:maxItems], base64.RawURLEncoding.EncodeToString([]byte(key(items[maxItems])))
}

// clip shortens a client value for a message, on a character boundary.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func quote(s string) string { return "'" + clip(s) + "'" }
