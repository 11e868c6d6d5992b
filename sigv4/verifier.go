package sigv4

import (
	"crypto/hmac"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// DefaultMaxSkew is how far a request's time may be from the server's.
const DefaultMaxSkew = 15 * time.Minute

// Verifier checks SigV4 signatures, and SigV2 ones for S3. Its zero value
// rejects every signed request (no secrets); it is safe for concurrent use.
type Verifier struct {
	// Secret returns the secret key of an access key; !ok means unknown.
	Secret func(accessKey string) (secret string, ok bool)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxSkew bounds the distance between request and server time;
	// 0 means DefaultMaxSkew.
	MaxSkew time.Duration
	// Domains are the virtual-hosted-style base domains: a Host of
	// <bucket>.<domain> names the bucket. Only SigV2 uses them (its
	// signature covers "/bucket/key", not the Host; SigV4 signs the Host
	// itself). They must be exactly the front end's list (s3api
	// Config.Domains): otherwise virtual-hosted SigV2 requests fail, or a
	// signature made for one resource verifies on a request for another.
	Domains []string
}

// SignatureVersion says which AWS signature scheme authenticated a request.
type SignatureVersion int

// Signature versions; the zero value means an anonymous request.
const (
	SignatureV2 SignatureVersion = 2 // HMAC-SHA1, S3 only; never signs the payload
	SignatureV4 SignatureVersion = 4
)

// Auth is the outcome of a successful Verify.
type Auth struct {
	AccessKey string // "" when Anonymous
	Region    string // the credential scope's region; "" for SigV2
	Anonymous bool
	Presigned bool
	// SignatureVersion is SignatureV4 or SignatureV2; 0 when Anonymous.
	// Callers refuse SigV2 where S3 does (SSE-KMS).
	SignatureVersion SignatureVersion
	// PayloadSHA256 is the lower-case hex digest the body must hash to,
	// when the client signed one; "" for unsigned, streaming and already
	// verified (buffered) bodies.
	PayloadSHA256 string
	// Body is what the caller reads instead of r.Body. For aws-chunked
	// requests it strips the framing and verifies chunk and trailer
	// signatures; any failure is an error from Read, never io.EOF. Nothing
	// read may be committed before Read returns io.EOF.
	Body io.ReadCloser
	// DecodedLength is x-amz-decoded-content-length for aws-chunked
	// bodies, else r.ContentLength (-1 when unknown).
	DecodedLength int64
	// Trailer returns a trailing header by lower-case name ("" if absent);
	// values are known once Body has returned io.EOF. Never nil.
	Trailer func(name string) string
}

// Verify authenticates r for service ("s3", "kms", ...). It handles the
// Authorization header (AWS4-HMAC-SHA256), presigned query parameters and
// anonymous requests (no credentials at all). Any region is accepted in the
// credential scope; its service must equal service. For service "s3" only,
// it also accepts SigV2: "Authorization: AWS AccessKeyId:Signature" and
// AWSAccessKeyId/Signature/Expires query parameters. Errors wrap this
// package's sentinels.
func (v *Verifier) Verify(r *http.Request, service string) (*Auth, error) {
	path, rawQuery := requestTarget(r)
	query := parseQuery(rawQuery)
	headers := r.Header.Values("Authorization")
	presigned := hasParam(query, "X-Amz-Algorithm") || hasParam(query, "X-Amz-Credential") || hasParam(query, "X-Amz-Signature")
	switch {
	case len(headers) > 0 && presigned:
		return nil, fmt.Errorf("%w: only one auth mechanism allowed, the Authorization header or the X-Amz-Algorithm query parameter", ErrAuthorizationQueryMalformed)
	case len(headers) > 1:
		return nil, fmt.Errorf("%w: more than one Authorization header", ErrAuthorizationHeaderMalformed)
	case len(headers) == 1 && isV2Authorization(headers[0]):
		return v.verifyV2Header(r, service, headers[0], path, query)
	case len(headers) == 1:
		return v.verifyHeader(r, service, headers[0], path, query)
	case presigned:
		return v.verifyPresigned(r, service, path, query)
	case hasV2QueryAuth(query):
		return v.verifyV2Query(r, service, path, query)
	}
	return anonymous(r)
}

func (v *Verifier) verifyHeader(r *http.Request, service, header, path string, query []queryParam) (*Auth, error) {
	authz, err := parseAuthorization(header)
	if err != nil {
		return nil, err
	}
	if err := authz.cred.checkService(service, ErrAuthorizationHeaderMalformed); err != nil {
		return nil, err
	}
	when, amzDate, dateHeader, err := requestTime(r)
	if err != nil {
		return nil, err
	}
	if amzDate[:len(dateFormat)] != authz.cred.date {
		return nil, fmt.Errorf("%w: credential date %s is not the date of %s", ErrAuthorizationHeaderMalformed, authz.cred.date, dateHeader)
	}
	if !slices.Contains(authz.signedHeaders, dateHeader) {
		return nil, fmt.Errorf("%w: %s", ErrHeadersNotSigned, dateHeader)
	}
	secret, err := v.secret(authz.cred.accessKey)
	if err != nil {
		return nil, err
	}
	if err := v.checkSkew(when); err != nil {
		return nil, err
	}
	a := &Auth{AccessKey: authz.cred.accessKey, Region: authz.cred.region, SignatureVersion: SignatureV4}
	payload, mode, buffered, err := headerPayload(r, service)
	if err != nil {
		return nil, err
	}
	sig, key, err := v.checkSignature(r, secret, authz.cred, amzDate, path, canonicalQuery(query, ""), authz.signedHeaders, payload, authz.signature)
	if err != nil {
		return nil, err
	}
	return finish(r, a, service, payload, mode, buffered, &chunkSigner{key: key, amzDate: amzDate, scope: authz.cred.scope(), seed: sig})
}

func (v *Verifier) verifyPresigned(r *http.Request, service, path string, query []queryParam) (*Auth, error) {
	p, err := parsePresign(query)
	if err != nil {
		return nil, err
	}
	if err := p.cred.checkService(service, ErrAuthorizationQueryMalformed); err != nil {
		return nil, err
	}
	secret, err := v.secret(p.cred.accessKey)
	if err != nil {
		return nil, err
	}
	now := v.now()
	if p.when.After(now.Add(v.maxSkew())) {
		return nil, fmt.Errorf("%w: the presigned request is dated in the future", ErrRequestTimeTooSkewed)
	}
	if now.After(p.when.Add(p.expires)) {
		return nil, ErrRequestExpired
	}
	if err := checkUnsignedHeaders(r, p.signedHeaders); err != nil {
		return nil, err
	}
	a := &Auth{AccessKey: p.cred.accessKey, Region: p.cred.region, Presigned: true, SignatureVersion: SignatureV4}
	payload, mode, buffered, err := presignedPayload(r, service, query)
	if err != nil {
		return nil, err
	}
	sig, key, err := v.checkSignature(r, secret, p.cred, p.amzDate, path, canonicalQuery(query, "X-Amz-Signature"), p.signedHeaders, payload, p.signature)
	if err != nil {
		return nil, err
	}
	return finish(r, a, service, payload, mode, buffered, &chunkSigner{key: key, amzDate: p.amzDate, scope: p.cred.scope(), seed: sig})
}

// checkSignature recomputes the request signature and compares it with the
// one sent in constant time. It returns the signature and signing key that
// chunk signatures chain from.
func (v *Verifier) checkSignature(r *http.Request, secret string, c credential, amzDate, path, query string, signed []string, payload string, provided []byte) ([]byte, []byte, error) {
	canonical := canonicalRequest(r.Method, path, query, canonicalHeaders(r, signed), signed, payload)
	sts := stringToSign(amzDate, c.scope(), canonical)
	key := signingKeys.get(secret, c.date, c.region, c.service)
	expected := hmacSHA256(key, sts)
	if !hmac.Equal(expected, provided) {
		return nil, nil, &SignatureError{AccessKey: c.accessKey, StringToSign: sts, SignatureProvided: fmt.Sprintf("%x", provided)}
	}
	return expected, key, nil
}

// finish sets the body the caller reads once the signature holds. A body
// buffered to compute the payload hash is already proven by the signature.
func finish(r *http.Request, a *Auth, service, payload string, mode payloadMode, buffered []byte, signer *chunkSigner) (*Auth, error) {
	if buffered != nil {
		bufferedAuth(a, r, buffered)
		return a, nil
	}
	if service != "s3" && mode == payloadDigest {
		// Non-S3 services have no body reader that checks the digest:
		// check it here, on a body small enough to hold.
		_, b, err := bufferBody(r)
		if err != nil {
			return nil, err
		}
		if !sameDigest(sha256Hex(b), payload) {
			return nil, ErrContentSHA256Mismatch
		}
		bufferedAuth(a, r, b)
		return a, nil
	}
	if mode == payloadDigest {
		a.PayloadSHA256 = payload
	}
	if err := streamBody(r, mode, signer, a); err != nil {
		return nil, err
	}
	return a, nil
}

// headerPayload decides the payload hash of a header-signed request. S3
// clients always send x-amz-content-sha256; other services' clients sign the
// body's digest without sending it, so the body is read and hashed here
// (buffered is then non-nil).
func headerPayload(r *http.Request, service string) (payload string, mode payloadMode, buffered []byte, err error) {
	if v := r.Header.Get("X-Amz-Content-Sha256"); v != "" {
		mode, err = parsePayload(v)
		if err != nil {
			return "", 0, nil, err
		}
		if service != "s3" && mode != payloadDigest {
			return "", 0, nil, fmt.Errorf("%w: service %s takes only a hex digest", ErrInvalidContentSHA256, service)
		}
		return v, mode, nil, nil
	}
	if service == "s3" {
		return "", 0, nil, ErrMissingContentSHA256
	}
	digest, b, err := bufferBody(r)
	if err != nil {
		return "", 0, nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return digest, payloadDigest, b, nil
}

// presignedPayload takes x-amz-content-sha256 from the header, then the
// query; without either S3 presigned requests are UNSIGNED-PAYLOAD and other
// services sign the body's digest.
func presignedPayload(r *http.Request, service string, query []queryParam) (string, payloadMode, []byte, error) {
	if r.Header.Get("X-Amz-Content-Sha256") != "" {
		return headerPayload(r, service)
	}
	for _, name := range []string{"X-Amz-Content-Sha256", "x-amz-content-sha256"} {
		if v, ok := param(query, name); ok {
			mode, err := parsePayload(v)
			if err != nil {
				return "", 0, nil, err
			}
			if service != "s3" && mode != payloadDigest {
				return "", 0, nil, fmt.Errorf("%w: service %s takes only a hex digest", ErrInvalidContentSHA256, service)
			}
			return v, mode, nil, nil
		}
	}
	if service == "s3" {
		return UnsignedPayload, payloadUnsigned, nil, nil
	}
	return headerPayload(r, service)
}

// anonymous admits a request with no credentials.
func anonymous(r *http.Request) (*Auth, error) {
	a := &Auth{Anonymous: true}
	if err := unsignedBody(r, a); err != nil {
		return nil, err
	}
	return a, nil
}

// unsignedBody sets the body of a request whose payload no SigV4 signature
// covers (anonymous, SigV2): it may still carry a digest to check or
// unsigned aws-chunked framing to strip, never chunk signatures.
func unsignedBody(r *http.Request, a *Auth) error {
	mode := payloadUnsigned
	if v := r.Header.Get("X-Amz-Content-Sha256"); v != "" {
		var err error
		if mode, err = parsePayload(v); err != nil {
			return err
		}
		if mode.signedChunks() {
			return fmt.Errorf("%w: signed chunks need a SigV4 signature", ErrInvalidContentSHA256)
		}
		if mode == payloadDigest {
			a.PayloadSHA256 = v
		}
	}
	return streamBody(r, mode, nil, a)
}

// requestTime reads x-amz-date (ISO 8601 basic), else Date (HTTP date). It
// returns the time, its ISO 8601 basic form and the header it came from.
func requestTime(r *http.Request) (time.Time, string, string, error) {
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(timeFormat, v)
		if err != nil {
			return time.Time{}, "", "", fmt.Errorf("%w: x-amz-date %q is not YYYYMMDDTHHMMSSZ", ErrMissingDate, truncate(v, 32))
		}
		return t, v, "x-amz-date", nil
	}
	if v := r.Header.Get("Date"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return time.Time{}, "", "", fmt.Errorf("%w: Date %q is not an HTTP date", ErrMissingDate, truncate(v, 40))
		}
		t = t.UTC()
		return t, t.Format(timeFormat), "date", nil
	}
	return time.Time{}, "", "", ErrMissingDate
}

func (v *Verifier) secret(accessKey string) (string, error) {
	if v.Secret != nil {
		if s, ok := v.Secret(accessKey); ok {
			return s, nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrInvalidAccessKeyID, truncate(accessKey, 128))
}

func (v *Verifier) checkSkew(when time.Time) error {
	d := v.now().Sub(when)
	if d < 0 {
		d = -d
	}
	if d > v.maxSkew() {
		return fmt.Errorf("%w: request time %s", ErrRequestTimeTooSkewed, when.Format(time.RFC3339))
	}
	return nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}
