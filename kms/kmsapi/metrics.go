package kmsapi

import (
	"errors"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the Prometheus series every request feeds; nil records
// nothing.
type metrics struct {
	requests *prometheus.CounterVec   // op, code (HTTP status)
	duration *prometheus.HistogramVec // op
	errors   *prometheus.CounterVec   // op, code (error type)
}

func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_kms_requests_total",
			Help: "KMS requests served, by operation and HTTP status.",
		}, []string{"op", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "coffer_kms_request_duration_seconds",
			Help:    "Time to serve a KMS request, by operation.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
		}, []string{"op"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_kms_errors_total",
			Help: "KMS error responses, by operation and error type.",
		}, []string{"op", "code"}),
	}
	m.requests = register(reg, m.requests)
	m.duration = register(reg, m.duration)
	m.errors = register(reg, m.errors)
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

func (m *metrics) observe(op string, status int, errorType string, seconds float64) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(op).Observe(seconds)
	if errorType != "" {
		m.errors.WithLabelValues(op, errorType).Inc()
	}
}
