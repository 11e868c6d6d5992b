package sigv4

import (
	"fmt"
	"strings"
)

// authorization is a parsed "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." header.
type authorization struct {
	cred          credential
	signedHeaders []string
	signature     []byte
	signatureHex  string
}

// parseAuthorization is tolerant of spacing (any run of spaces after the
// algorithm and around commas) and strict about content: exactly the three
// components, each once, in any order.
func parseAuthorization(h string) (authorization, error) {
	const malformed = "%w: expected \"AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...\""
	alg, rest, _ := strings.Cut(h, " ")
	switch {
	case alg == algorithm:
	case alg == "":
		return authorization{}, fmt.Errorf(malformed, ErrAuthorizationHeaderMalformed)
	default:
		return authorization{}, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, truncate(alg, 32))
	}
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	for _, part := range strings.Split(rest, ",") {
		part = strings.Trim(part, " ")
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return authorization{}, fmt.Errorf(malformed, ErrAuthorizationHeaderMalformed)
		}
		var dst *string
		var seen *bool
		switch name {
		case "Credential":
			dst, seen = &cred, &haveCred
		case "SignedHeaders":
			dst, seen = &signed, &haveSigned
		case "Signature":
			dst, seen = &sig, &haveSig
		default:
			return authorization{}, fmt.Errorf("%w: unknown component %q", ErrAuthorizationHeaderMalformed, truncate(name, 32))
		}
		if *seen {
			return authorization{}, fmt.Errorf("%w: %s given twice", ErrAuthorizationHeaderMalformed, name)
		}
		*dst, *seen = value, true
	}
	if !haveCred || !haveSigned || !haveSig {
		return authorization{}, fmt.Errorf(malformed, ErrAuthorizationHeaderMalformed)
	}
	c, err := parseCredential(cred, ErrAuthorizationHeaderMalformed)
	if err != nil {
		return authorization{}, err
	}
	names, err := parseSignedHeaders(signed, ErrAuthorizationHeaderMalformed)
	if err != nil {
		return authorization{}, err
	}
	raw, err := decodeSignature(sig, ErrAuthorizationHeaderMalformed)
	if err != nil {
		return authorization{}, err
	}
	return authorization{cred: c, signedHeaders: names, signature: raw, signatureHex: sig}, nil
}

// truncate keeps client-supplied text in error messages short.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
