package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseCredentials: any body either parses into two non-empty,
// printable, bounded fields that round-trip through JSON, or is refused
// with one of the sign-in errors; never a panic.
func FuzzParseCredentials(f *testing.F) {
	for _, seed := range []string{
		`{"accessKeyId":"AKIAEXAMPLE","secretAccessKey":"secret"}`,
		`{"accessKeyId":"","secretAccessKey":"x"}`,
		`{"accessKeyId":"a","secretAccessKey":"b"}{}`,
		`{"accessKeyId":"a","secretAccessKey":"b","x":1}`,
		`{"accessKeyId":"a\u0000","secretAccessKey":"b"}`,
		`{"accessKeyId":"a","accessKeyId":"b","secretAccessKey":"c"}`,
		`{"ACCESSKEYID":"a","secretaccesskey":"b"}`,
		`[1,2]`, `null`, `"x"`, `{`, ``, " \n{\"accessKeyId\":\"a\",\"secretAccessKey\":\"b\"}\n ",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseCredentials(body)
		if err != nil {
			switch err {
			case errMalformedJSON, errMissingCredentials, errInvalidCredentials:
			default:
				t.Fatalf("unexpected error %v", err)
			}
			if c != (credentials{}) {
				t.Fatal("credentials returned with an error")
			}
			return
		}
		for _, s := range []string{c.AccessKeyID, c.SecretAccessKey} {
			if s == "" || !printableASCII(s) {
				t.Fatalf("accepted %q", s)
			}
		}
		if len(c.AccessKeyID) > maxAccessKeyLen || len(c.SecretAccessKey) > maxSecretLen {
			t.Fatal("accepted an oversized field")
		}
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if c2, err := parseCredentials(again); err != nil || c2 != c {
			t.Fatalf("round trip: %+v, %v", c2, err)
		}
	})
}

// FuzzSessionCookie: no cookie value but the one issued names the
// session; lookups of arbitrary values never panic, and only well-formed
// ids are even looked up.
func FuzzSessionCookie(f *testing.F) {
	h := newHarness(f)
	cookie, _ := h.signIn(testRootKey, testRootSecret)
	f.Add(cookie)
	f.Add(cookie[:len(cookie)-1])
	f.Add(cookie + "=")
	f.Add(strings.ToUpper(cookie))
	f.Add(strings.Repeat("A", encodedIDLen))
	f.Add("")
	f.Add("a=b; coffer_console=x")
	f.Fuzz(func(t *testing.T, value string) {
		v, res := h.console.sessions.lookup(value)
		if value == cookie {
			if res != found || v.accessKey != testRootKey {
				t.Fatalf("the issued cookie: %v", res)
			}
			return
		}
		if res == found {
			t.Fatalf("%q names the session", value)
		}
		if wellFormedID(value) && len(value) != encodedIDLen {
			t.Fatalf("%q well-formed with length %d", value, len(value))
		}
		// The same through a request's Cookie header: never a session.
		r := request(http.MethodGet, sessionPath, "")
		r.Header.Set("Cookie", CookieName+"="+value)
		if _, err := h.console.currentSession(r); err == nil && !strings.Contains(value, cookie) {
			t.Fatalf("Cookie %q signed in", value)
		}
	})
}

// FuzzParseTarget: whatever the path, an accepted S3 target never leaves
// S3 (no "/_coffer" prefix, no empty bucket, no dot segments), its raw form
// decodes to its path, and non-S3 targets are always POST "/".
func FuzzParseTarget(f *testing.F) {
	for _, seed := range []string{
		"s3/bucket/key", "s3/", "s3", "kms/", "kms/x", "cloudtrail", "sts/", "iam/",
		"s3/_coffer/metrics", "s3/%5Fcoffer", "s3//_coffer", "s3/%2F_coffer", "s3/a/../_coffer",
		"s3/a/%2e%2e/b", "s3/a%20b/c%2Fd", "s3/%zz", "S3/x", "%73%33/x", "ec2/",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		tg, err := parseTarget(awsPrefix + rest)
		if err != nil {
			if _, ok := err.(*apiError); !ok {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		svc, ok := services[tg.service]
		if !ok {
			t.Fatalf("accepted service %q", tg.service)
		}
		if !svc.s3 {
			if tg.path != "/" || tg.rawPath != "" {
				t.Fatalf("%s target %+v", tg.service, tg)
			}
			return
		}
		p := tg.path
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(strings.ToLower(p), "/_coffer") {
			t.Fatalf("S3 path %q leaves S3", p)
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("S3 path %q has a dot segment", p)
			}
		}
		if tg.rawPath != "" {
			decoded, err := url.PathUnescape(tg.rawPath)
			if err != nil || decoded != p {
				t.Fatalf("raw path %q decodes to %q, not %q", tg.rawPath, decoded, p)
			}
		}
		// What the router will see, once through net/url, is the same path.
		u := &url.URL{Path: tg.path, RawPath: tg.rawPath}
		if utf8.ValidString(p) {
			if back, err := url.ParseRequestURI(u.RequestURI()); err == nil && back.Path != p {
				t.Fatalf("request URI %q reads back as %q, not %q", u.RequestURI(), back.Path, p)
			}
		}
	})
}
