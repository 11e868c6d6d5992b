package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// maxAPIBody bounds the body of a KMS, CloudTrail, IAM or STS call (their
// own limit too). S3 bodies are streamed, unbounded here.
const maxAPIBody = 1 << 20

const (
	unsignedPayload = "UNSIGNED-PAYLOAD"
	jsonAPIType     = "application/x-amz-json-1.1"
	formType        = "application/x-www-form-urlencoded; charset=utf-8"
)

// service is how the proxy forwards to one of Coffer's APIs.
type service struct {
	// s3 services take the method, path and query as given and stream
	// the body; the others are POST / with a buffered, hashed body.
	s3 bool
	// targets are the X-Amz-Target prefixes the service answers; nil for
	// services that take no X-Amz-Target.
	targets []string
	// contentType replaces the browser's (non-S3 services).
	contentType string
	methods     []string
}

// services are the APIs the console may call, by the SigV4 service name
// they are signed for (also the path segment after /api/aws/).
var services = map[string]service{
	"s3": {s3: true, methods: []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete}},
	"kms": {targets: []string{"TrentService."}, contentType: jsonAPIType,
		methods: []string{http.MethodPost}},
	"cloudtrail": {targets: []string{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.", "CloudTrail_20131101."},
		contentType: jsonAPIType, methods: []string{http.MethodPost}},
	"iam": {contentType: formType, methods: []string{http.MethodPost}},
	"sts": {contentType: formType, methods: []string{http.MethodPost}},
}

// target is where a proxied call goes.
type target struct {
	service string
	path    string // decoded, as http.Request.URL.Path
	rawPath string // its escaped form, as the browser sent it ("" when the same)
}

// parseTarget reads /_coffer/console/api/aws/{service}/{rest...} (escaped,
// as r.URL.EscapedPath gives it). Non-S3 services take no rest. An S3 rest
// must not start with "/" or "_coffer" (either would leave S3 for another
// part of the router, /_coffer/ being the operator API) nor have "." or
// ".." segments, in its decoded form.
func parseTarget(escapedPath string) (target, error) {
	rest, ok := strings.CutPrefix(escapedPath, awsPrefix)
	if !ok {
		if escapedPath == strings.TrimSuffix(awsPrefix, "/") {
			return target{}, errUnknownService
		}
		return target{}, errInvalidPath
	}
	name, rawRest, _ := strings.Cut(rest, "/")
	svc, ok := services[name]
	if !ok {
		return target{}, errUnknownService
	}
	if !svc.s3 {
		if rawRest != "" {
			return target{}, errInvalidPath.with("Calls to " + name + " go to /_coffer/console/api/aws/" + name + "/ with no further path.")
		}
		return target{service: name, path: "/"}, nil
	}
	decoded, err := url.PathUnescape(rawRest)
	if err != nil {
		return target{}, errInvalidPath.with("The path is not validly percent-encoded.")
	}
	if err := checkS3Path(decoded); err != nil {
		return target{}, err
	}
	t := target{service: name, path: "/" + decoded}
	if rawRest != decoded {
		t.rawPath = "/" + rawRest
	}
	return t, nil
}

func checkS3Path(p string) error {
	if strings.HasPrefix(p, "/") {
		return errInvalidPath.with("The path must start with a bucket name.")
	}
	if len(p) >= len("_coffer") && strings.EqualFold(p[:len("_coffer")], "_coffer") {
		return errInvalidPath.with("Paths under /_coffer/ are Coffer's own endpoints, not S3.")
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return errInvalidPath.with(`Paths with "." or ".." segments are refused.`)
		}
	}
	return nil
}

// checkS3Query refuses a malformed query and one carrying credentials:
// the proxy's signature is the request's only one.
func checkS3Query(raw string) error {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return errInvalidQuery.with("The query string is malformed.")
	}
	for name := range q {
		if hasPrefixFold(name, "X-Amz-") || strings.EqualFold(name, "AWSAccessKeyId") || strings.EqualFold(name, "Signature") {
			return errInvalidQuery.with("Credentials in the query string are refused: the console signs every call.")
		}
	}
	return nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// s3HeaderBlocked are x-amz-* headers the browser may not set: the
// signer's own, the router's (X-Amz-Target picks another API) and
// aws-chunked framing, which the proxy never uses.
var s3HeaderBlocked = map[string]bool{
	"x-amz-date":                   true,
	"x-amz-content-sha256":         true,
	"x-amz-security-token":         true,
	"x-amz-target":                 true,
	"x-amz-trailer":                true,
	"x-amz-decoded-content-length": true,
}

// forwardS3Header reports whether a browser header goes on to S3:
// Content-Type, Content-MD5, Range, If-* and x-amz-* but the blocked ones.
// Content-Length travels as the request's length.
func forwardS3Header(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case lower == "content-type", lower == "content-md5", lower == "range":
		return true
	case strings.HasPrefix(lower, "if-"):
		return true
	case strings.HasPrefix(lower, "x-amz-"):
		return !s3HeaderBlocked[lower]
	}
	return false
}

// validTarget reports whether an X-Amz-Target names an operation under
// one of prefixes (letters only, as every AWS operation name is).
func validTarget(target string, prefixes []string) bool {
	for _, p := range prefixes {
		if op, ok := strings.CutPrefix(target, p); ok && op != "" && isLetters(op) {
			return true
		}
	}
	return false
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// proxy re-signs the browser's call with the session's key and hands it to
// the router in process; the API's answer goes back as it is, streamed.
func (c *Console) proxy(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := parseTarget(r.URL.EscapedPath())
	if err != nil {
		return err
	}
	svc := services[t.service]
	if !slices.Contains(svc.methods, r.Method) {
		return methodNotAllowed(svc.methods...)
	}
	router := c.routerHandler()
	if router == nil {
		return errRouterUnavailable
	}
	fwd, payloadHash, err := buildForward(w, r, t, svc)
	if err != nil {
		return err
	}
	// A signer per call: the SDK's signer caches the last signing key it
	// derived (a credential for the day), which must not outlive the call.
	creds := aws.Credentials{AccessKeyID: v.accessKey, SecretAccessKey: v.secret}
	err = v4.NewSigner().SignHTTP(r.Context(), creds, fwd, payloadHash, t.service, c.region, time.Now(),
		func(o *v4.SignerOptions) {
			o.DisableURIPathEscaping = svc.s3 // S3 signs the path as sent
			o.LogSigning = false
		})
	if err != nil {
		return err
	}
	// The verifier reads the request target as a server sees it.
	fwd.RequestURI = fwd.URL.RequestURI()
	pw := &proxyWriter{ResponseWriter: w}
	router.ServeHTTP(pw, fwd)
	return nil
}

// buildForward makes the request the router sees: the browser request's
// context (its request facts), peer address and TLS state; only the
// headers the service takes; for S3 the browser's body, streamed, with
// UNSIGNED-PAYLOAD; for the others the body read (at most maxAPIBody) and
// hashed.
func buildForward(w http.ResponseWriter, r *http.Request, t target, svc service) (*http.Request, string, error) {
	fwd, err := http.NewRequestWithContext(r.Context(), r.Method, "/", nil)
	if err != nil {
		return nil, "", err
	}
	fwd.URL = &url.URL{Path: t.path, RawPath: t.rawPath}
	fwd.Host = r.Host
	fwd.RemoteAddr = r.RemoteAddr
	fwd.TLS = r.TLS
	fwd.Proto, fwd.ProtoMajor, fwd.ProtoMinor = r.Proto, r.ProtoMajor, r.ProtoMinor
	fwd.Header = make(http.Header)
	if ua := r.Header.Get("User-Agent"); ua != "" {
		fwd.Header.Set("User-Agent", ua) // a request fact; never signed
	}

	if svc.s3 {
		if err := checkS3Query(r.URL.RawQuery); err != nil {
			return nil, "", err
		}
		fwd.URL.RawQuery = r.URL.RawQuery
		for name, values := range r.Header {
			if forwardS3Header(name) {
				fwd.Header[name] = append([]string(nil), values...)
			}
		}
		fwd.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
		fwd.ContentLength = r.ContentLength
		switch {
		case r.ContentLength == 0 || r.Body == nil:
			fwd.Body, fwd.ContentLength = http.NoBody, 0
		default:
			fwd.Body = r.Body
			if r.ContentLength < 0 {
				fwd.TransferEncoding = []string{"chunked"}
			}
		}
		return fwd, unsignedPayload, nil
	}

	if r.URL.RawQuery != "" {
		return nil, "", errInvalidQuery.with("Calls to " + t.service + " take their parameters in the body, not the query string.")
	}
	if svc.targets != nil {
		values := r.Header.Values("X-Amz-Target")
		if len(values) != 1 || !validTarget(values[0], svc.targets) {
			return nil, "", errInvalidTarget
		}
		fwd.Header.Set("X-Amz-Target", values[0])
	}
	fwd.Header.Set("Content-Type", svc.contentType)
	body, err := readAPIBody(w, r)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	fwd.Body, fwd.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	if len(body) == 0 {
		fwd.Body = http.NoBody
	}
	return fwd, hex.EncodeToString(sum[:]), nil
}

func readAPIBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > maxAPIBody {
		return nil, errRequestTooLarge.with("The request body is larger than 1 MiB.")
	}
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, errRequestTooLarge.with("The request body is larger than 1 MiB.")
	case err != nil:
		return nil, errIncompleteBody
	}
	return body, nil
}

// proxySandbox is the policy of every proxied response: whatever an
// object's Content-Type, nothing it contains runs, loads or frames on the
// console's origin.
const proxySandbox = "default-src 'none'; sandbox; frame-ancestors 'none'"

// proxyWriter passes the API's response through, streamed, after taking
// out what must not reach the browser from it: Set-Cookie (the console's
// cookie is the only one on its path) and CORS headers (the console's API
// is same-origin only); and putting in headers that keep a response served
// from the console's origin inert.
type proxyWriter struct {
	http.ResponseWriter
	wroteHeader bool
}

func (p *proxyWriter) WriteHeader(status int) {
	if !p.wroteHeader && status >= 200 {
		p.wroteHeader = true
		sanitizeResponseHeader(p.Header())
	}
	p.ResponseWriter.WriteHeader(status)
}

func (p *proxyWriter) Write(b []byte) (int, error) {
	if !p.wroteHeader {
		p.WriteHeader(http.StatusOK)
	}
	return p.ResponseWriter.Write(b)
}

// Flush keeps long responses streaming through the wrapper.
func (p *proxyWriter) Flush() {
	if !p.wroteHeader {
		p.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(p.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (p *proxyWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

func sanitizeResponseHeader(h http.Header) {
	for name := range h {
		if strings.EqualFold(name, "Set-Cookie") || hasPrefixFold(name, "Access-Control-") {
			delete(h, name)
		}
	}
	h.Set("Content-Security-Policy", proxySandbox)
	setCommonHeaders(h)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
}
