// Package apimetrics is the Prometheus series each of Coffer's API front
// ends (S3, KMS) feeds once per request: requests by operation and HTTP
// status, their duration by operation, and error responses by operation
// and error code, named coffer_<api>_... It imports no Coffer package.
package apimetrics

import (
	"errors"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Requests are one API's per-request series; a nil *Requests records
// nothing.
type Requests struct {
	requests *prometheus.CounterVec   // op, code (HTTP status)
	duration *prometheus.HistogramVec // op
	errors   *prometheus.CounterVec   // op, code (the API's error code)
}

// Options name an API's series.
type Options struct {
	API       string  // "s3", "kms": the series are coffer_<API>_...
	Title     string  // "S3", "KMS", for the help texts
	ErrorKind string  // what the error label holds, e.g. "S3 error code"
	FirstSpan float64 // the smallest duration bucket, in seconds (then ×4, 10 buckets)
}

// New registers o's series with reg (reusing any a handler on the same
// registry registered before) and returns them; nil reg records nothing.
func New(reg prometheus.Registerer, o Options) *Requests {
	if reg == nil {
		return nil
	}
	return &Requests{
		requests: Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_" + o.API + "_requests_total",
			Help: o.Title + " requests served, by operation and HTTP status.",
		}, []string{"op", "code"})),
		duration: Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "coffer_" + o.API + "_request_duration_seconds",
			Help:    "Time to serve one " + o.Title + " request, by operation.",
			Buckets: prometheus.ExponentialBuckets(o.FirstSpan, 4, 10),
		}, []string{"op"})),
		errors: Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_" + o.API + "_errors_total",
			Help: o.Title + " error responses, by operation and " + o.ErrorKind + ".",
		}, []string{"op", "code"})),
	}
}

// Observe counts one request; errorCode is "" for a success.
func (m *Requests) Observe(op string, status int, errorCode string, seconds float64) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(op).Observe(seconds)
	if errorCode != "" {
		m.errors.WithLabelValues(op, errorCode).Inc()
	}
}

// Register adds c to reg, or returns the collector of the same name
// already there, so that two handlers on one registry share the series.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) {
		if existing, ok := already.ExistingCollector.(C); ok {
			return existing
		}
	}
	return c
}
