package s3api

import (
	"errors"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the Prometheus series every request feeds.
type metrics struct {
	requests *prometheus.CounterVec   // op, code (HTTP status)
	duration *prometheus.HistogramVec // op
	received prometheus.Counter
	sent     prometheus.Counter
	errors   *prometheus.CounterVec // op, code (S3 error code)
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_s3_requests_total",
			Help: "S3 requests served, by operation and HTTP status.",
		}, []string{"op", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "coffer_s3_request_duration_seconds",
			Help:    "Time to serve an S3 request, by operation.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}, []string{"op"}),
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coffer_s3_bytes_received_total",
			Help: "Request body bytes read from S3 clients.",
		}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coffer_s3_bytes_sent_total",
			Help: "Response body bytes sent to S3 clients.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_s3_errors_total",
			Help: "S3 error responses, by operation and S3 error code.",
		}, []string{"op", "code"}),
	}
	if reg != nil {
		m.requests = register(reg, m.requests)
		m.duration = register(reg, m.duration)
		m.received = register(reg, m.received)
		m.sent = register(reg, m.sent)
		m.errors = register(reg, m.errors)
	}
	return m
}

// register adds c to reg, or reuses the collector already there (a second
// handler on the same registry shares the series).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) {
		if existing, ok := already.ExistingCollector.(C); ok {
			return existing
		}
	}
	return c
}

func (m *metrics) observe(op string, status int, code errorCode, seconds float64, in, out int64) {
	m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(op).Observe(seconds)
	m.received.Add(float64(in))
	m.sent.Add(float64(out))
	if code != "" {
		m.errors.WithLabelValues(op, string(code)).Inc()
	}
}
