package opsapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/cofferlabs/coffer/sigv4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Prefix is the path prefix of every operator endpoint.
const Prefix = "/_coffer/"

// SigningService is the SigV4 service name admin requests are signed for.
const SigningService = "coffer-admin"

// KeyAdmin is what the admin API needs from the key hierarchy.
type KeyAdmin interface {
	RotateMasterKey(ctx context.Context) (version uint32, err error)
	// Rewrap re-seals every object and pending upload key under the
	// current master key. It reports progress as it goes: done records
	// visited out of total, counted before the first one, so a client can
	// draw a bar.
	Rewrap(ctx context.Context, progress func(done, total int)) error
	// RewrapBucket re-keys every object of a bucket to SSE-KMS under a
	// KMS key, acting as the principal in ctx, resumably, reporting
	// progress as Rewrap does. It checks the bucket
	// (coffer.ErrNoSuchBucket) and the key (*coffer.KMSError) before the
	// first report, so an error before any report refuses the request.
	RewrapBucket(ctx context.Context, req BucketRewrap, progress func(done, total int)) (BucketRewrapResult, error)
}

// Config wires the endpoints to the server's parts.
type Config struct {
	Gatherer  prometheus.Gatherer
	Verifier  *sigv4.Verifier
	RootKeyID string // only the root access key may call the admin API
	// AccountID is the root user's account: KMS calls made for an admin
	// request act as arn:aws:iam::<AccountID>:root.
	AccountID string
	Keys      KeyAdmin
	Logger    *slog.Logger
}

// Server serves the operator endpoints.
type Server struct {
	cfg   Config
	ready atomic.Bool
	mux   *http.ServeMux
}

// New returns the operator endpoints; they report not-ready until SetReady.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /_coffer/health/live", s.live)
	s.mux.HandleFunc("GET /_coffer/health/ready", s.readyz)
	s.mux.Handle("GET /_coffer/metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	s.mux.HandleFunc("POST /_coffer/admin/v1/rotate-master-key", s.admin(s.rotate))
	s.mux.HandleFunc("POST /_coffer/admin/v1/rewrap", s.admin(s.rewrap))
	return s
}

// SetReady marks the server ready (or draining, with false).
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) live(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "live"})
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// admin authenticates a request as the root user before calling next.
func (s *Server) admin(next func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth, err := s.cfg.Verifier.Verify(r, SigningService)
		if err != nil {
			s.cfg.Logger.Warn("admin request refused", "path", r.URL.Path, "err", err)
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "AccessDenied", "message": publicAuthMessage(err)})
			return
		}
		if auth.Anonymous || auth.AccessKey != s.cfg.RootKeyID {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "AccessDenied", "message": "the admin API is for the root user only"})
			return
		}
		next(w, r)
	}
}

func (s *Server) rotate(w http.ResponseWriter, r *http.Request) {
	version, err := s.cfg.Keys.RotateMasterKey(r.Context())
	if err != nil {
		s.cfg.Logger.Error("master key rotation failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "InternalError", "message": "master key rotation failed"})
		return
	}
	s.cfg.Logger.Info("master key rotated", "version", version)
	writeJSON(w, http.StatusOK, map[string]any{"version": version})
}

// rewrapLine is one line of the rewrap stream.
type rewrapLine struct {
	Done     int    `json:"done"`
	Total    int    `json:"total"`
	Error    string `json:"error,omitempty"` // the run stopped: why, for a human
	Code     string `json:"code,omitempty"`  // and the error code, when public (KMS.*)
	Finished bool   `json:"finished,omitempty"`
	// Summary closes a bucket run that finished.
	Summary *rewrapSummary `json:"summary,omitempty"`
}

// rewrap streams progress as JSON lines so a client can draw a progress
// bar; the last line says whether the run finished or failed. With a
// bucket and a KMS key in the query it re-keys that bucket's objects
// (rewrapBucket), else it re-seals everything under the current master key.
func (s *Server) rewrap(w http.ResponseWriter, r *http.Request) {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "InvalidArgument", "message": "the query string is malformed"})
		return
	}
	req, err := parseRewrapQuery(query)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "InvalidArgument", "message": err.Error()})
		return
	}
	if req != nil {
		s.rewrapBucket(w, r, *req)
		return
	}
	stream := newProgressStream(w)
	stream.start()
	err = s.cfg.Keys.Rewrap(r.Context(), stream.report)
	if err != nil {
		s.cfg.Logger.Error("rewrap failed", "err", err)
		stream.end(rewrapLine{Error: "rewrap failed; run it again to resume"})
		return
	}
	stream.end(rewrapLine{Finished: true})
}

// progressStream writes a run's progress lines, starting the 200 response
// only with the first line, so a run refused before it starts can still
// answer with an error status.
type progressStream struct {
	w       http.ResponseWriter
	enc     *json.Encoder
	flusher http.Flusher
	started bool
	last    rewrapLine
}

func newProgressStream(w http.ResponseWriter) *progressStream {
	flusher, _ := w.(http.Flusher)
	return &progressStream{w: w, enc: json.NewEncoder(w), flusher: flusher}
}

func (p *progressStream) start() {
	if p.started {
		return
	}
	p.started = true
	p.w.Header().Set("Content-Type", "application/x-ndjson")
	p.w.WriteHeader(http.StatusOK)
}

func (p *progressStream) report(done, total int) {
	p.last = rewrapLine{Done: done, Total: total}
	p.send(p.last)
}

// end writes the closing line, with the last progress reported.
func (p *progressStream) end(line rewrapLine) {
	line.Done, line.Total = p.last.Done, p.last.Total
	p.send(line)
}

func (p *progressStream) send(line rewrapLine) {
	p.start()
	_ = p.enc.Encode(line)
	if p.flusher != nil {
		p.flusher.Flush()
	}
}

func publicAuthMessage(err error) string {
	if errors.Is(err, sigv4.ErrRequestTimeTooSkewed) {
		return "request time too skewed"
	}
	return "signature verification failed"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
