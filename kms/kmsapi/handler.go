package kmsapi

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/internal/apimetrics"
	"github.com/cofferlabs/coffer/kms"
	"github.com/cofferlabs/coffer/sigv4"
)

const contentType = "application/x-amz-json-1.1"

type handler struct {
	api      *kms.API
	verifier *sigv4.Verifier
	identify func(accessKey string) (coffer.Principal, bool)
	logger   *slog.Logger
	metrics  *apimetrics.Requests
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", requestID)
	opName, status, errType := h.serve(w, r, requestID)
	h.metrics.Observe(opName, status, errType, time.Since(start).Seconds())
}

// serve answers one request and reports the operation, status and error
// type for the metrics.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, requestID string) (opName string, status int, errType string) {
	opName = "unknown"
	fail := func(e *apiError) (string, int, string) {
		writeError(w, e)
		return opName, e.status, e.code
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		w.Header().Set("Allow", http.MethodPost)
		return fail(&apiError{status: http.StatusMethodNotAllowed, code: codeUnknownOperation, message: "The KMS API takes POST / only."})
	}
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	op := operations[name]
	if !ok || op == nil {
		return fail(&apiError{status: http.StatusBadRequest, code: codeUnknownOperation, message: "Unknown operation: X-Amz-Target must be TrentService.<Operation>."})
	}
	opName = name
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		return fail(&apiError{status: http.StatusBadRequest, code: codeSerialization, message: "Content-Type must be " + contentType + "."})
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBody)
	auth, err := h.verifier.Verify(r, "kms")
	if err != nil {
		return fail(authError(err, r, h.verifier))
	}
	if auth.Anonymous {
		return fail(&apiError{status: http.StatusForbidden, code: codeMissingAuthenticationToken, message: "Missing Authentication Token"})
	}
	principal, ok := h.identify(auth.AccessKey)
	if !ok {
		return fail(&apiError{status: http.StatusBadRequest, code: codeUnrecognizedClient, message: "The security token included in the request is invalid."})
	}
	body, err := io.ReadAll(auth.Body)
	if err != nil {
		return fail(authError(err, r, h.verifier))
	}
	ctx := coffer.WithRequestInfo(coffer.WithPrincipal(r.Context(), principal), requestInfo(r, requestID))
	out, err := op(ctx, h.api, body)
	if err != nil {
		e, internal := toAPIError(err)
		if internal {
			h.logger.ErrorContext(ctx, "kms request failed", "op", opName, "request_id", requestID, "err", err)
		}
		return fail(e)
	}
	payload, err := encode(out)
	if err != nil {
		h.logger.ErrorContext(ctx, "kms response encoding failed", "op", opName, "request_id", requestID, "err", err)
		return fail(internalError)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(payload)
	return opName, http.StatusOK, ""
}

// requestInfo completes what the transport middleware put in the context
// (source IP, TLS) with this request's id, user agent and signature
// version; without the middleware the source is the peer address.
func requestInfo(r *http.Request, requestID string) coffer.RequestInfo {
	info := coffer.RequestInfoFrom(r.Context())
	info.RequestID = requestID
	info.UserAgent = r.UserAgent()
	info.SignatureVersion = 4
	info.ViaService = "" // an HTTP caller is never another Coffer service
	if r.TLS != nil {
		info.SecureTransport = true
	}
	if info.SourceIP == "" {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			info.SourceIP = host
		}
	}
	return info
}
