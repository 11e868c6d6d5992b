package s3api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/sigv4"
)

// server is the http.Handler New returns.
type server struct {
	svc      coffer.Service
	verifier *sigv4.Verifier
	region   string
	owner    Owner
	domains  []string
	log      *slog.Logger
	metrics  *metrics
	routes   []route

	accountID      string
	identifyKey    func(accessKey string) (coffer.Principal, bool)
	auditor        coffer.Auditor
	authorizer     coffer.Authorizer
	kmsKeyARN      func(ctx context.Context, keyID string) (string, bool)
	policyIsPublic func(doc []byte) (bool, error)
}

// New returns the S3 handler for cfg.
func New(cfg Config) http.Handler {
	s := &server{
		svc:      cfg.Service,
		verifier: cfg.Verifier,
		region:   cfg.Region,
		owner:    cfg.Owner,
		log:      cfg.Logger,
		metrics:  newMetrics(cfg.Metrics),

		accountID:      cfg.AccountID,
		identifyKey:    cfg.Identify,
		auditor:        cfg.Auditor,
		authorizer:     cfg.Authorizer,
		kmsKeyARN:      cfg.KMSKeyARN,
		policyIsPublic: cfg.PolicyIsPublic,
	}
	if s.verifier == nil {
		s.verifier = &sigv4.Verifier{} // knows no keys: only anonymous requests pass
	}
	if s.region == "" {
		s.region = defaultRegion
	}
	if s.owner.ID == "" {
		s.owner.ID = cfg.AccountID
	}
	if s.owner.DisplayName == "" {
		s.owner.DisplayName = s.owner.ID
	}
	for _, d := range cfg.Domains {
		if d = strings.ToLower(strings.Trim(d, ".")); d != "" {
			s.domains = append(s.domains, d)
		}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.routes = s.routeTable()
	return s
}

// request is what the server knows about one request while serving it.
type request struct {
	id     string
	start  time.Time
	route  *route
	bucket string
	key    string
	// virtualHost is set when the bucket came from the Host header.
	virtualHost bool
	auth        *sigv4.Auth
	body        *countingBody
	// accessKey is logged; set from the signature or a POST form.
	accessKey string
	// principal and info are who the request acts for and how it
	// arrived; the Service sees them in the request's context.
	principal coffer.Principal
	info      coffer.RequestInfo
	// outcome, for the log line and metrics
	code  errorCode
	cause error
}

// op names the operation for logs and metrics.
func (req *request) op() string {
	if req.route == nil {
		return "Unknown"
	}
	return req.route.op
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{id: newRequestID(), start: time.Now()}
	rw := &responseRecorder{ResponseWriter: w}
	original := r.Body
	req.body = &countingBody{ReadCloser: original}
	r.Body = req.body
	h := rw.Header()
	h.Set("x-amz-request-id", req.id)
	h.Set("x-amz-id-2", hostID(req.id))
	h.Set("Server", "Coffer")

	aborted := s.serve(rw, r, req)
	// Hand the server its own body back: it decides from that body's type
	// whether an unread remainder is drained or the connection closed.
	r.Body = original
	s.finish(rw, r, req)
	if aborted {
		// The response is already partly sent: the only honest thing left
		// is to break the connection so the client sees a failed transfer.
		panic(http.ErrAbortHandler)
	}
}

// serve runs the request and renders its error, if any. It reports whether
// the response had to be aborted mid-stream.
func (s *server) serve(w *responseRecorder, r *http.Request, req *request) (aborted bool) {
	defer func() {
		if p := recover(); p != nil {
			req.cause = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			if w.wroteHeader {
				aborted = true
				req.code = codeInternalError
				return
			}
			s.renderError(w, r, req, req.cause)
		}
	}()
	err := s.dispatch(w, r, req)
	if err == nil {
		return false
	}
	var abort *abortError
	if errors.As(err, &abort) {
		req.code = codeInternalError
		req.cause = abort.cause
		return true
	}
	s.renderError(w, r, req, err)
	return false
}

// dispatch addresses, authenticates, routes, authorizes and runs the handler.
func (s *server) dispatch(w http.ResponseWriter, r *http.Request, req *request) error {
	req.info = requestInfo(r, req.id)
	s.address(r, req)
	rt, err := s.match(r, req)
	if err != nil {
		return err
	}
	req.route = rt
	auth, err := s.verifier.Verify(r, "s3")
	if err != nil {
		return err
	}
	req.auth = auth
	req.accessKey = auth.AccessKey
	req.info.SignatureVersion = int(auth.SignatureVersion)
	if req.principal, err = s.identify(auth); err != nil {
		return err
	}
	if rt.auth == authSigV4 {
		if err := s.authorize(r, req); err != nil {
			return err
		}
	}
	return rt.handle(w, r.WithContext(withCaller(r.Context(), req)), req)
}

// abortError tells serve that the response failed after its first byte.
type abortError struct{ cause error }

func (e *abortError) Error() string { return "response aborted: " + e.cause.Error() }
func (e *abortError) Unwrap() error { return e.cause }

func newRequestID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// hostID derives x-amz-id-2 from the request id; it identifies nothing
// secret and only needs to look like S3's.
func hostID(requestID string) string {
	return base64.StdEncoding.EncodeToString([]byte("coffer/" + requestID))
}
