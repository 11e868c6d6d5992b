package s3api

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cofferlabs/coffer/internal/apimetrics"
)

// metrics are the Prometheus series every request feeds: the per-request
// series all APIs share (coffer_s3_...) and S3's byte counters.
type metrics struct {
	requests *apimetrics.Requests
	received prometheus.Counter
	sent     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: apimetrics.New(reg, apimetrics.Options{API: "s3", Title: "S3", ErrorKind: "S3 error code", FirstSpan: 0.001}),
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coffer_s3_bytes_received_total",
			Help: "Request body bytes read from S3 clients.",
		}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coffer_s3_bytes_sent_total",
			Help: "Response body bytes sent to S3 clients.",
		}),
	}
	if reg != nil {
		m.received = apimetrics.Register(reg, m.received)
		m.sent = apimetrics.Register(reg, m.sent)
	}
	return m
}

func (m *metrics) observe(op string, status int, code errorCode, seconds float64, in, out int64) {
	m.requests.Observe(op, status, string(code), seconds)
	m.received.Add(float64(in))
	m.sent.Add(float64(out))
}
