package iamapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/iam"
	"github.com/cofferlabs/coffer/sigv4"
)

// MaxRequestBody bounds a request body: a policy document of IAM's
// largest size, URL-encoded, fits.
const MaxRequestBody = sigv4.MaxHashedBody

// Config configures the handler.
type Config struct {
	// Directory is the account's users. Required.
	Directory *iam.Directory
	// Verifier checks signatures; its Secret must know the root user's
	// key and the directory's active keys (iam.Directory.AccessKey).
	// Required.
	Verifier *sigv4.Verifier
	// Identify maps an authenticated access key to its principal: the
	// root user's key to the root principal, a user's key to the
	// principal iam.Directory.AccessKey returns. !ok refuses the request
	// (InvalidClientTokenId); it must refuse a key the directory no longer
	// holds as active, so that a key deactivated or deleted between
	// signature check and identification is never taken for another
	// principal. nil identifies the directory's users only.
	Identify func(accessKey string) (coffer.Principal, bool)
	// Authorizer decides every IAM action. nil allows the account's root
	// user only.
	Authorizer coffer.Authorizer
	// Auditor records every change and every denial; nil records none.
	Auditor coffer.Auditor
	// AccountID is the account's 12-digit id; "" means the directory's.
	AccountID string
	// Region labels log lines (IAM is global: requests signed for any
	// region are accepted, as the CLI signs IAM for us-east-1).
	Region string
	// RootCreated is the root user's CreateDate in GetUser; zero leaves
	// it out.
	RootCreated time.Time
	// Logger receives internal failures (never a secret, never a request
	// body); nil discards them.
	Logger *slog.Logger
}

type handler struct {
	dir        *iam.Directory
	verifier   *sigv4.Verifier
	identify   func(string) (coffer.Principal, bool)
	authorizer coffer.Authorizer
	auditor    coffer.Auditor
	accountID  string
	rootARN    string
	rootTime   time.Time
	logger     *slog.Logger
}

// New returns the IAM and STS handler. The caller routes to it the
// requests for which IsRequest holds. It panics if cfg has no Directory or
// Verifier (a wiring mistake, not a runtime condition).
func New(cfg Config) http.Handler {
	if cfg.Directory == nil || cfg.Verifier == nil {
		panic("iamapi: Config.Directory and Config.Verifier are required")
	}
	h := &handler{
		dir:        cfg.Directory,
		verifier:   cfg.Verifier,
		identify:   cfg.Identify,
		authorizer: cfg.Authorizer,
		auditor:    cfg.Auditor,
		accountID:  cfg.AccountID,
		rootTime:   cfg.RootCreated.UTC(),
		logger:     cfg.Logger,
	}
	if h.accountID == "" {
		h.accountID = cfg.Directory.AccountID()
	}
	h.rootARN = "arn:aws:iam::" + h.accountID + ":root"
	if h.identify == nil {
		h.identify = func(accessKey string) (coffer.Principal, bool) {
			p, _, ok := cfg.Directory.AccessKey(accessKey)
			return p, ok
		}
	}
	if h.authorizer == nil {
		h.authorizer = rootOnly{accountID: h.accountID}
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	h.logger = h.logger.With("component", "iam", "region", cfg.Region)
	return h
}

// rootOnly is the authorizer of a handler configured without one: the
// account's root user may do everything, nobody else anything.
type rootOnly struct{ accountID string }

func (a rootOnly) Authorize(ctx context.Context, _ coffer.AccessRequest) (coffer.AccessDecision, error) {
	p, ok := coffer.PrincipalFrom(ctx)
	return coffer.AccessDecision{Allowed: ok && p.IsRoot() && p.AccountID == a.accountID}, nil
}
