package apimetrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Two handlers on one registry share the series; a nil registry records
// nothing and panics on nothing.
func TestRequestsShareOneRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	o := Options{API: "demo", Title: "Demo", ErrorKind: "error code", FirstSpan: 0.001}
	first, second := New(reg, o), New(reg, o)
	first.Observe("Get", 200, "", 0.01)
	second.Observe("Get", 404, "NoSuchKey", 0.02)
	if got := testutil.ToFloat64(first.requests.WithLabelValues("Get", "404")); got != 1 {
		t.Fatalf("the second handler's request is not in the shared series: %v", got)
	}
	if got := testutil.ToFloat64(second.errors.WithLabelValues("Get", "NoSuchKey")); got != 1 {
		t.Fatalf("errors_total = %v", got)
	}
	if n, err := testutil.GatherAndCount(reg, "coffer_demo_requests_total", "coffer_demo_request_duration_seconds", "coffer_demo_errors_total"); err != nil || n != 4 {
		t.Fatalf("gathered %d series, %v; want 2 requests, 1 duration, 1 error", n, err)
	}
	var none *Requests = New(nil, o)
	none.Observe("Get", 200, "", 0.01)
}
