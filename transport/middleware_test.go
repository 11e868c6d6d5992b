package transport

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/cofferlabs/coffer"
)

// observe runs req through Middleware and returns what next saw.
func observe(t *testing.T, trusted []netip.Prefix, req *http.Request) coffer.RequestInfo {
	t.Helper()
	var got coffer.RequestInfo
	called := false
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, called = coffer.RequestInfoFrom(r.Context()), true
	}), trusted)
	h.ServeHTTP(httptest.NewRecorder(), req)
	if !called {
		t.Fatal("next was not called")
	}
	return got
}

func prefixes(t testing.TB, cidrs ...string) []netip.Prefix {
	t.Helper()
	var out []netip.Prefix
	for _, c := range cidrs {
		out = append(out, netip.MustParsePrefix(c))
	}
	return out
}

type header struct{ name, value string }

func TestMiddleware(t *testing.T) {
	proxies := []string{"10.0.0.0/8", "fd00::/8"}
	cases := []struct {
		name       string
		trusted    []string
		remote     string
		tls        bool
		headers    []header
		wantIP     string
		wantSecure bool
	}{
		{name: "plain HTTP, no proxies", remote: "192.0.2.7:5555", wantIP: "192.0.2.7"},
		{name: "TLS, no proxies", remote: "192.0.2.7:5555", tls: true, wantIP: "192.0.2.7", wantSecure: true},
		{name: "IPv6 peer", remote: "[2001:db8::5]:443", tls: true, wantIP: "2001:db8::5", wantSecure: true},
		{name: "IPv4-mapped peer is reported as IPv4", remote: "[::ffff:192.0.2.7]:80", wantIP: "192.0.2.7"},
		{name: "zone dropped", remote: "[fe80::1%eth0]:80", wantIP: "fe80::1"},
		{name: "spoof: forwarded headers without trusted proxies are ignored", remote: "192.0.2.7:1",
			headers: []header{{"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "203.0.113.9"}}, wantIP: "192.0.2.7"},
		{name: "spoof: untrusted peer with trusted proxies configured", trusted: proxies, remote: "192.0.2.7:1",
			headers: []header{{"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "10.1.1.1"}}, wantIP: "192.0.2.7"},
		{name: "spoof: peer just outside the trusted prefix", trusted: []string{"10.0.0.0/24"}, remote: "10.0.1.1:1",
			headers: []header{{"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "203.0.113.9"}}, wantIP: "10.0.1.1"},
		{name: "trusted proxy terminating TLS", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "203.0.113.9"}}, wantIP: "203.0.113.9", wantSecure: true},
		{name: "trusted proxy over IPv6", trusted: proxies, remote: "[fd00::2]:1",
			headers: []header{{"X-Forwarded-Proto", "HTTPS"}, {"X-Forwarded-For", "2001:db8::9"}}, wantIP: "2001:db8::9", wantSecure: true},
		{name: "IPv4 prefix matches an IPv4-mapped peer", trusted: proxies, remote: "[::ffff:10.0.0.2]:1",
			headers: []header{{"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "203.0.113.9"}}, wantIP: "203.0.113.9", wantSecure: true},
		{name: "trusted proxy saying http", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-Proto", "http"}, {"X-Forwarded-For", "203.0.113.9"}}, wantIP: "203.0.113.9"},
		{name: "trusted proxy saying http over a TLS hop", trusted: proxies, remote: "10.0.0.2:1", tls: true,
			headers: []header{{"X-Forwarded-Proto", "http"}}, wantIP: "10.0.0.2"},
		{name: "trusted proxy over TLS without X-Forwarded-Proto", trusted: proxies, remote: "10.0.0.2:1", tls: true,
			wantIP: "10.0.0.2", wantSecure: true},
		{name: "trusted proxy without forwarded headers", trusted: proxies, remote: "10.0.0.2:1", wantIP: "10.0.0.2"},
		{name: "spoof: client's https overridden by the proxy's appended http", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Proto", "http"}}, wantIP: "10.0.0.2"},
		{name: "spoof: client's https in a list the proxy appended to", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-Proto", "https, http"}}, wantIP: "10.0.0.2"},
		{name: "spoof: client-forged left-most address is skipped", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-For", "198.51.100.66, 203.0.113.9"}}, wantIP: "203.0.113.9"},
		{name: "spoof: client claims a trusted address", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-For", "10.9.9.9, 203.0.113.9"}}, wantIP: "203.0.113.9"},
		{name: "chain of trusted proxies", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-For", "198.51.100.66, 203.0.113.9, 10.0.0.3"}, {"X-Forwarded-For", "10.0.0.4"}}, wantIP: "203.0.113.9"},
		{name: "client inside the trusted network", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-For", "10.0.0.9"}}, wantIP: "10.0.0.9"},
		{name: "spoof: garbage stops the walk at the last vouched address", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-For", "203.0.113.9, unknown, 10.0.0.3"}}, wantIP: "10.0.0.3"},
		{name: "garbage right after the peer", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-For", "203.0.113.9, <script>"}}, wantIP: "10.0.0.2"},
		{name: "addresses with ports", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-For", "[2001:db8::9]:4711, 10.0.0.3:80"}}, wantIP: "2001:db8::9"},
		{name: "empty list elements", trusted: proxies, remote: "10.0.0.2:1",
			headers: []header{{"X-Forwarded-For", " , 203.0.113.9 ,, "}}, wantIP: "203.0.113.9"},
		{name: "trust everyone", trusted: []string{"0.0.0.0/0", "::/0"}, remote: "192.0.2.7:1",
			headers: []header{{"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "203.0.113.9"}}, wantIP: "203.0.113.9", wantSecure: true},
		{name: "peer that is not an IP address", trusted: proxies, remote: "@",
			headers: []header{{"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "203.0.113.9"}}, wantIP: "@"},
		{name: "unix socket peer with a port-like suffix", trusted: proxies, remote: "pipe:1", wantIP: "pipe"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/bucket/key", nil)
			req.RemoteAddr = tc.remote
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			for _, h := range tc.headers {
				req.Header.Add(h.name, h.value)
			}
			got := observe(t, prefixes(t, tc.trusted...), req)
			if got.SourceIP != tc.wantIP || got.SecureTransport != tc.wantSecure {
				t.Fatalf("SourceIP %q SecureTransport %v, want %q %v", got.SourceIP, got.SecureTransport, tc.wantIP, tc.wantSecure)
			}
		})
	}
}

func TestMiddlewareKeepsOtherRequestInfo(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "192.0.2.7:1"
	req.Header.Set("User-Agent", "aws-cli/1.45")
	earlier := coffer.RequestInfo{RequestID: "R1", SignatureVersion: 4, ViaService: "s3.amazonaws.com", SourceIP: "203.0.113.1", SecureTransport: true}
	req = req.WithContext(coffer.WithRequestInfo(req.Context(), earlier))
	got := observe(t, nil, req)
	want := coffer.RequestInfo{RequestID: "R1", SignatureVersion: 4, ViaService: "s3.amazonaws.com",
		SourceIP: "192.0.2.7", SecureTransport: false, UserAgent: "aws-cli/1.45", Host: "example.com"}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestMiddlewareIgnoresInvalidPrefixes(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "192.0.2.7:1"
	req.Header.Set("X-Forwarded-Proto", "https")
	got := observe(t, []netip.Prefix{{}}, req)
	if got.SecureTransport || got.SourceIP != "192.0.2.7" {
		t.Fatalf("the zero prefix was trusted: %+v", got)
	}
}

func TestMiddlewareDoesNotChangeHeaders(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "10.0.0.2:1"
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	req.Header.Set("X-Forwarded-Proto", "https")
	var seen http.Header
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.Header }), prefixes(t, "10.0.0.0/8"))
	h.ServeHTTP(httptest.NewRecorder(), req)
	if seen.Get("X-Forwarded-For") != "203.0.113.9" || seen.Get("X-Forwarded-Proto") != "https" {
		t.Fatalf("headers changed: %v", seen)
	}
}

func BenchmarkMiddleware(b *testing.B) {
	h := Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "10.0.0.2:1"
	req.Header.Set("X-Forwarded-For", "198.51.100.66, 203.0.113.9, 10.0.0.3")
	req.Header.Set("X-Forwarded-Proto", "https")
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}
