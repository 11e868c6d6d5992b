package kmsapi

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/kms"
	"github.com/cofferlabs/coffer/sigv4"
)

// MaxRequestBody bounds a request body (a key policy of 131072 characters,
// JSON-escaped, fits).
const MaxRequestBody = sigv4.MaxHashedBody

// Config configures the handler.
type Config struct {
	KMS      *kms.KMS
	Verifier *sigv4.Verifier
	// Region and AccountID are the KMS's (kms.Options). Requests signed
	// for any Region are accepted, as for S3 (clients often default to
	// another one; responses always name the KMS's Region); Region labels
	// the log lines. The default Identify makes principals of AccountID.
	Region    string
	AccountID string
	// Identify maps an authenticated access key to its principal; !ok
	// refuses the request (UnrecognizedClientException). nil means every
	// valid access key acts as the account's root user.
	Identify func(accessKey string) (coffer.Principal, bool)
	// Logger receives internal failures; nil discards them.
	Logger *slog.Logger
	// Metrics registers the request series; nil records none.
	Metrics prometheus.Registerer
}

// New returns the KMS HTTP handler. It panics if cfg has no KMS or
// Verifier (a wiring mistake, not a runtime condition).
func New(cfg Config) http.Handler {
	if cfg.KMS == nil || cfg.Verifier == nil {
		panic("kmsapi: Config.KMS and Config.Verifier are required")
	}
	h := &handler{
		api:      cfg.KMS.API(),
		verifier: cfg.Verifier,
		identify: cfg.Identify,
		logger:   cfg.Logger,
		metrics:  newMetrics(cfg.Metrics),
	}
	if h.identify == nil {
		h.identify = rootOf(cfg.AccountID)
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	h.logger = h.logger.With("component", "kms", "region", cfg.Region)
	return h
}

// rootOf makes every access key the account's root user, until Coffer has
// IAM users.
func rootOf(accountID string) func(string) (coffer.Principal, bool) {
	return func(accessKey string) (coffer.Principal, bool) {
		return coffer.Principal{
			AccountID:   accountID,
			ARN:         "arn:aws:iam::" + accountID + ":root",
			UserID:      accountID,
			AccessKeyID: accessKey,
		}, true
	}
}
