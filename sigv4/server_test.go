package sigv4

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Test credentials for the round trips; the secret has the characters real
// secrets have ('/' and '+').
const (
	testAccessKey = "COFFERTESTKEY0000001"
	testSecret    = "s3cr3t/K7MDENG+bPxRfiCY0123456789abcdefg"
	testRegion    = "eu-central-1"
)

func testVerifier() *Verifier {
	return &Verifier{Secret: func(ak string) (string, bool) { return testSecret, ak == testAccessKey }}
}

// captured is what the verifying server saw of one request.
type captured struct {
	method, path, query string
	payloadHeader       string // x-amz-content-sha256 as sent
	auth                *Auth
	verifyErr           error
	body                []byte
	readErr             error
	trailers            map[string]string
}

// verifyServer answers like a minimal S3: it verifies each request, drains
// the verified body and records everything. It speaks enough of the
// multipart API for minio-go's uploads of unknown size.
type verifyServer struct {
	*httptest.Server
	verifier *Verifier
	service  string
	mu       sync.Mutex
	requests []captured
}

func newVerifyServer(t *testing.T, v *Verifier, service string, useTLS bool) *verifyServer {
	t.Helper()
	s := &verifyServer{verifier: v, service: service}
	if useTLS {
		s.Server = httptest.NewTLSServer(s)
	} else {
		s.Server = httptest.NewServer(s)
	}
	t.Cleanup(s.Close)
	return s
}

func (s *verifyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := captured{method: r.Method, path: r.URL.EscapedPath(), query: r.URL.RawQuery, payloadHeader: r.Header.Get("X-Amz-Content-Sha256")}
	c.auth, c.verifyErr = s.verifier.Verify(r, s.service)
	if c.verifyErr == nil {
		c.body, c.readErr = io.ReadAll(c.auth.Body)
		c.auth.Body.Close()
		c.trailers = map[string]string{}
		for _, name := range strings.Split(r.Header.Get("X-Amz-Trailer"), ",") {
			if name = strings.TrimSpace(name); name != "" {
				c.trailers[name] = c.auth.Trailer(name)
			}
		}
	} else {
		io.Copy(io.Discard, r.Body)
	}
	s.mu.Lock()
	s.requests = append(s.requests, c)
	s.mu.Unlock()
	switch {
	case c.verifyErr != nil:
		writeError(w, http.StatusForbidden, "SignatureDoesNotMatch", c.verifyErr)
	case c.readErr != nil:
		writeError(w, http.StatusBadRequest, "BadRequest", c.readErr)
	default:
		s.answer(w, r, c.body)
	}
}

func (s *verifyServer) answer(w http.ResponseWriter, r *http.Request, body []byte) {
	sum := md5.Sum(body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	q := r.URL.Query()
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		writeXML(w, struct {
			XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
			Bucket   string
			Key      string
			UploadID string `xml:"UploadId"`
		}{Bucket: bucket, Key: key, UploadID: "upload-1"})
	case r.Method == http.MethodPost && q.Has("uploadId"):
		writeXML(w, struct {
			XMLName xml.Name `xml:"CompleteMultipartUploadResult"`
			Bucket  string
			Key     string
			ETag    string
		}{Bucket: bucket, Key: key, ETag: `"multipart-1"`})
	default:
		w.Header().Set("ETag", etag)
		w.WriteHeader(http.StatusOK)
	}
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml")
	b, _ := xml.Marshal(v)
	w.Write(append([]byte(xml.Header), b...))
}

func writeError(w http.ResponseWriter, status int, code string, err error) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "%s<Error><Code>%s</Code><Message>%s</Message></Error>", xml.Header, code, xmlEscape(err.Error()))
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// all returns the requests seen so far.
func (s *verifyServer) all() []captured {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]captured(nil), s.requests...)
}

// last returns the most recent request.
func (s *verifyServer) last(t *testing.T) captured {
	t.Helper()
	all := s.all()
	if len(all) == 0 {
		t.Fatal("the server saw no request")
	}
	return all[len(all)-1]
}

// ok fails the test unless the request verified and its body read cleanly.
func (c captured) ok(t *testing.T) {
	t.Helper()
	if c.verifyErr != nil {
		t.Fatalf("%s %s?%s: Verify: %v", c.method, c.path, c.query, c.verifyErr)
	}
	if c.readErr != nil {
		t.Fatalf("%s %s?%s: reading body: %v", c.method, c.path, c.query, c.readErr)
	}
}

// escapeKey encodes an object key the way the SDKs put it on the path:
// everything but unreserved characters and '/'.
func escapeKey(key string) string {
	var b strings.Builder
	for _, seg := range strings.SplitAfter(key, "/") {
		name, slash := strings.CutSuffix(seg, "/")
		b.WriteString(uriEncode(name))
		if slash {
			b.WriteByte('/')
		}
	}
	return b.String()
}
