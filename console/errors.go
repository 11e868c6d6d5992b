package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// apiError is an error of the console's own endpoints as the browser sees
// it: {"error": Code, "message": Message} with Status. Proxied calls never
// produce one once forwarded: the API's own answer passes through.
type apiError struct {
	Status  int
	Code    string
	Message string

	allow       []string      // the Allow header of a 405
	retryAfter  time.Duration // the Retry-After header of a 429
	clearCookie bool          // the session is gone: tell the browser to drop the cookie
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// with returns a copy of e with another message.
func (e *apiError) with(message string) *apiError {
	c := *e
	c.Message = message
	return &c
}

// The console's errors: each code has one status.
var (
	errNotSignedIn = &apiError{Status: http.StatusUnauthorized, Code: "NotSignedIn",
		Message: "Sign in first."}
	errSessionExpired = &apiError{Status: http.StatusUnauthorized, Code: "NotSignedIn",
		Message: "The session has expired; sign in again.", clearCookie: true}
	errInvalidCredentials = &apiError{Status: http.StatusUnauthorized, Code: "InvalidCredentials",
		Message: "The access key ID or the secret access key is not valid."}
	errInvalidCSRF = &apiError{Status: http.StatusForbidden, Code: "InvalidCSRFToken",
		Message: "The " + CSRFHeader + " header is missing or does not match the session."}
	errCrossOrigin = &apiError{Status: http.StatusForbidden, Code: "CrossOriginRequest",
		Message: "Cross-origin requests that change state are refused."}
	errTooManySignIns = &apiError{Status: http.StatusTooManyRequests, Code: "TooManyRequests",
		Message: "Too many sign-in attempts from this address; wait and try again."}
	errMalformedJSON = &apiError{Status: http.StatusBadRequest, Code: "MalformedJSON",
		Message: `The body must be one JSON object: {"accessKeyId": "...", "secretAccessKey": "..."}.`}
	errMissingCredentials = &apiError{Status: http.StatusBadRequest, Code: "MissingCredentials",
		Message: "Both accessKeyId and secretAccessKey are required."}
	errUnsupportedMediaType = &apiError{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType",
		Message: "The body must be JSON (Content-Type: application/json)."}
	errRequestTooLarge = &apiError{Status: http.StatusRequestEntityTooLarge, Code: "RequestTooLarge",
		Message: "The request body is too large."}
	errMethodNotAllowed = &apiError{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed",
		Message: "The method is not allowed here."}
	errNotFound = &apiError{Status: http.StatusNotFound, Code: "NotFound",
		Message: "There is nothing here."}
	errUnknownService = &apiError{Status: http.StatusBadRequest, Code: "UnknownService",
		Message: "The service must be one of s3, kms, iam, sts and cloudtrail."}
	errInvalidPath = &apiError{Status: http.StatusBadRequest, Code: "InvalidPath",
		Message: "The path is not allowed."}
	errIncompleteBody = &apiError{Status: http.StatusBadRequest, Code: "IncompleteBody",
		Message: "The request body could not be read."}
	errInvalidQuery = &apiError{Status: http.StatusBadRequest, Code: "InvalidQuery",
		Message: "The query string is not allowed."}
	errInvalidTarget = &apiError{Status: http.StatusBadRequest, Code: "InvalidTarget",
		Message: "The X-Amz-Target header does not name an operation of this service."}
	errRouterUnavailable = &apiError{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable",
		Message: "The console is starting; try again."}
	errInternal = &apiError{Status: http.StatusInternalServerError, Code: "InternalError",
		Message: "An internal error occurred."}
)

// errorCodes lists every error above, so that tests can check the table is
// consistent (one status per code).
var errorCodes = []*apiError{
	errNotSignedIn, errSessionExpired, errInvalidCredentials, errInvalidCSRF, errCrossOrigin,
	errTooManySignIns, errMalformedJSON, errMissingCredentials, errUnsupportedMediaType,
	errRequestTooLarge, errMethodNotAllowed, errNotFound, errUnknownService, errInvalidPath,
	errIncompleteBody, errInvalidQuery, errInvalidTarget, errRouterUnavailable, errInternal,
}

func methodNotAllowed(allowed ...string) *apiError {
	e := errMethodNotAllowed.with("The method is not allowed here; use " + strings.Join(allowed, ", ") + ".")
	e.allow = allowed
	return e
}

// renderError is the one place console errors are written. Anything that
// is not an *apiError is an internal failure: logged, answered with a
// generic 500.
func (c *Console) renderError(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		c.log.Error("console request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = errInternal
	}
	h := w.Header()
	if len(e.allow) > 0 {
		h.Set("Allow", strings.Join(e.allow, ", "))
	}
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((e.retryAfter+time.Second-1)/time.Second)))
	}
	if e.clearCookie {
		http.SetCookie(w, expiredCookie(r))
	}
	writeJSON(w, e.Status, errorBody{Error: e.Code, Message: e.Message})
}

type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// writeJSON writes one of the console's own JSON answers: never cached,
// never sniffed, never sent along as a referrer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// The console's bodies are fixed structs of strings: unreachable.
		body, status = []byte(`{"error":"InternalError","message":"An internal error occurred."}`), http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	setCommonHeaders(h)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// setCommonHeaders are the headers of every console response of its own.
func setCommonHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}
