package opsapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
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
}

// Config wires the endpoints to the server's parts.
type Config struct {
	Gatherer  prometheus.Gatherer
	Verifier  *sigv4.Verifier
	RootKeyID string // only the root access key may call the admin API
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
	Error    string `json:"error,omitempty"`
	Finished bool   `json:"finished,omitempty"`
}

// rewrap streams progress as JSON lines so a client can draw a progress
// bar; the last line says whether the run finished or failed.
func (s *Server) rewrap(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	flusher, _ := w.(http.Flusher)
	var last rewrapLine
	err := s.cfg.Keys.Rewrap(r.Context(), func(done, total int) {
		last = rewrapLine{Done: done, Total: total}
		_ = enc.Encode(last)
		if flusher != nil {
			flusher.Flush()
		}
	})
	if err != nil {
		s.cfg.Logger.Error("rewrap failed", "err", err)
		last.Error = "rewrap failed; run it again to resume"
		_ = enc.Encode(last)
		return
	}
	last.Finished = true
	_ = enc.Encode(last)
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
