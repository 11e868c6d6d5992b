package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/cofferlabs/coffer"
)

// idBytes is the size of session ids and CSRF tokens, before encoding.
const idBytes = 32

// encodedIDLen is the length of an id as the cookie carries it (unpadded
// base64url of idBytes).
var encodedIDLen = base64.RawURLEncoding.EncodedLen(idBytes)

// sessionKey indexes sessions: the SHA-256 of the cookie's value, so that
// neither the map's timing nor a memory dump of its keys gives a usable id.
type sessionKey [sha256.Size]byte

// session is one signed-in browser. Its fields are guarded by sessions.mu.
type session struct {
	key       sessionKey
	accessKey string
	secret    []byte // wiped when the session ends
	principal coffer.Principal
	csrf      string
	created   time.Time
	lastSeen  time.Time
}

// view is a copy of a session's state for one request, taken under the
// lock: handlers never touch a session the store may be ending.
type view struct {
	key       sessionKey
	accessKey string
	// secret is this request's copy of the secret, for signing; it is
	// garbage once the request ends.
	secret    string
	principal coffer.Principal
	csrf      string
	expires   time.Time
}

// csrfMatches reports whether the request carried exactly one CSRF header
// equal to the session's token, compared in constant time.
func (v *view) csrfMatches(values []string) bool {
	if len(values) != 1 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(values[0]), []byte(v.csrf)) == 1
}

// sessions is the in-memory session store.
type sessions struct {
	now         func() time.Time
	idle, total time.Duration
	max         int

	mu   sync.Mutex
	byID map[sessionKey]*session
}

func newSessions(now func() time.Time, idle, total time.Duration, max int) *sessions {
	return &sessions{now: now, idle: idle, total: total, max: max, byID: make(map[sessionKey]*session)}
}

// lookupResult says why a cookie did not name a live session.
type lookupResult int

const (
	found lookupResult = iota
	absent
	expired
)

// create starts a session and returns its id (the cookie's value) and a
// view of it. It first drops expired sessions and, when the store is full,
// the least recently used one.
func (s *sessions) create(accessKey, secret string, p coffer.Principal) (id string, v view) {
	id = newToken()
	now := s.now()
	sess := &session{
		key:       hashID(id),
		accessKey: accessKey,
		secret:    []byte(secret),
		principal: p,
		csrf:      newToken(),
		created:   now,
		lastSeen:  now,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, old := range s.byID {
		if s.expiredAt(old, now) {
			s.endLocked(old)
		}
	}
	for len(s.byID) >= s.max {
		var oldest *session
		for _, old := range s.byID {
			if oldest == nil || old.lastSeen.Before(oldest.lastSeen) {
				oldest = old
			}
		}
		s.endLocked(oldest)
	}
	s.byID[sess.key] = sess
	return id, s.viewLocked(sess)
}

// lookup finds the live session a cookie value names and marks it used.
// An expired session is ended on the spot.
func (s *sessions) lookup(id string) (view, lookupResult) {
	if !wellFormedID(id) {
		return view{}, absent
	}
	key := hashID(id)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.byID[key]
	if !ok {
		return view{}, absent
	}
	if s.expiredAt(sess, now) {
		s.endLocked(sess)
		return view{}, expired
	}
	sess.lastSeen = now
	return s.viewLocked(sess), found
}

// end ends the session v was taken from, if it still lives.
func (s *sessions) end(key sessionKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.byID[key]; ok {
		s.endLocked(sess)
	}
}

// len is the number of sessions held (live or not yet swept).
func (s *sessions) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

func (s *sessions) endLocked(sess *session) {
	clear(sess.secret)
	sess.secret = nil
	delete(s.byID, sess.key)
}

func (s *sessions) expiredAt(sess *session, now time.Time) bool {
	return !now.Before(sess.lastSeen.Add(s.idle)) || !now.Before(sess.created.Add(s.total))
}

func (s *sessions) viewLocked(sess *session) view {
	expires := sess.lastSeen.Add(s.idle)
	if end := sess.created.Add(s.total); end.Before(expires) {
		expires = end
	}
	return view{
		key:       sess.key,
		accessKey: sess.accessKey,
		secret:    string(sess.secret),
		principal: sess.principal,
		csrf:      sess.csrf,
		expires:   expires,
	}
}

// newToken returns idBytes random bytes, base64url-encoded without padding.
func newToken() string {
	b := make([]byte, idBytes)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) sessionKey { return sha256.Sum256([]byte(id)) }

// wellFormedID reports whether s could be an id newToken made: exactly the
// unpadded base64url encoding of idBytes bytes.
func wellFormedID(s string) bool {
	if len(s) != encodedIDLen {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == idBytes
}

// currentSession is the live session the request's cookie names.
func (c *Console) currentSession(r *http.Request) (*view, error) {
	sawCookie := false
	for _, ck := range r.CookiesNamed(CookieName) {
		sawCookie = true
		switch v, res := c.sessions.lookup(ck.Value); res {
		case found:
			return &v, nil
		case expired:
			return nil, errSessionExpired
		}
	}
	if sawCookie {
		// A cookie naming no session (signed out, dropped, or from before
		// a restart): the browser should forget it.
		e := *errNotSignedIn
		e.clearCookie = true
		return nil, &e
	}
	return nil, errNotSignedIn
}

// sessionCookie is the cookie that carries a new session's id.
func (c *Console) sessionCookie(r *http.Request, id string) *http.Cookie {
	return &http.Cookie{
		Name:     CookieName,
		Value:    id,
		Path:     Prefix,
		MaxAge:   int(c.sessions.total / time.Second),
		HttpOnly: true,
		Secure:   isSecure(r),
		SameSite: http.SameSiteStrictMode,
	}
}

// expiredCookie tells the browser to drop the session cookie.
func expiredCookie(r *http.Request) *http.Cookie {
	return &http.Cookie{
		Name:     CookieName,
		Value:    "",
		Path:     Prefix,
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   isSecure(r),
		SameSite: http.SameSiteStrictMode,
	}
}

// isSecure reports whether the browser's connection was TLS: to Coffer,
// or to a trusted proxy that said so (the request facts the transport
// middleware put in the context); without facts, the connection's own.
func isSecure(r *http.Request) bool {
	info := coffer.RequestInfoFrom(r.Context())
	if info.SourceIP == "" && !info.SecureTransport {
		return r.TLS != nil
	}
	return info.SecureTransport
}
