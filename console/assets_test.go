package console

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func testAssets(t *testing.T) *assets {
	t.Helper()
	a, err := loadAssets(fstest.MapFS{
		"web/index.html":     {Data: []byte("<!doctype html><title>console</title>")},
		"web/app.js":         {Data: []byte("console.log(1)")},
		"web/css/style.css":  {Data: []byte("body{}")},
		"web/img/logo.svg":   {Data: []byte("<svg/>")},
		"web/data/README":    {Data: []byte("plain")},
		"elsewhere/leak.txt": {Data: []byte("not served")},
	}, "web")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAssets(t *testing.T) {
	a := testAssets(t)
	cases := []struct {
		name, method, path string
		header             []string
		wantStatus         int
		wantBody           string
		wantType           string
		wantCache          string
	}{
		{name: "root is index.html", method: "GET", path: Prefix, wantStatus: 200, wantBody: "<!doctype html>", wantType: "text/html; charset=utf-8", wantCache: "no-store"},
		{name: "index.html by name", method: "GET", path: Prefix + "index.html", wantStatus: 200, wantBody: "<!doctype html>", wantType: "text/html; charset=utf-8", wantCache: "no-store"},
		{name: "script", method: "GET", path: Prefix + "app.js", wantStatus: 200, wantBody: "console.log(1)", wantType: "text/javascript; charset=utf-8", wantCache: "no-cache"},
		{name: "style in a folder", method: "GET", path: Prefix + "css/style.css", wantStatus: 200, wantBody: "body{}", wantType: "text/css; charset=utf-8", wantCache: "no-cache"},
		{name: "svg", method: "GET", path: Prefix + "img/logo.svg", wantStatus: 200, wantType: "image/svg+xml", wantCache: "no-cache"},
		{name: "no extension", method: "GET", path: Prefix + "data/README", wantStatus: 200, wantType: "application/octet-stream", wantCache: "no-cache"},
		{name: "client-side route", method: "GET", path: Prefix + "buckets/demo/objects", wantStatus: 200, wantBody: "<!doctype html>", wantCache: "no-store"},
		{name: "a folder", method: "GET", path: Prefix + "css/", wantStatus: 200, wantBody: "<!doctype html>", wantCache: "no-store"},
		{name: "escape attempt", method: "GET", path: Prefix + "../elsewhere/leak.txt", wantStatus: 200, wantBody: "<!doctype html>", wantCache: "no-store"},
		{name: "HEAD", method: "HEAD", path: Prefix + "app.js", wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantCache: "no-cache"},
		{name: "POST", method: "POST", path: Prefix + "app.js", wantStatus: 405},
		{name: "DELETE", method: "DELETE", path: Prefix, wantStatus: 405},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r := request(tc.method, "/", "")
			r.URL.Path = tc.path
			err := a.serve(rec, r)
			if tc.wantStatus == 405 {
				if err == nil || err.(*apiError).Status != 405 {
					t.Fatalf("err %v, want 405", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d", rec.Code)
			}
			if !strings.HasPrefix(rec.Body.String(), tc.wantBody) {
				t.Errorf("body %q", rec.Body)
			}
			h := rec.Header()
			if tc.wantType != "" && h.Get("Content-Type") != tc.wantType {
				t.Errorf("Content-Type %q, want %q", h.Get("Content-Type"), tc.wantType)
			}
			if h.Get("Cache-Control") != tc.wantCache {
				t.Errorf("Cache-Control %q, want %q", h.Get("Cache-Control"), tc.wantCache)
			}
			for name, want := range map[string]string{
				"Content-Security-Policy": contentSecurityPolicy,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "no-referrer",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestAssetsRevalidate(t *testing.T) {
	a := testAssets(t)
	rec := httptest.NewRecorder()
	if err := a.serve(rec, request("GET", Prefix+"app.js", "")); err != nil {
		t.Fatal(err)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	rec = httptest.NewRecorder()
	if err := a.serve(rec, request("GET", Prefix+"app.js", "", "If-None-Match", etag)); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", rec.Code)
	}
}

func TestAssetsWithoutIndex(t *testing.T) {
	a, err := loadAssets(fstest.MapFS{"web/app.js": {Data: []byte("x")}}, "web")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.serve(httptest.NewRecorder(), request("GET", Prefix+"nothing", "")); err != errNotFound {
		t.Errorf("err %v, want NotFound", err)
	}
}

// TestEmbeddedConsole: the real embedded application has an index.html,
// served at the prefix with the contract's headers; the prefix without a
// slash redirects.
func TestEmbeddedConsole(t *testing.T) {
	h := newHarness(t)
	rec := h.do(request("GET", Prefix, ""))
	if rec.Code != http.StatusOK || !strings.Contains(strings.ToLower(rec.Body.String()), "<html") {
		t.Fatalf("%d %.200s", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Content-Security-Policy"); got != contentSecurityPolicy {
		t.Errorf("CSP %q", got)
	}
	rec = h.do(request("GET", "/_coffer/console", ""))
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != Prefix {
		t.Errorf("no-slash: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = h.do(request("PUT", Prefix+"index.html", "x"))
	if rec.Code != http.StatusMethodNotAllowed || errorCode(t, rec.Body.Bytes()) != "MethodNotAllowed" {
		t.Errorf("PUT asset: %d %s", rec.Code, rec.Body)
	}
}
