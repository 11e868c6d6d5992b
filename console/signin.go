package console

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/cofferlabs/coffer"
)

// Bounds of a sign-in request. AWS access key ids are at most 128
// characters; secrets are 40, Coffer's own root secret may be chosen
// longer, never beyond maxSecretLen.
const (
	maxSignInBody    = 8 << 10
	maxAccessKeyLen  = 128
	maxSecretLen     = 1024
	jsonMediaType    = "application/json"
	sessionTimestamp = time.RFC3339
)

// credentials is the sign-in request's body.
type credentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// sessionInfo is what the browser learns of its session.
type sessionInfo struct {
	CSRFToken   string `json:"csrfToken"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
	AccessKeyID string `json:"accessKeyId"`
	ExpiresAt   string `json:"expiresAt"`
}

func newSessionInfo(v view) sessionInfo {
	return sessionInfo{
		CSRFToken:   v.csrf,
		ARN:         v.principal.ARN,
		AccountID:   v.principal.AccountID,
		UserName:    v.principal.UserName,
		AccessKeyID: v.accessKey,
		ExpiresAt:   v.expires.UTC().Format(sessionTimestamp),
	}
}

// parseCredentials reads a sign-in body: exactly one JSON object with the
// two fields (no others), both non-empty printable ASCII within bounds.
func parseCredentials(body []byte) (credentials, error) {
	var c credentials
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return credentials{}, errMalformedJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return credentials{}, errMalformedJSON
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return credentials{}, errMissingCredentials
	}
	if len(c.AccessKeyID) > maxAccessKeyLen || !printableASCII(c.AccessKeyID) {
		return credentials{}, errInvalidCredentials
	}
	if len(c.SecretAccessKey) > maxSecretLen || !printableASCII(c.SecretAccessKey) {
		return credentials{}, errInvalidCredentials
	}
	return c, nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// readSignInBody checks the media type and reads the bounded body.
func readSignInBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || media != jsonMediaType {
		return nil, errUnsupportedMediaType
	}
	if r.ContentLength > maxSignInBody {
		return nil, errRequestTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSignInBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, errRequestTooLarge
	case err != nil:
		return nil, errMalformedJSON.with("The request body could not be read.")
	}
	return body, nil
}

// signIn checks an access key and its secret and starts a session.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request, _ *view) error {
	body, err := readSignInBody(w, r)
	if err != nil {
		return err
	}
	creds, err := parseCredentials(body)
	clear(body)
	if err != nil {
		if errors.Is(err, errInvalidCredentials) {
			c.log.Warn("console sign-in refused", "sourceIp", sourceIP(r), "reason", "malformed credentials")
		}
		return err
	}
	addr := limitKey(r)
	if ok, wait := c.limiter.take(addr); !ok {
		c.log.Warn("console sign-in rate-limited", "sourceIp", sourceIP(r))
		c.auditSignIn(r, creds.AccessKeyID, coffer.Principal{}, "Too many failed sign-ins from this address.")
		e := *errTooManySignIns
		e.retryAfter = wait
		return &e
	}
	p, ok := c.check(creds)
	if !ok {
		c.log.Warn("console sign-in refused", "sourceIp", sourceIP(r), "reason", "invalid credentials")
		c.auditSignIn(r, creds.AccessKeyID, coffer.Principal{}, "The access key or its secret is not valid.")
		return errInvalidCredentials
	}
	c.limiter.giveBack(addr)
	// A browser signing in again leaves its previous session behind: end
	// it rather than let it live on unreachable.
	for _, ck := range r.CookiesNamed(CookieName) {
		if wellFormedID(ck.Value) {
			c.sessions.end(hashID(ck.Value))
		}
	}
	p.AccessKeyID = creds.AccessKeyID
	id, v := c.sessions.create(creds.AccessKeyID, creds.SecretAccessKey, p)
	http.SetCookie(w, c.sessionCookie(r, id))
	c.log.Info("console sign-in", "sourceIp", sourceIP(r), "accessKey", creds.AccessKeyID, "arn", p.ARN)
	c.auditSignIn(r, creds.AccessKeyID, p, "")
	writeJSON(w, http.StatusOK, newSessionInfo(v))
	return nil
}

// check verifies the secret of an access key in constant time (the same
// work whether the key exists or not: both sides are hashed to a fixed
// length first) and names its principal.
func (c *Console) check(creds credentials) (coffer.Principal, bool) {
	secret, known := c.secret(creds.AccessKeyID)
	want := sha256.Sum256([]byte(secret))
	got := sha256.Sum256([]byte(creds.SecretAccessKey))
	match := subtle.ConstantTimeCompare(want[:], got[:]) == 1
	if !known || !match || secret == "" {
		return coffer.Principal{}, false
	}
	principal, identified := c.identify(creds.AccessKeyID)
	if !identified {
		return coffer.Principal{}, false
	}
	return principal, true
}

// getSession describes the request's session.
func (c *Console) getSession(w http.ResponseWriter, _ *http.Request, v *view) error {
	writeJSON(w, http.StatusOK, newSessionInfo(*v))
	return nil
}

// signOut ends the request's session and drops its cookie.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, v *view) error {
	c.sessions.end(v.key)
	http.SetCookie(w, expiredCookie(r))
	h := w.Header()
	setCommonHeaders(h)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	c.log.Info("console sign-out", "sourceIp", sourceIP(r), "accessKey", v.accessKey)
	return nil
}
