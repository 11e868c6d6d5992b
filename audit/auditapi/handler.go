package auditapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cofferlabs/coffer/audit"
	"github.com/cofferlabs/coffer/sigv4"
	"github.com/google/uuid"
)

// CloudTrail's X-Amz-Target is <prefix><Operation>. botocore (the aws CLI,
// boto3) sends the model's targetPrefix, TargetPrefix; aws-sdk-go-v2 sends
// the Smithy service name alone, ShortTargetPrefix. SigningService is the
// SigV4 service name clients sign for.
const (
	TargetPrefix      = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
	ShortTargetPrefix = "CloudTrail_20131101."
	SigningService    = "cloudtrail"
	contentType       = "application/x-amz-json-1.1"
	maxRequestBody    = 1 << 20
)

// Config wires the handler.
type Config struct {
	Log      *audit.Log
	Verifier *sigv4.Verifier
	// Region and AccountID name the trail in messages.
	Region    string
	AccountID string
	Logger    *slog.Logger // nil means slog.Default()
	// Authorize decides whether an authenticated access key may read the
	// trail; its error's text goes to the client as AccessDeniedException.
	// nil allows any valid key.
	Authorize func(ctx context.Context, accessKey string) error
}

type handler struct {
	cfg Config
	log *slog.Logger
}

// New returns the CloudTrail API handler. The caller routes to it the
// POST / requests for which IsTarget(X-Amz-Target) holds.
func New(cfg Config) http.Handler {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &handler{cfg: cfg, log: log}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", requestID)
	body, accessKey, apiErr := h.authenticate(r)
	if apiErr == nil {
		apiErr = h.serve(w, r, body, accessKey)
	}
	if apiErr != nil {
		if apiErr.Status >= 500 {
			h.log.Error("cloudtrail api: internal error", "requestId", requestID, "err", apiErr.Message)
			apiErr.Message = "An internal error occurred."
		}
		writeError(w, apiErr)
	}
}

// authenticate checks the request line and signature and returns the body
// the signature covers.
func (h *handler) authenticate(r *http.Request) ([]byte, string, *apiError) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return nil, "", &apiError{Code: codeUnknownOperation, Status: http.StatusNotFound,
			Message: "CloudTrail operations are POST / with an X-Amz-Target header."}
	}
	auth, err := h.cfg.Verifier.Verify(r, SigningService)
	if err != nil {
		return nil, "", fromAuthError(err)
	}
	if auth.Anonymous {
		return nil, "", &apiError{Code: codeMissingToken, Status: http.StatusForbidden, Message: "Missing Authentication Token"}
	}
	defer auth.Body.Close()
	body, err := io.ReadAll(io.LimitReader(auth.Body, maxRequestBody+1))
	if err != nil {
		return nil, "", fromAuthError(err)
	}
	if len(body) > maxRequestBody {
		return nil, "", clientError(codeSerialization, "The request body is too large.")
	}
	if auth.PayloadSHA256 != "" {
		sum := sha256.Sum256(body)
		if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(auth.PayloadSHA256)) != 1 {
			return nil, "", fromAuthError(sigv4.ErrContentSHA256Mismatch)
		}
	}
	return body, auth.AccessKey, nil
}

// IsTarget reports whether an X-Amz-Target header names a CloudTrail
// operation, in either client's spelling.
func IsTarget(target string) bool {
	_, ok := operation(target)
	return ok
}

func operation(target string) (string, bool) {
	if op, ok := strings.CutPrefix(target, TargetPrefix); ok {
		return op, true
	}
	return strings.CutPrefix(target, ShortTargetPrefix)
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request, body []byte, accessKey string) *apiError {
	op, ok := operation(r.Header.Get("X-Amz-Target"))
	switch {
	case !ok || op == "":
		return clientError(codeUnknownOperation, "Unknown X-Amz-Target.")
	case op == "LookupEvents":
	case isCloudTrailOperation(op):
		return clientError(codeUnsupportedOp, op+" is not supported by Coffer: its audit trail answers LookupEvents only.")
	default:
		return clientError(codeUnknownOperation, "Unknown operation "+truncate(op, 64)+".")
	}
	if h.cfg.Authorize != nil {
		if err := h.cfg.Authorize(r.Context(), accessKey); err != nil {
			return clientError(codeAccessDenied, h.deniedMessage(err))
		}
	}
	resp, apiErr := h.lookupEvents(r.Context(), body)
	if apiErr != nil {
		return apiErr
	}
	out, err := json.Marshal(resp)
	if err != nil {
		return &apiError{Code: codeInternal, Status: http.StatusInternalServerError, Message: err.Error()}
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(out)
	return nil
}

func (h *handler) deniedMessage(err error) string {
	msg := "You are not authorized to perform cloudtrail:LookupEvents"
	if h.cfg.AccountID != "" {
		msg += " in account " + h.cfg.AccountID
	}
	if h.cfg.Region != "" {
		msg += " (" + h.cfg.Region + ")"
	}
	return msg + ": " + err.Error()
}

func writeError(w http.ResponseWriter, e *apiError) {
	body, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	w.Write(body)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
