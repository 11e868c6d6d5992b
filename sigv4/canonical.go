package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

const (
	algorithm     = "AWS4-HMAC-SHA256"
	timeFormat    = "20060102T150405Z"
	dateFormat    = "20060102"
	scopeTerminal = "aws4_request"
)

// queryParam is one decoded query parameter, in the order sent.
type queryParam struct{ key, value string }

// requestTarget returns the path and raw query exactly as the client sent
// them. The request line is authoritative: S3 signs the path as sent, so a
// router rewriting r.URL (virtual-hosted style) cannot break verification.
// Requests built in code (no RequestURI) fall back to r.URL.
func requestTarget(r *http.Request) (path, rawQuery string) {
	if t := r.RequestURI; strings.HasPrefix(t, "/") {
		path, rawQuery, _ = strings.Cut(t, "?")
	} else {
		path, rawQuery = r.URL.EscapedPath(), r.URL.RawQuery
	}
	if path == "" {
		path = "/"
	}
	return path, rawQuery
}

// parseQuery splits a raw query into decoded parameters. '+' means space, as
// every SDK signer assumes; a component that does not unescape is kept raw.
func parseQuery(raw string) []queryParam {
	var params []queryParam
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		params = append(params, queryParam{key: unescapeQuery(k), value: unescapeQuery(v)})
	}
	return params
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// canonicalQuery re-encodes every parameter with AWS's URI encoding and sorts
// by encoded key, then encoded value. skip names a parameter to leave out
// (X-Amz-Signature on presigned requests).
func canonicalQuery(params []queryParam, skip string) string {
	encoded := make([]queryParam, 0, len(params))
	for _, p := range params {
		if skip != "" && p.key == skip {
			continue
		}
		encoded = append(encoded, queryParam{key: uriEncode(p.key), value: uriEncode(p.value)})
	}
	sort.Slice(encoded, func(i, j int) bool {
		if encoded[i].key != encoded[j].key {
			return encoded[i].key < encoded[j].key
		}
		return encoded[i].value < encoded[j].value
	})
	var b strings.Builder
	for i, p := range encoded {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// uriEncode keeps A-Z a-z 0-9 - _ . ~ and percent-encodes every other byte
// with upper-case hex (so a space is %20).
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// canonicalHeaders renders "name:value\n" for each signed header, in the
// order the client listed them. Values are trimmed, inner runs of spaces
// collapse to one, and repeated headers join with ','.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(r, name))
		b.WriteByte('\n')
	}
	return b.String()
}

func headerValue(r *http.Request, name string) string {
	if name == "host" {
		return collapseSpaces(r.Host)
	}
	values := r.Header.Values(name)
	if len(values) == 0 && name == "content-length" && r.ContentLength >= 0 {
		return strconv.FormatInt(r.ContentLength, 10)
	}
	cleaned := make([]string, len(values))
	for i, v := range values {
		cleaned[i] = collapseSpaces(v)
	}
	return strings.Join(cleaned, ",")
}

// collapseSpaces trims spaces at both ends and turns inner runs into one.
func collapseSpaces(s string) string {
	s = strings.Trim(s, " ")
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && i > 0 && s[i-1] == ' ' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// canonicalRequest joins the six parts of a SigV4 canonical request.
func canonicalRequest(method, uri, query, headers string, signed []string, payload string) string {
	return strings.Join([]string{method, uri, query, headers, strings.Join(signed, ";"), payload}, "\n")
}

// stringToSign is the request-level string to sign.
func stringToSign(amzDate, scope, canonical string) string {
	return algorithm + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex([]byte(canonical))
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
