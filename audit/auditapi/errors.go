package auditapi

import (
	"errors"
	"net/http"

	"github.com/cofferlabs/coffer/audit"
	"github.com/cofferlabs/coffer/sigv4"
)

// apiError is an error as the client sees it.
type apiError struct {
	Code    string
	Status  int
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func clientError(code, message string) *apiError {
	return &apiError{Code: code, Status: http.StatusBadRequest, Message: message}
}

// Codes outside the model's LookupEvents errors: the AWS JSON protocol's
// common errors.
const (
	codeUnknownOperation  = "UnknownOperationException"
	codeSerialization     = "SerializationException"
	codeMissingToken      = "MissingAuthenticationTokenException"
	codeUnrecognized      = "UnrecognizedClientException"
	codeInvalidSignature  = "InvalidSignatureException"
	codeIncomplete        = "IncompleteSignatureException"
	codeAccessDenied      = "AccessDeniedException"
	codeInternal          = "InternalFailure"
	codeUnsupportedOp     = "UnsupportedOperationException"
	codeInvalidLookup     = "InvalidLookupAttributesException"
	codeInvalidTimeRange  = "InvalidTimeRangeException"
	codeInvalidMaxResults = "InvalidMaxResultsException"
	codeInvalidNextToken  = "InvalidNextTokenException"
	codeInvalidCategory   = "InvalidEventCategoryException"
)

// queryErrorCodes maps audit's query errors to the model's codes.
var queryErrorCodes = []struct {
	err  error
	code string
}{
	{audit.ErrInvalidLookupAttributes, codeInvalidLookup},
	{audit.ErrInvalidTimeRange, codeInvalidTimeRange},
	{audit.ErrInvalidMaxResults, codeInvalidMaxResults},
	{audit.ErrInvalidNextToken, codeInvalidNextToken},
}

func fromQueryError(err error) *apiError {
	var qe *audit.QueryError
	if !errors.As(err, &qe) {
		return nil
	}
	for _, m := range queryErrorCodes {
		if errors.Is(err, m.err) {
			return clientError(m.code, qe.Message)
		}
	}
	return nil
}

// authErrors maps sigv4's errors, most specific first.
var authErrors = []struct {
	err     error
	code    string
	message string
}{
	{sigv4.ErrInvalidAccessKeyID, codeUnrecognized, "The security token included in the request is invalid."},
	{sigv4.ErrSignatureDoesNotMatch, codeInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
	{sigv4.ErrContentSHA256Mismatch, codeInvalidSignature, "The request body does not match the payload hash that was signed."},
	{sigv4.ErrRequestExpired, codeInvalidSignature, "Signature expired: the presigned request has expired."},
	{sigv4.ErrRequestTimeTooSkewed, codeInvalidSignature, "Signature expired: the request time is too far from the server time."},
	{sigv4.ErrPayloadTooLarge, codeSerialization, "The request body is too large."},
}

func fromAuthError(err error) *apiError {
	for _, m := range authErrors {
		if errors.Is(err, m.err) {
			return clientError(m.code, m.message)
		}
	}
	// The rest are malformed or missing signature parts; sigv4's text says
	// which, and never holds a secret.
	return clientError(codeIncomplete, err.Error())
}
