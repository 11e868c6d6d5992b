package sigv4

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// v2Scheme opens a SigV2 Authorization header: "AWS AccessKeyId:Signature".
const v2Scheme = "AWS "

// v2Credentials is who signed a SigV2 request and what they sent.
type v2Credentials struct {
	accessKey     string
	signature     []byte // the 20-byte HMAC-SHA1
	signatureText string // as sent, for the error document
}

// v2Presign adds the expiry of a SigV2 query-string request.
type v2Presign struct {
	v2Credentials
	expires     int64  // Unix seconds
	expiresText string // as sent: it is the string to sign's date line
}

// isV2Authorization tells "AWS AKID:sig" from "AWS4-HMAC-SHA256 ...".
func isV2Authorization(h string) bool { return strings.HasPrefix(h, v2Scheme) }

// hasV2QueryAuth reports whether the query carries SigV2 credentials.
func hasV2QueryAuth(query []queryParam) bool {
	return hasParam(query, "AWSAccessKeyId") || hasParam(query, "Signature")
}

// parseV2Authorization reads "AWS AccessKeyId:Signature". Spaces after the
// scheme are tolerated (as in the SigV4 parser); nothing else is.
func parseV2Authorization(h string) (v2Credentials, error) {
	const malformed = "%w: expected \"AWS AccessKeyId:Signature\""
	rest, ok := strings.CutPrefix(h, v2Scheme)
	if !ok {
		return v2Credentials{}, fmt.Errorf(malformed, ErrAuthorizationHeaderMalformed)
	}
	accessKey, sig, ok := strings.Cut(strings.TrimLeft(rest, " "), ":")
	if !ok || accessKey == "" || strings.ContainsAny(accessKey, " \t") {
		return v2Credentials{}, fmt.Errorf(malformed, ErrAuthorizationHeaderMalformed)
	}
	raw, err := decodeV2Signature(sig, ErrAuthorizationHeaderMalformed)
	if err != nil {
		return v2Credentials{}, err
	}
	return v2Credentials{accessKey: accessKey, signature: raw, signatureText: sig}, nil
}

// parseV2Presign reads AWSAccessKeyId, Signature and Expires; each must
// appear exactly once.
func parseV2Presign(query []queryParam) (v2Presign, error) {
	var p v2Presign
	var err error
	if p.accessKey, err = v2Param(query, "AWSAccessKeyId"); err != nil {
		return p, err
	}
	if p.accessKey == "" {
		return p, fmt.Errorf("%w: AWSAccessKeyId is empty", ErrAuthorizationQueryMalformed)
	}
	sig, err := v2Param(query, "Signature")
	if err != nil {
		return p, err
	}
	// A '+' left unencoded in the URL arrives as a space; base64 has no
	// spaces, so the repair is unambiguous.
	p.signatureText = strings.ReplaceAll(sig, " ", "+")
	if p.signature, err = decodeV2Signature(p.signatureText, ErrAuthorizationQueryMalformed); err != nil {
		return p, err
	}
	if p.expiresText, err = v2Param(query, "Expires"); err != nil {
		return p, err
	}
	p.expires, err = parseUnixSeconds(p.expiresText)
	return p, err
}

func v2Param(query []queryParam, name string) (string, error) {
	var value string
	n := 0
	for _, p := range query {
		if p.key == name {
			value, n = p.value, n+1
		}
	}
	switch {
	case n == 0:
		return "", fmt.Errorf("%w: query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters; %s is missing", ErrAuthorizationQueryMalformed, name)
	case n > 1:
		return "", fmt.Errorf("%w: %s is given %d times", ErrAuthorizationQueryMalformed, name, n)
	}
	return value, nil
}

// parseUnixSeconds accepts digits only: no sign, no fraction.
func parseUnixSeconds(s string) (int64, error) {
	digits := s != "" && len(s) <= 18 // 18 digits cannot overflow int64
	for i := 0; i < len(s) && digits; i++ {
		digits = '0' <= s[i] && s[i] <= '9'
	}
	if !digits {
		return 0, fmt.Errorf("%w: Expires must be Unix seconds, got %q", ErrAuthorizationQueryMalformed, truncate(s, 32))
	}
	return strconv.ParseInt(s, 10, 64)
}

// decodeV2Signature parses base64 (standard alphabet, padded) into the
// 20-byte HMAC-SHA1.
func decodeV2Signature(s string, malformed error) ([]byte, error) {
	raw, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(raw) != sha1.Size {
		return nil, fmt.Errorf("%w: the signature must be the base64 of a 20-byte HMAC-SHA1", malformed)
	}
	return raw, nil
}

// v2DateFormats are the forms a SigV2 Date or x-amz-date may take: the
// three HTTP date forms, RFC 1123 with a numeric zone (the S3 examples use
// "+0000") and the ISO 8601 basic form SigV4 clients put in x-amz-date.
var v2DateFormats = []string{http.TimeFormat, time.RFC1123Z, time.RFC850, time.ANSIC, timeFormat}

// v2RequestTime reads x-amz-date, else Date. It returns the request time and
// the string to sign's date line: the Date header as sent, or "" when
// x-amz-date is present (x-amz-date is then signed among the x-amz-*
// headers, and Date is ignored).
func v2RequestTime(r *http.Request) (time.Time, string, error) {
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err := parseV2Date(v)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("%w: x-amz-date %q is not an HTTP date", ErrMissingDate, truncate(v, 40))
		}
		return t, "", nil
	}
	if v := r.Header.Get("Date"); v != "" {
		t, err := parseV2Date(v)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("%w: Date %q is not an HTTP date", ErrMissingDate, truncate(v, 40))
		}
		return t, v, nil
	}
	return time.Time{}, "", ErrMissingDate
}

func parseV2Date(v string) (time.Time, error) {
	var err error
	for _, layout := range v2DateFormats {
		var t time.Time
		if t, err = time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}
