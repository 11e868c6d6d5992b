package iamapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cofferlabs/coffer/iam"
	"github.com/cofferlabs/coffer/sigv4"
)

// apiError is a failure as the client sees it.
type apiError struct {
	code    string
	status  int
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// The codes this API answers, with AWS's HTTP status for each. The
// renderer takes the status from here, so a code cannot be sent with
// another status.
const (
	codeNoSuchEntity          = "NoSuchEntity"
	codeEntityAlreadyExists   = "EntityAlreadyExists"
	codeDeleteConflict        = "DeleteConflict"
	codeLimitExceeded         = "LimitExceeded"
	codeValidation            = "ValidationError"
	codeMalformedPolicy       = "MalformedPolicyDocument"
	codeAccessDenied          = "AccessDenied"
	codeInvalidAction         = "InvalidAction"
	codeMissingAction         = "MissingAction"
	codeMissingParameter      = "MissingParameter"
	codeInvalidParameterValue = "InvalidParameterValue"
	codeMalformedQueryString  = "MalformedQueryString"
	codeInvalidClientTokenID  = "InvalidClientTokenId"
	codeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	codeIncompleteSignature   = "IncompleteSignature"
	codeMissingAuthToken      = "MissingAuthenticationToken"
	codeRequestTooLarge       = "RequestEntityTooLarge"
	codeServiceFailure        = "ServiceFailure"
)

var statuses = map[string]int{
	codeNoSuchEntity:          http.StatusNotFound,
	codeEntityAlreadyExists:   http.StatusConflict,
	codeDeleteConflict:        http.StatusConflict,
	codeLimitExceeded:         http.StatusConflict,
	codeValidation:            http.StatusBadRequest,
	codeMalformedPolicy:       http.StatusBadRequest,
	codeAccessDenied:          http.StatusForbidden,
	codeInvalidAction:         http.StatusBadRequest,
	codeMissingAction:         http.StatusBadRequest,
	codeMissingParameter:      http.StatusBadRequest,
	codeInvalidParameterValue: http.StatusBadRequest,
	codeMalformedQueryString:  http.StatusNotFound,
	codeInvalidClientTokenID:  http.StatusForbidden,
	codeSignatureDoesNotMatch: http.StatusForbidden,
	codeIncompleteSignature:   http.StatusBadRequest,
	codeMissingAuthToken:      http.StatusForbidden,
	codeRequestTooLarge:       http.StatusRequestEntityTooLarge,
	codeServiceFailure:        http.StatusInternalServerError,
}

func newError(code, format string, args ...any) *apiError {
	return &apiError{code: code, status: statuses[code], message: fmt.Sprintf(format, args...)}
}

// internalError is all a client learns of a failure that is not its own.
var internalError = newError(codeServiceFailure, "The request processing has failed because of an unknown error, exception or failure.")

// domainErrors maps package iam's sentinels to codes, in the order they
// are tried.
var domainErrors = []struct {
	err  error
	code string
}{
	{iam.ErrNoSuchEntity, codeNoSuchEntity},
	{iam.ErrEntityAlreadyExists, codeEntityAlreadyExists},
	{iam.ErrDeleteConflict, codeDeleteConflict},
	{iam.ErrLimitExceeded, codeLimitExceeded},
	{iam.ErrValidation, codeValidation},
	{iam.ErrMalformedPolicy, codeMalformedPolicy},
}

// toAPIError classifies any error of an operation. internal reports a
// server failure whose detail must be logged, not shown.
func toAPIError(err error) (e *apiError, internal bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae, false
	}
	var ie *iam.Error
	if errors.As(err, &ie) {
		for _, m := range domainErrors {
			if errors.Is(err, m.err) {
				return &apiError{code: m.code, status: statuses[m.code], message: ie.Message}, false
			}
		}
	}
	return internalError, true
}

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// authErrors maps sigv4's failures, most specific first; the rest are
// malformed signatures, whose sigv4 text names the fault and never holds
// a secret.
var authErrors = []struct {
	err     error
	code    string
	message string
}{
	{sigv4.ErrInvalidAccessKeyID, codeInvalidClientTokenID, "The security token included in the request is invalid."},
	{sigv4.ErrSignatureDoesNotMatch, codeSignatureDoesNotMatch, msgSignatureMismatch},
	{sigv4.ErrContentSHA256Mismatch, codeSignatureDoesNotMatch, msgSignatureMismatch},
	{sigv4.ErrInvalidContentSHA256, codeSignatureDoesNotMatch, msgSignatureMismatch},
	{sigv4.ErrRequestExpired, codeSignatureDoesNotMatch, "Signature expired: the presigned request is past its X-Amz-Expires."},
	{sigv4.ErrMissingDate, codeIncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."},
}

func authError(err error, r *http.Request, v *sigv4.Verifier) *apiError {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge), errors.Is(err, sigv4.ErrPayloadTooLarge):
		return newError(codeRequestTooLarge, "Request body must be at most %d bytes.", MaxRequestBody)
	case errors.Is(err, sigv4.ErrRequestTimeTooSkewed):
		return newError(codeSignatureDoesNotMatch, "%s", skewMessage(r, v))
	}
	for _, m := range authErrors {
		if errors.Is(err, m.err) {
			return newError(m.code, "%s", m.message)
		}
	}
	if s, ok := strings.CutPrefix(err.Error(), "sigv4: "); ok && s != "" {
		return newError(codeIncompleteSignature, "%s.", strings.ToUpper(s[:1])+s[1:])
	}
	return newError(codeMalformedQueryString, "The request body could not be read.")
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
	signed, err := time.Parse(layout, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "Signature expired: the request time is too far from the server time."
	}
	minutes := int(skew / time.Minute)
	if signed.After(now) {
		return fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)",
			signed.Format(layout), now.Add(skew).Format(layout), now.Format(layout), minutes)
	}
	return fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)",
		signed.Format(layout), now.Add(-skew).Format(layout), now.Format(layout), minutes)
}
