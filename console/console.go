package console

import (
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cofferlabs/coffer"
)

// Prefix is the path under which the console is served. The handler New
// returns expects full request paths (mount it at Prefix without
// http.StripPrefix).
const Prefix = "/_coffer/console/"

const (
	apiPrefix   = Prefix + "api/"
	awsPrefix   = apiPrefix + "aws/"
	sessionPath = apiPrefix + "session"

	// CookieName is the session cookie's name.
	CookieName = "coffer_console"
	// CSRFHeader carries the session's CSRF token on state-changing requests.
	CSRFHeader = "X-CSRF-Token"
)

// Defaults for the Config fields left zero.
const (
	DefaultRegion           = "us-east-1"
	DefaultIdleTimeout      = 30 * time.Minute
	DefaultMaxLifetime      = 12 * time.Hour
	DefaultMaxSessions      = 1000
	DefaultSignInsPerMinute = 10
)

// Config wires the console to the server.
type Config struct {
	// Router is Coffer's main router, which the proxy hands re-signed
	// requests to. It should be the handler inside the transport
	// middleware: the forwarded request keeps the browser request's
	// context, where that middleware already put the request facts (source
	// IP, TLS); a second pass would see no X-Forwarded-* headers (the proxy
	// never forwards them) and, behind a trusted proxy, take that proxy for
	// the client. It may be nil here and set later with SetRouter (the
	// router usually contains the console); until then proxied calls answer
	// 503.
	Router http.Handler
	// Secret returns the secret access key of an active access key (the
	// root user's or a directory user's); !ok for unknown and inactive
	// keys. Required.
	Secret func(accessKey string) (secret string, ok bool)
	// Identify maps a verified access key to its principal; !ok refuses
	// the sign-in. Required.
	Identify func(accessKey string) (coffer.Principal, bool)
	// Region is the region requests are signed for; "" means us-east-1.
	Region string
	// Logger receives sign-ins, sign-outs, refusals and internal errors
	// (never a secret, cookie, CSRF token or request body); nil discards.
	Logger *slog.Logger
	// Auditor records every sign-in attempt (ConsoleLogin); nil records
	// none.
	Auditor coffer.Auditor
	// Now is the clock of sessions and the sign-in rate limit; nil means
	// time.Now. Signatures always use the real time, as the verifier does.
	Now func() time.Time

	// IdleTimeout ends a session unused this long; 0 means 30 minutes.
	IdleTimeout time.Duration
	// MaxLifetime ends a session this long after sign-in, used or not;
	// 0 means 12 hours.
	MaxLifetime time.Duration
	// MaxSessions bounds the live sessions; signing in beyond it drops the
	// least recently used one. 0 means 1000.
	MaxSessions int
	// SignInsPerMinute is how many failed sign-ins a source address may
	// make per minute (a burst of that many, refilled evenly); 0 means 10.
	SignInsPerMinute int
}

// Console is the console's http.Handler.
type Console struct {
	router   atomic.Pointer[http.Handler]
	secret   func(string) (string, bool)
	identify func(string) (coffer.Principal, bool)
	region   string
	log      *slog.Logger
	auditor  coffer.Auditor
	sessions *sessions
	limiter  *limiter
	assets   *assets
	origins  *http.CrossOriginProtection
}

// New returns the console for cfg. It panics when Secret or Identify is
// missing, or when the embedded assets cannot be read: wiring mistakes,
// not runtime conditions.
func New(cfg Config) *Console {
	if cfg.Secret == nil || cfg.Identify == nil {
		panic("console: Config.Secret and Config.Identify are required")
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxLifetime <= 0 {
		cfg.MaxLifetime = DefaultMaxLifetime
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.SignInsPerMinute <= 0 {
		cfg.SignInsPerMinute = DefaultSignInsPerMinute
	}
	a, err := loadAssets(webFiles, "web")
	if err != nil {
		panic("console: embedded assets: " + err.Error())
	}
	c := &Console{
		secret:   cfg.Secret,
		identify: cfg.Identify,
		region:   cfg.Region,
		log:      cfg.Logger.With("component", "console"),
		auditor:  cfg.Auditor,
		sessions: newSessions(cfg.Now, cfg.IdleTimeout, cfg.MaxLifetime, cfg.MaxSessions),
		limiter:  newLimiter(cfg.Now, cfg.SignInsPerMinute, maxLimiterEntries),
		assets:   a,
		origins:  http.NewCrossOriginProtection(),
	}
	if cfg.Router != nil {
		c.SetRouter(cfg.Router)
	}
	return c
}

// SetRouter sets the handler proxied calls go to (see Config.Router). It
// is safe to call while requests are served.
func (c *Console) SetRouter(h http.Handler) { c.router.Store(&h) }

func (c *Console) routerHandler() http.Handler {
	if h := c.router.Load(); h != nil {
		return *h
	}
	return nil
}

// ServeHTTP serves requests whose path is under Prefix.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == strings.TrimSuffix(Prefix, "/"):
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
	case path == strings.TrimSuffix(apiPrefix, "/") || strings.HasPrefix(path, apiPrefix):
		c.serveAPI(w, r)
	case strings.HasPrefix(path, Prefix):
		if err := c.assets.serve(w, r); err != nil {
			c.renderError(w, r, err)
		}
	default:
		c.renderError(w, r, errNotFound)
	}
}

// access is what an endpoint requires of the caller.
type access int

const (
	accessPublic  access = iota // no session (sign-in)
	accessSession               // a live session
	accessCSRF                  // a live session and its CSRF token
)

// endpoint is one method on one API path.
type endpoint struct {
	method string
	access access
	handle func(c *Console, w http.ResponseWriter, r *http.Request, s *view) error
}

// sessionEndpoints are the methods of /_coffer/console/api/session.
var sessionEndpoints = []endpoint{
	{http.MethodPost, accessPublic, (*Console).signIn},
	{http.MethodGet, accessSession, (*Console).getSession},
	{http.MethodDelete, accessCSRF, (*Console).signOut},
}

// serveAPI dispatches /_coffer/console/api/...: the origin check for
// state-changing requests, then the route's method, session and CSRF
// requirements, then its handler. Every error is rendered by renderError.
func (c *Console) serveAPI(w http.ResponseWriter, r *http.Request) {
	if err := c.dispatchAPI(w, r); err != nil {
		c.renderError(w, r, err)
	}
}

func (c *Console) dispatchAPI(w http.ResponseWriter, r *http.Request) error {
	if err := c.origins.Check(r); err != nil {
		return errCrossOrigin
	}
	path := r.URL.Path
	switch {
	case path == sessionPath:
		for _, e := range sessionEndpoints {
			if e.method == r.Method {
				return c.run(w, r, e)
			}
		}
		return methodNotAllowed(http.MethodGet, http.MethodPost, http.MethodDelete)
	case path == strings.TrimSuffix(awsPrefix, "/") || strings.HasPrefix(path, awsPrefix):
		return c.run(w, r, endpoint{method: r.Method, access: proxyAccess(r.Method), handle: (*Console).proxy})
	}
	return errNotFound
}

// proxyAccess is what a proxied call needs: reads a session, everything
// else its CSRF token too.
func proxyAccess(method string) access {
	if method == http.MethodGet || method == http.MethodHead {
		return accessSession
	}
	return accessCSRF
}

// run checks e's access requirements and calls its handler.
func (c *Console) run(w http.ResponseWriter, r *http.Request, e endpoint) error {
	if e.access == accessPublic {
		return e.handle(c, w, r, nil)
	}
	v, err := c.currentSession(r)
	if err != nil {
		return err
	}
	if e.access == accessCSRF && !v.csrfMatches(r.Header.Values(CSRFHeader)) {
		return errInvalidCSRF
	}
	return e.handle(c, w, r, v)
}
