package transport

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/cofferlabs/coffer"
)

// Middleware returns a handler that puts the request's transport facts
// (SourceIP, SecureTransport, UserAgent) into its context as
// coffer.RequestInfo, keeping any other RequestInfo fields already there,
// and then calls next. Forwarded headers count only when the direct peer
// is inside one of trustedProxies; with none, they are ignored.
func Middleware(next http.Handler, trustedProxies []netip.Prefix) http.Handler {
	proxies := newProxySet(trustedProxies)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := coffer.RequestInfoFrom(r.Context())
		info.SourceIP, info.SecureTransport = proxies.describe(r)
		info.UserAgent = r.UserAgent()
		info.Host = r.Host
		if r.TLS != nil {
			info.TLSVersion = tlsVersionName(r.TLS.Version)
			info.CipherSuite = tls.CipherSuiteName(r.TLS.CipherSuite)
		}
		next.ServeHTTP(w, r.WithContext(coffer.WithRequestInfo(r.Context(), info)))
	})
}

// proxySet is the operator's list of trusted proxy prefixes.
type proxySet []netip.Prefix

func newProxySet(prefixes []netip.Prefix) proxySet {
	var set proxySet
	for _, p := range prefixes {
		if p.IsValid() {
			set = append(set, p.Masked())
		}
	}
	return set
}

func (s proxySet) contains(addr netip.Addr) bool {
	for _, p := range s {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// describe returns the client's address and whether its connection was TLS.
func (s proxySet) describe(r *http.Request) (sourceIP string, secure bool) {
	peer, ok := peerAddr(r.RemoteAddr)
	if !ok {
		return remoteHost(r.RemoteAddr), r.TLS != nil
	}
	if !s.contains(peer) {
		return peer.String(), r.TLS != nil
	}
	secure = r.TLS != nil
	if proto, present := forwardedProto(r.Header.Values("X-Forwarded-Proto")); present {
		secure = strings.EqualFold(proto, "https")
	}
	return clientAddr(peer, r.Header.Values("X-Forwarded-For"), s).String(), secure
}

// peerAddr parses http.Request.RemoteAddr ("ip:port"; a bare address is
// accepted for handlers called outside a real server).
func peerAddr(remote string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return normalize(ap.Addr()), true
	}
	if a, err := netip.ParseAddr(remote); err == nil {
		return normalize(a), true
	}
	return netip.Addr{}, false
}

// remoteHost is the best SourceIP for a peer that is not an IP address
// (a Unix socket, an in-memory pipe).
func remoteHost(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

// normalize makes equal addresses compare equal: IPv4-mapped IPv6 becomes
// IPv4 (so 10.0.0.0/8 matches ::ffff:10.1.2.3) and zones are dropped.
func normalize(a netip.Addr) netip.Addr {
	return a.Unmap().WithZone("")
}

// tlsVersionName spells versions as CloudTrail's tlsDetails does ("TLSv1.3").
func tlsVersionName(v uint16) string {
	return strings.Replace(tls.VersionName(v), "TLS 1", "TLSv1", 1)
}
