package auditapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cofferlabs/coffer"
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
	// Identify maps an authenticated access key to its principal; !ok
	// refuses the request. nil takes every valid key for the account's
	// root user.
	Identify func(accessKey string) (coffer.Principal, bool)
	// Authorizer decides cloudtrail:LookupEvents for the caller; nil
	// allows every valid key. A denial is recorded in the trail, like
	// every other denial; allowed reads are not, so that reading the trail
	// (the console polls it) does not fill it.
	Authorizer coffer.Authorizer
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
	principal, ok := h.identify(accessKey)
	if !ok {
		return clientError(codeUnrecognized, "The security token included in the request is invalid.")
	}
	ctx := coffer.WithRequestInfo(coffer.WithPrincipal(r.Context(), principal), requestInfo(r))
	if apiErr := h.authorize(ctx, principal); apiErr != nil {
		return apiErr
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

// requestInfo is what the transport middleware put in the context (source
// IP, TLS), or the connection's own facts without it.
func requestInfo(r *http.Request) coffer.RequestInfo {
	info := coffer.RequestInfoFrom(r.Context())
	info.UserAgent = r.UserAgent()
	info.SignatureVersion = 4
	if info.SourceIP == "" {
		info.SourceIP, _, _ = net.SplitHostPort(r.RemoteAddr)
		info.SecureTransport = r.TLS != nil
	}
	return info
}

// identify is Config.Identify, or the account's root user for any key.
func (h *handler) identify(accessKey string) (coffer.Principal, bool) {
	if h.cfg.Identify != nil {
		return h.cfg.Identify(accessKey)
	}
	return coffer.Principal{AccountID: h.cfg.AccountID, ARN: "arn:aws:iam::" + h.cfg.AccountID + ":root",
		UserID: h.cfg.AccountID, AccessKeyID: accessKey}, true
}

// authorize decides cloudtrail:LookupEvents; a denial is recorded, with
// the statement that denied it.
func (h *handler) authorize(ctx context.Context, p coffer.Principal) *apiError {
	if h.cfg.Authorizer == nil {
		return nil
	}
	decision, err := h.cfg.Authorizer.Authorize(ctx, coffer.AccessRequest{Action: "cloudtrail:LookupEvents", Resource: "*"})
	if err != nil {
		return &apiError{Code: codeInternal, Status: http.StatusInternalServerError, Message: err.Error()}
	}
	if decision.Allowed {
		return nil
	}
	msg := "User: " + p.ARN + " is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action"
	if decision.DenySid != "" {
		msg = "User: " + p.ARN + " is not authorized to perform: cloudtrail:LookupEvents with an explicit deny in an identity-based policy"
	}
	denied := clientError(codeAccessDenied, msg)
	h.record(ctx, p, &decision, denied)
	return denied
}

// record keeps a refused LookupEvents call in the trail.
func (h *handler) record(ctx context.Context, p coffer.Principal, decision *coffer.AccessDecision, failure *apiError) {
	event := coffer.AuditEvent{
		Time: time.Now().UTC(), EventSource: "cloudtrail.amazonaws.com", EventName: "LookupEvents",
		Principal: p, Request: coffer.RequestInfoFrom(ctx), ReadOnly: true,
	}
	if failure != nil {
		event.ErrorCode, event.ErrorMessage = failure.Code, failure.Message
	}
	if decision != nil && decision.DenySid != "" {
		event.Details = map[string]string{"denySid": decision.DenySid, "deniedBy": decision.DeniedBy}
	}
	h.cfg.Log.Record(context.WithoutCancel(ctx), event)
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
