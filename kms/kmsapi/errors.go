package kmsapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/kms"
	"github.com/cofferlabs/coffer/sigv4"
)

// apiError is a failure as the client sees it: HTTP status, error type
// ("__type") and public message.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// Protocol-level error types (the KMS domain's are in package kms).
const (
	codeUnknownOperation           = "UnknownOperationException"
	codeSerialization              = "SerializationException"
	codeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	codeUnrecognizedClient         = "UnrecognizedClientException"
	codeInvalidSignature           = "InvalidSignatureException"
	codeIncompleteSignature        = "IncompleteSignatureException"
	codeRequestEntityTooLarge      = "RequestEntityTooLargeException"
)

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// internalError is all a client learns of a failure that is not its own.
var internalError = &apiError{status: http.StatusInternalServerError, code: kms.CodeInternal, message: "We encountered an internal error. Please try again."}

// serverErrors are the KMS error types that are the server's fault.
var serverErrors = map[string]bool{
	kms.CodeInternal:             true,
	"KeyUnavailableException":    true,
	"DependencyTimeoutException": true,
}

// toAPIError classifies any error of a request. internal reports whether
// it is a server failure whose detail must be logged, not shown.
func toAPIError(err error) (e *apiError, internal bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae, false
	}
	var ke *coffer.KMSError
	if errors.As(err, &ke) {
		status := http.StatusBadRequest
		if serverErrors[ke.Code] {
			status = http.StatusInternalServerError
		}
		return &apiError{status: status, code: ke.Code, message: ke.Message}, false
	}
	return internalError, true
}

// authError maps a sigv4 failure to the error AWS's JSON services answer.
func authError(err error, r *http.Request, v *sigv4.Verifier) *apiError {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge), errors.Is(err, sigv4.ErrPayloadTooLarge):
		return &apiError{status: http.StatusRequestEntityTooLarge, code: codeRequestEntityTooLarge, message: fmt.Sprintf("Request body must be at most %d bytes.", MaxRequestBody)}
	case errors.Is(err, sigv4.ErrInvalidAccessKeyID):
		return &apiError{status: http.StatusBadRequest, code: codeUnrecognizedClient, message: "The security token included in the request is invalid."}
	case errors.Is(err, sigv4.ErrSignatureDoesNotMatch), errors.Is(err, sigv4.ErrContentSHA256Mismatch), errors.Is(err, sigv4.ErrInvalidContentSHA256):
		return &apiError{status: http.StatusBadRequest, code: codeInvalidSignature, message: msgSignatureMismatch}
	case errors.Is(err, sigv4.ErrRequestTimeTooSkewed):
		return &apiError{status: http.StatusBadRequest, code: codeInvalidSignature, message: skewMessage(r, v)}
	case errors.Is(err, sigv4.ErrRequestExpired):
		return &apiError{status: http.StatusBadRequest, code: codeInvalidSignature, message: "Signature expired: the presigned request is past its X-Amz-Expires."}
	case errors.Is(err, sigv4.ErrMissingDate):
		return &apiError{status: http.StatusBadRequest, code: codeIncompleteSignature, message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."}
	}
	if isSigv4Error(err) {
		return &apiError{status: http.StatusBadRequest, code: codeIncompleteSignature, message: publicDetail(err)}
	}
	return &apiError{status: http.StatusBadRequest, code: codeSerialization, message: "The request body could not be read."}
}

// isSigv4Error reports whether err is one of sigv4's sentinels.
func isSigv4Error(err error) bool {
	for _, s := range []error{sigv4.ErrAuthorizationHeaderMalformed, sigv4.ErrAuthorizationQueryMalformed, sigv4.ErrHeadersNotSigned,
		sigv4.ErrUnsupportedAlgorithm, sigv4.ErrMalformedChunk, sigv4.ErrIncompleteBody, sigv4.ErrMissingContentLength, sigv4.ErrMissingContentSHA256} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// publicDetail is sigv4's description of a malformed signature (it names
// the offending part, truncated, and never a secret) as a sentence.
func publicDetail(err error) string {
	s := strings.TrimPrefix(err.Error(), "sigv4: ")
	if s == "" {
		return "The request signature is incomplete."
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// skewMessage is AWS's text for a request signed too far from now.
func skewMessage(r *http.Request, v *sigv4.Verifier) string {
	const layout = "20060102T150405Z"
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	now = now.UTC()
	skew := v.MaxSkew
	if skew <= 0 {
		skew = sigv4.DefaultMaxSkew
	}
	minutes := int(skew / time.Minute)
	signed, err := time.Parse(layout, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "Signature expired: the request time is too far from the server time."
	}
	if signed.After(now) {
		return fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)", signed.Format(layout), now.Add(skew).Format(layout), now.Format(layout), minutes)
	}
	return fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)", signed.Format(layout), now.Add(-skew).Format(layout), now.Format(layout), minutes)
}

// writeError is the one error renderer: {"__type", "message"} with the
// type in X-Amzn-ErrorType too. An empty message is left out, as AWS
// does (InvalidCiphertextException).
func writeError(w http.ResponseWriter, e *apiError) {
	body := []byte(`{"__type":` + quoteJSON(e.code))
	if e.message != "" {
		body = append(body, `,"message":`+quoteJSON(e.message)...)
	}
	body = append(body, '}')
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}
