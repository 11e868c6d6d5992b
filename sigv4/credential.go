package sigv4

import (
	"fmt"
	"strings"
	"time"
)

// credential is "AKID/YYYYMMDD/region/service/aws4_request" taken apart.
type credential struct {
	accessKey string
	date      string // YYYYMMDD
	region    string
	service   string
}

// scope is the credential scope that appears in the string to sign.
func (c credential) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/" + scopeTerminal
}

// parseCredential checks the credential's shape; malformed names the
// sentinel of the place it came from (header or query).
func parseCredential(s string, malformed error) (credential, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 {
		return credential{}, fmt.Errorf("%w: credential must be <access-key>/<date>/<region>/<service>/aws4_request", malformed)
	}
	c := credential{accessKey: parts[0], date: parts[1], region: parts[2], service: parts[3]}
	if c.accessKey == "" {
		return credential{}, fmt.Errorf("%w: credential has an empty access key", malformed)
	}
	if _, err := time.Parse(dateFormat, c.date); err != nil || len(c.date) != len(dateFormat) {
		return credential{}, fmt.Errorf("%w: credential date %q is not YYYYMMDD", malformed, c.date)
	}
	if c.region == "" || c.service == "" {
		return credential{}, fmt.Errorf("%w: credential has an empty region or service", malformed)
	}
	if parts[4] != scopeTerminal {
		return credential{}, fmt.Errorf("%w: credential terminal %q is not %q", malformed, parts[4], scopeTerminal)
	}
	return c, nil
}

// checkService rejects a scope signed for another service.
func (c credential) checkService(service string, malformed error) error {
	if c.service != service {
		return fmt.Errorf("%w: incorrect service %q, this endpoint belongs to %q", malformed, c.service, service)
	}
	return nil
}

// parseSignedHeaders splits "host;x-amz-date" and checks each name is a
// lower-case token listed once. host must be among them.
func parseSignedHeaders(s string, malformed error) ([]string, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: SignedHeaders is empty", malformed)
	}
	names := strings.Split(s, ";")
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if n == "" || !isLowerToken(n) {
			return nil, fmt.Errorf("%w: signed header name %q is not a lower-case token", malformed, n)
		}
		if seen[n] {
			return nil, fmt.Errorf("%w: signed header %q listed twice", malformed, n)
		}
		seen[n] = true
	}
	if !seen["host"] {
		return nil, fmt.Errorf("%w: host", ErrHeadersNotSigned)
	}
	return names, nil
}

func isLowerToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// decodeSignature parses 64 hex digits into the 32-byte signature.
func decodeSignature(s string, malformed error) ([]byte, error) {
	if len(s) != 64 {
		return nil, fmt.Errorf("%w: signature must be 64 hex digits", malformed)
	}
	sig := make([]byte, 32)
	for i := 0; i < 32; i++ {
		hi, ok1 := hexValue(s[2*i])
		lo, ok2 := hexValue(s[2*i+1])
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%w: signature must be 64 hex digits", malformed)
		}
		sig[i] = hi<<4 | lo
	}
	return sig, nil
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
