package main

import (
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// logJSONRequests writes one log line per request for the JSON-protocol
// APIs (KMS, CloudTrail), as s3api does for S3: operation, status,
// duration and request id; never bodies, which carry key material.
func logJSONRequests(api string, next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		target := r.Header.Get("X-Amz-Target")
		logger.Info(api+" request",
			"op", target[strings.LastIndexByte(target, '.')+1:],
			"status", rec.status,
			"duration", time.Since(start),
			"request_id", w.Header().Get("X-Amzn-Requestid"),
			"error_type", w.Header().Get("X-Amzn-Errortype"),
			"source", r.RemoteAddr)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
