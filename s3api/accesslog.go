package s3api

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// finish writes the request's log line and metrics. It logs names and
// numbers only: never headers, query strings, signatures or keys.
func (s *server) finish(w *responseRecorder, r *http.Request, req *request) {
	status := w.status
	if !w.wroteHeader {
		status = http.StatusOK
	}
	elapsed := time.Since(req.start)
	s.metrics.observe(req.op(), status, req.code, elapsed.Seconds(), req.body.n, w.sent)

	level := slog.LevelInfo
	attrs := []slog.Attr{
		slog.String("request_id", req.id),
		slog.String("method", r.Method),
		slog.String("bucket", req.bucket),
		slog.String("key", req.key),
		slog.String("op", req.op()),
		slog.Int("status", status),
		slog.Int64("bytes_in", req.body.n),
		slog.Int64("bytes_out", w.sent),
		slog.Duration("duration", elapsed),
	}
	if req.accessKey != "" {
		attrs = append(attrs, slog.String("access_key", req.accessKey))
	}
	if req.code != "" {
		attrs = append(attrs, slog.String("code", string(req.code)))
	}
	if req.cause != nil {
		level = slog.LevelError
		if req.code == codeRequestTimeout {
			level = slog.LevelWarn // the client's connection, not ours
		}
		attrs = append(attrs, slog.String("cause", req.cause.Error()))
	}
	s.log.LogAttrs(context.Background(), level, "s3 request", attrs...)
}
