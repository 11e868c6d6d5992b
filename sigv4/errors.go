package sigv4

import "errors"

// Sentinel errors. Verify wraps them with detail (never secrets); front ends
// match them with errors.Is and map each to one S3 error code.
var (
	ErrInvalidAccessKeyID           = errors.New("sigv4: the access key id does not exist")
	ErrSignatureDoesNotMatch        = errors.New("sigv4: the request signature does not match")
	ErrRequestExpired               = errors.New("sigv4: the presigned request has expired")
	ErrRequestTimeTooSkewed         = errors.New("sigv4: the request time is too far from the server time")
	ErrAuthorizationHeaderMalformed = errors.New("sigv4: the Authorization header is malformed")
	ErrAuthorizationQueryMalformed  = errors.New("sigv4: the authorization query parameters are malformed")
	ErrMissingDate                  = errors.New("sigv4: the request has no valid x-amz-date or Date header")
	ErrHeadersNotSigned             = errors.New("sigv4: headers present in the request are not signed")
	ErrUnsupportedAlgorithm         = errors.New("sigv4: unsupported authorization algorithm")
	ErrInvalidContentSHA256         = errors.New("sigv4: x-amz-content-sha256 is not a valid value")
	ErrMissingContentSHA256         = errors.New("sigv4: the x-amz-content-sha256 header is required")
	ErrContentSHA256Mismatch        = errors.New("sigv4: the body does not match x-amz-content-sha256")
	ErrPayloadTooLarge              = errors.New("sigv4: the request body is too large to hash for signing")
	ErrMalformedChunk               = errors.New("sigv4: malformed aws-chunked body")
	ErrIncompleteBody               = errors.New("sigv4: the aws-chunked body length differs from x-amz-decoded-content-length")
	ErrMissingContentLength         = errors.New("sigv4: a valid x-amz-decoded-content-length header is required")
)

// SignatureError is a signature mismatch with what S3 reports back to help
// the client debug its signer. It holds no secret. A SigV4 string to sign
// carries only a hash of the canonical request; a SigV2 one is the string
// itself, with the client's own Content-MD5, Content-Type, date and x-amz-*
// values, except that SSE-C keys and session tokens read "<redacted>".
type SignatureError struct {
	AccessKey         string
	StringToSign      string
	SignatureProvided string
}

func (e *SignatureError) Error() string { return ErrSignatureDoesNotMatch.Error() }

// Unwrap makes errors.Is(err, ErrSignatureDoesNotMatch) hold.
func (e *SignatureError) Unwrap() error { return ErrSignatureDoesNotMatch }
