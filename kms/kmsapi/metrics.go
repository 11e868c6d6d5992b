package kmsapi

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cofferlabs/coffer/internal/apimetrics"
)

// newMetrics are the KMS's per-request series (coffer_kms_...); nil reg
// records nothing.
func newMetrics(reg prometheus.Registerer) *apimetrics.Requests {
	return apimetrics.New(reg, apimetrics.Options{API: "kms", Title: "KMS", ErrorKind: "error type", FirstSpan: 0.0001})
}
