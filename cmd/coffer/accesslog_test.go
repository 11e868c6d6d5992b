package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLogJSONRequests(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	h := logJSONRequests("kms", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-RequestId", "req-42")
		w.Header().Set("X-Amzn-ErrorType", "NotFoundException")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"__type":"NotFoundException"}`))
	}), logger)
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"Plaintext":"c2VjcmV0"}`))
	req.Header.Set("X-Amz-Target", "TrentService.Encrypt")
	h.ServeHTTP(httptest.NewRecorder(), req)
	line := logs.String()
	for _, want := range []string{"kms request", "op=Encrypt", "status=400", "request_id=req-42", "error_type=NotFoundException"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %q: %s", want, line)
		}
	}
	if strings.Contains(line, "c2VjcmV0") {
		t.Error("the request body reached the log")
	}
}
