package console

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/sigv4"
)

// forwarded is what a recording router saw of one forwarded request.
type forwarded struct {
	method, path, rawPath, query, requestURI string
	host, remoteAddr                         string
	tls                                      *tls.ConnectionState
	header                                   http.Header
	body                                     []byte
	contentLength                            int64
	info                                     coffer.RequestInfo
	auth                                     *sigv4.Auth
	authErr                                  error
}

// recorder is a router that verifies the signature as Coffer's APIs do,
// records the request, and answers with respond.
type recorder struct {
	verifier *sigv4.Verifier
	respond  func(w http.ResponseWriter, r *http.Request)

	mu   sync.Mutex
	seen []forwarded
}

func newRecorder() *recorder {
	return &recorder{verifier: &sigv4.Verifier{Secret: testAccounts{}.secret}}
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	service := signedService(r.Header.Get("Authorization"))
	auth, err := rec.verifier.Verify(r, service)
	f := forwarded{
		method: r.Method, path: r.URL.Path, rawPath: r.URL.RawPath, query: r.URL.RawQuery, requestURI: r.RequestURI,
		host: r.Host, remoteAddr: r.RemoteAddr, tls: r.TLS, header: r.Header.Clone(),
		contentLength: r.ContentLength, info: coffer.RequestInfoFrom(r.Context()), auth: auth, authErr: err,
	}
	if err == nil {
		f.body, _ = io.ReadAll(auth.Body)
	}
	rec.mu.Lock()
	rec.seen = append(rec.seen, f)
	rec.mu.Unlock()
	if rec.respond != nil {
		rec.respond(w, r)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (rec *recorder) last(t testing.TB) forwarded {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.seen) == 0 {
		t.Fatal("nothing was forwarded")
	}
	return rec.seen[len(rec.seen)-1]
}

// signedService is the service of an Authorization header's credential
// scope (AKID/date/region/service/aws4_request).
func signedService(authorization string) string {
	_, cred, ok := strings.Cut(authorization, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

// proxyHarness is a console with a recording router and a signed-in root.
type proxyHarness struct {
	*harness
	router *recorder
	cookie string
	csrf   string
}

func newProxyHarness(t testing.TB) *proxyHarness {
	router := newRecorder()
	h := newHarness(t, func(c *Config) { c.Router = router })
	cookie, info := h.signIn(testRootKey, testRootSecret)
	return &proxyHarness{harness: h, router: router, cookie: cookie, csrf: info.CSRFToken}
}

func (p *proxyHarness) call(r *http.Request) *httptest.ResponseRecorder {
	p.t.Helper()
	return p.do(withSession(r, p.cookie, p.csrf))
}

// TestProxyForwardsOnlyListedHeaders sends every header a browser could
// try to smuggle and checks what reaches the router, and that the
// signature there is the proxy's, for the session's key.
func TestProxyForwardsOnlyListedHeaders(t *testing.T) {
	smuggled := []string{
		"Authorization", "AWS4-HMAC-SHA256 Credential=AKIAOTHER/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
		"X-Amz-Date", "20200101T000000Z",
		"X-Amz-Security-Token", "token",
		"X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
		"X-Amz-Target", "TrentService.ScheduleKeyDeletion",
		"X-Amz-Trailer", "x-amz-checksum-crc32",
		"X-Amz-Decoded-Content-Length", "5",
		"Content-Encoding", "aws-chunked",
		"X-Forwarded-For", "10.9.9.9",
		"X-Forwarded-Proto", "https",
		"X-Forwarded-Host", "evil.example",
		"Forwarded", "for=10.9.9.9;proto=https",
		"X-Real-Ip", "10.9.9.9",
		"Content-Disposition", "attachment",
		"Expect", "100-continue",
		"Origin", "http://example.com",
		"Transfer-Encoding", "identity",
	}
	kept := []string{
		"Content-Type", "text/plain",
		"Content-Md5", "XUFAKrxLKna5cZ2REBfFkg==",
		"Range", "bytes=0-1",
		"If-Match", `"abc"`,
		"If-None-Match", `"def"`,
		"If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT",
		"X-Amz-Server-Side-Encryption", "aws:kms",
		"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "alias/demo",
		"X-Amz-Meta-Color", "blue",
		"X-Amz-Checksum-Crc32", "NhCmhg==",
	}
	p := newProxyHarness(t)
	r := request(http.MethodPut, awsPrefix+"s3/bucket/dir/a%20b%2Bc.txt?x-id=PutObject", "hello", append(append([]string{}, smuggled...), kept...)...)
	r.AddCookie(&http.Cookie{Name: "other", Value: "x"})
	rec := p.call(r)
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	f := p.router.last(t)
	if f.authErr != nil {
		t.Fatalf("the forwarded request's signature does not verify: %v", f.authErr)
	}
	if f.auth.AccessKey != testRootKey || f.auth.SignatureVersion != sigv4.SignatureV4 {
		t.Errorf("signed by %q v%d", f.auth.AccessKey, f.auth.SignatureVersion)
	}
	if string(f.body) != "hello" || f.contentLength != 5 {
		t.Errorf("body %q, length %d", f.body, f.contentLength)
	}
	if f.method != http.MethodPut || f.path != "/bucket/dir/a b+c.txt" || f.query != "x-id=PutObject" {
		t.Errorf("forwarded %s %q ?%q", f.method, f.path, f.query)
	}
	for i := 0; i < len(kept); i += 2 {
		if got := f.header.Get(kept[i]); got != kept[i+1] {
			t.Errorf("%s: %q, want %q", kept[i], got, kept[i+1])
		}
	}
	allowed := map[string]bool{"Authorization": true, "X-Amz-Date": true, "X-Amz-Content-Sha256": true, "User-Agent": true}
	for i := 0; i < len(kept); i += 2 {
		allowed[http.CanonicalHeaderKey(kept[i])] = true
	}
	for name := range f.header {
		if !allowed[name] {
			t.Errorf("header %s reached the router", name)
		}
	}
	if got := f.header.Get("X-Amz-Content-Sha256"); got != unsignedPayload {
		t.Errorf("X-Amz-Content-Sha256 %q", got)
	}
	if got := f.header.Get("X-Amz-Date"); got == "20200101T000000Z" {
		t.Error("the browser's X-Amz-Date reached the router")
	}
	if strings.Contains(f.header.Get("Authorization"), "AKIAOTHER") {
		t.Error("the browser's Authorization reached the router")
	}
}

// TestProxyKeepsRequestFacts: the forwarded request carries the browser
// request's context (request facts), peer address, TLS state and Host.
func TestProxyKeepsRequestFacts(t *testing.T) {
	p := newProxyHarness(t)
	facts := coffer.RequestInfo{SourceIP: "203.0.113.50", SecureTransport: true, TLSVersion: "TLSv1.3", UserAgent: "browser/1", Host: "coffer.example:9443"}
	state := &tls.ConnectionState{Version: tls.VersionTLS13}
	r := request(http.MethodGet, awsPrefix+"s3/bucket?list-type=2&prefix=a%2Fb", "", "User-Agent", "browser/1")
	r.Host = "coffer.example:9443"
	r.TLS = state
	type ctxKey struct{}
	r = r.WithContext(context.WithValue(coffer.WithRequestInfo(r.Context(), facts), ctxKey{}, "mark"))
	p.call(r)
	f := p.router.last(t)
	if f.info != facts {
		t.Errorf("request facts %+v, want %+v", f.info, facts)
	}
	if f.remoteAddr != browserAddr || f.tls != state || f.host != "coffer.example:9443" {
		t.Errorf("peer %q tls %v host %q", f.remoteAddr, f.tls, f.host)
	}
	if f.header.Get("User-Agent") != "browser/1" {
		t.Errorf("User-Agent %q", f.header.Get("User-Agent"))
	}
	if f.authErr != nil {
		t.Errorf("signature: %v", f.authErr)
	}
	if f.requestURI != "/bucket?list-type=2&prefix=a%2Fb" {
		t.Errorf("RequestURI %q", f.requestURI)
	}
}

// TestProxyNonS3 checks the shape of forwarded KMS, CloudTrail, IAM and
// STS calls: POST /, the service's content type, the target, the body
// hashed into the signature.
func TestProxyNonS3(t *testing.T) {
	cases := []struct {
		service, target, body, wantType string
	}{
		{"kms", "TrentService.ListKeys", `{"Limit":10}`, jsonAPIType},
		{"cloudtrail", "CloudTrail_20131101.LookupEvents", `{}`, jsonAPIType},
		{"cloudtrail", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", `{}`, jsonAPIType},
		{"iam", "", "Action=ListUsers&Version=2010-05-08", formType},
		{"sts", "", "Action=GetCallerIdentity&Version=2011-06-15", formType},
	}
	for _, tc := range cases {
		t.Run(tc.service+" "+tc.target, func(t *testing.T) {
			p := newProxyHarness(t)
			headers := []string{"Content-Type", "text/html", "X-Amz-Meta-X", "y"}
			if tc.target != "" {
				headers = append(headers, "X-Amz-Target", tc.target)
			} else {
				headers = append(headers, "X-Amz-Target", "TrentService.ListKeys") // ignored for iam and sts
			}
			rec := p.call(request(http.MethodPost, awsPrefix+tc.service+"/", tc.body, headers...))
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			f := p.router.last(t)
			if f.method != http.MethodPost || f.path != "/" || f.query != "" {
				t.Errorf("forwarded %s %q ?%q", f.method, f.path, f.query)
			}
			if f.authErr != nil {
				t.Fatalf("signature: %v", f.authErr)
			}
			if got := signedService(f.header.Get("Authorization")); got != tc.service {
				t.Errorf("signed for %q", got)
			}
			if string(f.body) != tc.body {
				t.Errorf("body %q", f.body)
			}
			if f.header.Get("Content-Type") != tc.wantType {
				t.Errorf("Content-Type %q", f.header.Get("Content-Type"))
			}
			if f.header.Get("X-Amz-Target") != tc.target {
				t.Errorf("X-Amz-Target %q, want %q", f.header.Get("X-Amz-Target"), tc.target)
			}
			if f.header.Get("X-Amz-Meta-X") != "" {
				t.Error("an x-amz-* header reached a non-S3 API")
			}
		})
	}
}

// TestProxyBodyTamperFails: the signature covers a non-S3 body, so a
// router seeing another body refuses it.
func TestProxyBodyTamperFails(t *testing.T) {
	router := newRecorder()
	h := newHarness(t, func(c *Config) {
		c.Router = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader("Action=DeleteUser&UserName=x&Version=2010-05-08"))
			router.ServeHTTP(w, r)
		})
	})
	cookie, info := h.signIn(testRootKey, testRootSecret)
	h.do(withSession(request(http.MethodPost, awsPrefix+"iam/", "Action=ListUsers&Version=2010-05-08"), cookie, info.CSRFToken))
	if f := router.last(t); f.authErr == nil {
		t.Errorf("a swapped body verified: %q", f.body)
	}
}

// TestProxyResponsePassthrough: status, headers and body come back as the
// API wrote them, minus Set-Cookie and CORS headers, plus the sandbox.
func TestProxyResponsePassthrough(t *testing.T) {
	p := newProxyHarness(t)
	p.router.respond = func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html")
		h.Set("ETag", `"0123"`)
		h.Set("X-Amz-Server-Side-Encryption", "aws:kms")
		h.Set("X-Amz-Request-Id", "REQ1")
		h.Add("Set-Cookie", "session=stolen; Path=/")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Content-Security-Policy", "script-src *")
		w.WriteHeader(http.StatusPartialContent)
		io.WriteString(w, "<script>alert(1)</script>")
	}
	rec := p.call(request(http.MethodGet, awsPrefix+"s3/bucket/page.html", "", "Range", "bytes=0-100"))
	if rec.Code != http.StatusPartialContent || rec.Body.String() != "<script>alert(1)</script>" {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
	h := rec.Header()
	for name, want := range map[string]string{
		"Content-Type":                     "text/html",
		"ETag":                             `"0123"`,
		"X-Amz-Server-Side-Encryption":     "aws:kms",
		"X-Amz-Request-Id":                 "REQ1",
		"Content-Security-Policy":          proxySandbox,
		"X-Content-Type-Options":           "nosniff",
		"Cache-Control":                    "no-store",
		"Set-Cookie":                       "",
		"Access-Control-Allow-Origin":      "",
		"Access-Control-Allow-Credentials": "",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s %q, want %q", name, got, want)
		}
	}
}

// TestProxyStreamsUploads: the router reads the start of an S3 body while
// the browser is still sending the rest (the proxy does not buffer).
func TestProxyStreamsUploads(t *testing.T) {
	firstChunk := make(chan []byte, 1)
	release := make(chan struct{})
	var got []byte
	h := newHarness(t, func(c *Config) {
		c.Router = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			buf := make([]byte, 4)
			if _, err := io.ReadFull(r.Body, buf); err != nil {
				t.Error(err)
			}
			firstChunk <- buf
			<-release
			rest, _ := io.ReadAll(r.Body)
			got = append(buf, rest...)
			w.WriteHeader(http.StatusOK)
		})
	})
	cookie, info := h.signIn(testRootKey, testRootSecret)
	pr, pw := io.Pipe()
	r := withSession(request(http.MethodPut, awsPrefix+"s3/bucket/key", ""), cookie, info.CSRFToken)
	r.Body, r.ContentLength = pr, 8
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.console.ServeHTTP(rec, r)
		done <- rec.Code
	}()
	pw.Write([]byte("abcd"))
	select {
	case b := <-firstChunk:
		if string(b) != "abcd" {
			t.Errorf("first chunk %q", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the router saw nothing before the body was complete: the proxy buffers")
	}
	close(release)
	pw.Write([]byte("efgh"))
	pw.Close()
	if code := <-done; code != http.StatusOK || string(got) != "abcdefgh" {
		t.Errorf("%d %q", code, got)
	}
}

// TestProxyRouterSetLater: SetRouter after New takes effect.
func TestProxyRouterSetLater(t *testing.T) {
	h := newHarness(t)
	cookie, _ := h.signIn(testRootKey, testRootSecret)
	get := func() int {
		return h.do(withSession(request(http.MethodGet, awsPrefix+"s3/", ""), cookie, "")).Code
	}
	if code := get(); code != http.StatusServiceUnavailable {
		t.Errorf("before SetRouter: %d", code)
	}
	h.console.SetRouter(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	if code := get(); code != http.StatusTeapot {
		t.Errorf("after SetRouter: %d", code)
	}
}

// TestParseTarget covers the path rules directly, including encodings a
// real server would refuse before the console sees them.
func TestParseTarget(t *testing.T) {
	cases := []struct {
		path     string
		want     target
		wantCode string
	}{
		{path: awsPrefix + "s3", want: target{service: "s3", path: "/"}},
		{path: awsPrefix + "s3/", want: target{service: "s3", path: "/"}},
		{path: awsPrefix + "s3/bucket", want: target{service: "s3", path: "/bucket"}},
		{path: awsPrefix + "s3/bucket/", want: target{service: "s3", path: "/bucket/"}},
		{path: awsPrefix + "s3/bucket/a%20b/c%2Fd", want: target{service: "s3", path: "/bucket/a b/c/d", rawPath: "/bucket/a%20b/c%2Fd"}},
		{path: awsPrefix + "s3/bucket/..a/b..", want: target{service: "s3", path: "/bucket/..a/b.."}},
		{path: awsPrefix + "s3/bucket/_coffer", want: target{service: "s3", path: "/bucket/_coffer"}},
		{path: awsPrefix + "kms", want: target{service: "kms", path: "/"}},
		{path: awsPrefix + "kms/", want: target{service: "kms", path: "/"}},
		{path: awsPrefix + "sts/", want: target{service: "sts", path: "/"}},
		{path: awsPrefix + "iam/users", wantCode: "InvalidPath"},
		{path: awsPrefix + "s3/bucket/%zz", wantCode: "InvalidPath"},
		{path: awsPrefix + "s3/bucket/..", wantCode: "InvalidPath"},
		{path: awsPrefix + "s3/bucket/%2E", wantCode: "InvalidPath"},
		{path: awsPrefix + "s3/bucket/a/%2e%2e/%2e%2e/_coffer", wantCode: "InvalidPath"},
		{path: awsPrefix + "s3/_coffer", wantCode: "InvalidPath"},
		{path: awsPrefix + "s3/_cofferx", wantCode: "InvalidPath"},
		{path: awsPrefix + "s3/%5F%43offer/metrics", wantCode: "InvalidPath"},
		{path: awsPrefix + "s3//bucket", wantCode: "InvalidPath"},
		{path: awsPrefix + "s3/%2Fbucket", wantCode: "InvalidPath"},
		{path: awsPrefix + "lambda/", wantCode: "UnknownService"},
		{path: awsPrefix + "", wantCode: "UnknownService"},
		{path: "/_coffer/console/api/aws", wantCode: "UnknownService"},
		{path: "/_coffer/console/api/%61ws/s3/", wantCode: "InvalidPath"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			got, err := parseTarget(tc.path)
			if tc.wantCode != "" {
				e, ok := err.(*apiError)
				if !ok || e.Code != tc.wantCode {
					t.Fatalf("err %v, want %s", err, tc.wantCode)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestProxySignsWithTheSessionsKey: each session's calls are signed with
// its own access key.
func TestProxySignsWithTheSessionsKey(t *testing.T) {
	router := newRecorder()
	h := newHarness(t, func(c *Config) { c.Router = router })
	for _, u := range []struct{ key, secret string }{{testRootKey, testRootSecret}, {testUserKey, testUserSecret}} {
		cookie, _ := h.signIn(u.key, u.secret)
		h.do(withSession(request(http.MethodGet, awsPrefix+"s3/", ""), cookie, ""))
		f := router.last(t)
		if f.authErr != nil || f.auth.AccessKey != u.key {
			t.Errorf("signed as %v (%v), want %s", f.auth, f.authErr, u.key)
		}
	}
}

func TestForwardS3Header(t *testing.T) {
	for name, want := range map[string]bool{
		"content-type": true, "Content-MD5": true, "RANGE": true, "If-Unmodified-Since": true,
		"x-amz-copy-source": true, "X-Amz-Meta-A": true, "x-amz-checksum-sha256": true,
		"x-amz-date": false, "X-Amz-Content-Sha256": false, "x-amz-security-token": false, "x-amz-target": false,
		"x-amz-trailer": false, "x-amz-decoded-content-length": false,
		"authorization": false, "cookie": false, "x-forwarded-for": false, "host": false, "content-length": false,
		"content-encoding": false, "cache-control": false, "ifx": false,
	} {
		if got := forwardS3Header(name); got != want {
			t.Errorf("forwardS3Header(%q) = %v", name, got)
		}
	}
}
