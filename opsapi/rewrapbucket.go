package opsapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/cofferlabs/coffer"
)

// BucketRewrap asks to re-key every object of Bucket to SSE-KMS under the
// KMS key KMSKeyID names (key id, key ARN, alias or alias ARN), on an S3
// Bucket Key when BucketKey is set.
type BucketRewrap struct {
	Bucket    string
	KMSKeyID  string
	BucketKey bool
}

// BucketRewrapResult counts what a bucket run did with the objects it
// visited; the first failure is named in public terms.
type BucketRewrapResult struct {
	KeyARN    string // the key KMSKeyID resolved to
	Rewrapped int    // re-keyed by this run
	Current   int    // already under the key: skipped
	Changed   int    // replaced or deleted meanwhile: skipped
	Failed    int    // whose current key would not open: left as they were
	// The first failure: object key, public code and message.
	FailedKey, FailedCode, FailedMessage string
}

// The query parameters of a bucket run:
// POST /_coffer/admin/v1/rewrap?bucket=B&kms-key-id=K[&bucket-key=true].
const (
	paramBucket    = "bucket"
	paramKMSKeyID  = "kms-key-id"
	paramBucketKey = "bucket-key"
)

// parseRewrapQuery returns the bucket run the query asks for, or nil for
// the master-key rewrap (no parameters). Unknown or repeated parameters
// are refused rather than ignored: a misspelt kms-key-id must not start a
// rewrap of everything instead.
func parseRewrapQuery(q url.Values) (*BucketRewrap, error) {
	for name, values := range q {
		switch name {
		case paramBucket, paramKMSKeyID, paramBucketKey:
		default:
			return nil, fmt.Errorf("unknown parameter %.64q: rewrap takes bucket, kms-key-id and bucket-key", name)
		}
		if len(values) != 1 {
			return nil, fmt.Errorf("parameter %s given %d times", name, len(values))
		}
	}
	if len(q) == 0 {
		return nil, nil
	}
	req := &BucketRewrap{Bucket: q.Get(paramBucket), KMSKeyID: q.Get(paramKMSKeyID)}
	if req.Bucket == "" || req.KMSKeyID == "" {
		return nil, errors.New("bucket and kms-key-id go together: a bucket is re-keyed to SSE-KMS under a KMS key; neither re-seals everything under the master key")
	}
	if err := coffer.ValidateBucketName(req.Bucket); err != nil {
		return nil, fmt.Errorf("bucket %.70q: %w", req.Bucket, err)
	}
	switch q.Get(paramBucketKey) {
	case "", "false":
	case "true":
		req.BucketKey = true
	default:
		return nil, errors.New("bucket-key must be true or false")
	}
	return req, nil
}

// rewrapSummary closes the stream of a bucket run that reached the end.
type rewrapSummary struct {
	KeyARN       string         `json:"keyArn"`
	Rewrapped    int            `json:"rewrapped"`
	Current      int            `json:"current"`
	Changed      int            `json:"changed"`
	Failed       int            `json:"failed"`
	FirstFailure *rewrapFailure `json:"firstFailure,omitempty"`
}

type rewrapFailure struct {
	Key     string `json:"key"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func summaryOf(res BucketRewrapResult) *rewrapSummary {
	out := &rewrapSummary{KeyARN: res.KeyARN, Rewrapped: res.Rewrapped, Current: res.Current, Changed: res.Changed, Failed: res.Failed}
	if res.Failed > 0 {
		out.FirstFailure = &rewrapFailure{Key: res.FailedKey, Code: res.FailedCode, Message: res.FailedMessage}
	}
	return out
}

// rewrapBucket runs a bucket re-key as the root user. A request refused
// before the run starts (no such bucket, a key the KMS refuses) gets an
// error status and a JSON error; once progress flows, the last line says
// how the run ended.
func (s *Server) rewrapBucket(w http.ResponseWriter, r *http.Request, req BucketRewrap) {
	if s.cfg.AccountID == "" {
		s.cfg.Logger.Error("bucket rewrap refused: the admin API was configured without an account id")
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "InternalError", "message": "the server cannot act as the root user"})
		return
	}
	requestID := newRequestID()
	w.Header().Set("X-Amz-Request-Id", requestID)
	stream := newProgressStream(w)
	res, err := s.cfg.Keys.RewrapBucket(s.asRoot(r, requestID), req, stream.report)
	if err != nil {
		s.cfg.Logger.Error("bucket rewrap failed", "bucket", req.Bucket, "kmsKeyId", req.KMSKeyID, "requestId", requestID,
			"started", stream.started, "done", stream.last.Done, "err", err)
		status, code, message := publicRewrapError(err)
		if !stream.started {
			writeJSON(w, status, map[string]string{"error": code, "message": message})
			return
		}
		stream.end(rewrapLine{Error: message, Code: code})
		return
	}
	s.cfg.Logger.Info("bucket rewrapped", "bucket", req.Bucket, "keyArn", res.KeyARN, "requestId", requestID,
		"rewrapped", res.Rewrapped, "current", res.Current, "changed", res.Changed, "failed", res.Failed)
	stream.end(rewrapLine{Finished: true, Summary: summaryOf(res)})
}

// asRoot is the request's context carrying the account's root user and
// the request's facts, for the KMS to authorize and audit its calls.
func (s *Server) asRoot(r *http.Request, requestID string) context.Context {
	principal := coffer.Principal{
		AccountID:   s.cfg.AccountID,
		ARN:         "arn:aws:iam::" + s.cfg.AccountID + ":root",
		UserID:      s.cfg.AccountID,
		AccessKeyID: s.cfg.RootKeyID,
	}
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
	return coffer.WithRequestInfo(coffer.WithPrincipal(r.Context(), principal), info)
}

// publicRewrapError is what a client may learn of a failed bucket run:
// the KMS's own code and message (public by contract, never key
// material), the argument's, or a generic message; details go to the log.
func publicRewrapError(err error) (status int, code, message string) {
	var kmsErr *coffer.KMSError
	var argErr *coffer.ArgumentError
	switch {
	case errors.Is(err, coffer.ErrNoSuchBucket):
		return http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist"
	case errors.As(err, &kmsErr):
		status := http.StatusBadRequest
		switch kmsErr.Code {
		case "AccessDeniedException":
			status = http.StatusForbidden
		case "ThrottlingException":
			status = http.StatusServiceUnavailable
		}
		return status, "KMS." + kmsErr.Code, kmsErr.Message
	case errors.As(err, &argErr):
		code, status := argErr.Code, http.StatusBadRequest
		if code == "" {
			code = "InvalidArgument"
		}
		if code == "AccessDenied" {
			status = http.StatusForbidden
		}
		return status, code, argErr.Message
	case errors.Is(err, coffer.ErrNotImplemented):
		return http.StatusNotImplemented, "NotImplemented", "re-keying to SSE-KMS needs the KMS, which this server does not run"
	case errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable, "Interrupted", "the rewrap was interrupted"
	}
	return http.StatusInternalServerError, "InternalError", "the rewrap stopped on an internal error (see the server log)"
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
