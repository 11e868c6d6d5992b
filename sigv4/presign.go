package sigv4

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MaxPresignExpiry is the longest X-Amz-Expires S3 accepts: seven days.
const MaxPresignExpiry = 7 * 24 * time.Hour

// presign holds the X-Amz-* query parameters of a presigned request.
type presign struct {
	cred          credential
	amzDate       string
	when          time.Time
	expires       time.Duration
	signedHeaders []string
	signature     []byte
}

// parsePresign reads the presigned-URL parameters; each must appear exactly
// once.
func parsePresign(query []queryParam) (presign, error) {
	get := func(name string) (string, error) {
		var value string
		n := 0
		for _, p := range query {
			if p.key == name {
				value, n = p.value, n+1
			}
		}
		switch {
		case n == 0:
			return "", fmt.Errorf("%w: %s is missing", ErrAuthorizationQueryMalformed, name)
		case n > 1:
			return "", fmt.Errorf("%w: %s is given %d times", ErrAuthorizationQueryMalformed, name, n)
		}
		return value, nil
	}
	var p presign
	alg, err := get("X-Amz-Algorithm")
	if err != nil {
		return p, err
	}
	if alg != algorithm {
		return p, fmt.Errorf("%w: X-Amz-Algorithm %q", ErrUnsupportedAlgorithm, truncate(alg, 32))
	}
	cred, err := get("X-Amz-Credential")
	if err != nil {
		return p, err
	}
	if p.cred, err = parseCredential(cred, ErrAuthorizationQueryMalformed); err != nil {
		return p, err
	}
	if p.amzDate, err = get("X-Amz-Date"); err != nil {
		return p, err
	}
	if p.when, err = time.Parse(timeFormat, p.amzDate); err != nil {
		return p, fmt.Errorf("%w: X-Amz-Date %q is not YYYYMMDDTHHMMSSZ", ErrAuthorizationQueryMalformed, truncate(p.amzDate, 32))
	}
	if p.amzDate[:len(dateFormat)] != p.cred.date {
		return p, fmt.Errorf("%w: credential date %s is not the date of X-Amz-Date", ErrAuthorizationQueryMalformed, p.cred.date)
	}
	expires, err := get("X-Amz-Expires")
	if err != nil {
		return p, err
	}
	if p.expires, err = parseExpires(expires); err != nil {
		return p, err
	}
	signed, err := get("X-Amz-SignedHeaders")
	if err != nil {
		return p, err
	}
	if p.signedHeaders, err = parseSignedHeaders(signed, ErrAuthorizationQueryMalformed); err != nil {
		return p, err
	}
	sig, err := get("X-Amz-Signature")
	if err != nil {
		return p, err
	}
	p.signature, err = decodeSignature(sig, ErrAuthorizationQueryMalformed)
	return p, err
}

// parseExpires accepts 1..604800 seconds, digits only.
func parseExpires(s string) (time.Duration, error) {
	n, err := strconv.Atoi(s)
	if err != nil || s[0] == '+' || s[0] == '-' || n < 1 || time.Duration(n)*time.Second > MaxPresignExpiry {
		return 0, fmt.Errorf("%w: X-Amz-Expires must be 1 to 604800 seconds, got %q", ErrAuthorizationQueryMalformed, truncate(s, 32))
	}
	return time.Duration(n) * time.Second, nil
}

// checkUnsignedHeaders enforces S3's rule for presigned requests: every
// x-amz-* header sent must be signed, or the URL holder could add SSE, ACL,
// metadata or copy-source headers the signer never authorised.
// x-amz-content-sha256 is exempt: its value is the payload hash inside the
// canonical request, so it is covered by the signature anyway.
func checkUnsignedHeaders(r *http.Request, signed []string) error {
	var unsigned []string
	for name := range r.Header {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, "x-amz-") || lower == "x-amz-content-sha256" {
			continue
		}
		if !slices.Contains(signed, lower) {
			unsigned = append(unsigned, lower)
		}
	}
	if len(unsigned) > 0 {
		sort.Strings(unsigned)
		return &HeadersNotSignedError{Headers: unsigned}
	}
	return nil
}

// HeadersNotSignedError names the x-amz-* headers a presigned request sent
// without signing them (S3's HeadersNotSigned element).
type HeadersNotSignedError struct {
	Headers []string // lower-case, sorted
}

func (e *HeadersNotSignedError) Error() string {
	return ErrHeadersNotSigned.Error() + ": " + strings.Join(e.Headers, ", ")
}

// Unwrap makes errors.Is(err, ErrHeadersNotSigned) hold.
func (e *HeadersNotSignedError) Unwrap() error { return ErrHeadersNotSigned }

func hasParam(query []queryParam, name string) bool {
	_, ok := param(query, name)
	return ok
}

func param(query []queryParam, name string) (string, bool) {
	for _, p := range query {
		if p.key == name {
			return p.value, true
		}
	}
	return "", false
}
