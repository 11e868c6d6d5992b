package sigv4

import (
	"crypto/hmac"
	"crypto/sha1"
	"fmt"
	"net/http"
)

// v2Service is the only service that accepts SigV2: a SigV2 signature names
// no service, so accepting it elsewhere would let an S3 signature replay
// against KMS, IAM or the admin API.
const v2Service = "s3"

func acceptsV2(service string) error {
	if service != v2Service {
		return fmt.Errorf("%w: signature version 2 is accepted for s3 only", ErrUnsupportedAlgorithm)
	}
	return nil
}

// verifyV2Header checks "Authorization: AWS AccessKeyId:Signature" with a
// Date or x-amz-date within MaxSkew.
func (v *Verifier) verifyV2Header(r *http.Request, service, header, path string, query []queryParam) (*Auth, error) {
	if err := acceptsV2(service); err != nil {
		return nil, err
	}
	if hasV2QueryAuth(query) {
		return nil, fmt.Errorf("%w: only one auth mechanism allowed, the Authorization header or the AWSAccessKeyId query parameter", ErrAuthorizationQueryMalformed)
	}
	creds, err := parseV2Authorization(header)
	if err != nil {
		return nil, err
	}
	when, dateLine, err := v2RequestTime(r)
	if err != nil {
		return nil, err
	}
	secret, err := v.secret(creds.accessKey)
	if err != nil {
		return nil, err
	}
	if err := v.checkSkew(when); err != nil {
		return nil, err
	}
	req := newV2Request(r, v2HeaderForm, dateLine, path, query, v.Domains)
	if err := checkV2Signature(secret, creds, req); err != nil {
		return nil, err
	}
	return v2Auth(r, &Auth{AccessKey: creds.accessKey, SignatureVersion: SignatureV2})
}

// verifyV2Query checks a presigned URL: AWSAccessKeyId, Signature and
// Expires (Unix seconds; S3 sets no upper bound for SigV2).
func (v *Verifier) verifyV2Query(r *http.Request, service, path string, query []queryParam) (*Auth, error) {
	if err := acceptsV2(service); err != nil {
		return nil, err
	}
	p, err := parseV2Presign(query)
	if err != nil {
		return nil, err
	}
	secret, err := v.secret(p.accessKey)
	if err != nil {
		return nil, err
	}
	if v.now().Unix() > p.expires {
		return nil, ErrRequestExpired
	}
	req := newV2Request(r, v2QueryForm, p.expiresText, path, query, v.Domains)
	if err := checkV2Signature(secret, p.v2Credentials, req); err != nil {
		return nil, err
	}
	return v2Auth(r, &Auth{AccessKey: p.accessKey, Presigned: true, SignatureVersion: SignatureV2})
}

// checkV2Signature compares Base64(HMAC-SHA1(secret, string to sign)) with
// the signature sent, in constant time.
func checkV2Signature(secret string, creds v2Credentials, req v2Request) error {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(req.stringToSign()))
	if !hmac.Equal(mac.Sum(nil), creds.signature) {
		return &SignatureError{AccessKey: creds.accessKey, StringToSign: req.redactedStringToSign(), SignatureProvided: truncate(creds.signatureText, 128)}
	}
	return nil
}

// v2Auth sets the body: SigV2 never signs the payload, so it is handled as
// on an anonymous request (a signed x-amz-content-sha256 digest, if sent,
// is still checked by the body reader).
func v2Auth(r *http.Request, a *Auth) (*Auth, error) {
	if err := unsignedBody(r, a); err != nil {
		return nil, err
	}
	return a, nil
}
