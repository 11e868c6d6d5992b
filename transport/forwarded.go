package transport

import (
	"net/netip"
	"strings"
)

// clientAddr walks X-Forwarded-For (all header lines, in order) from the
// right: each trusted proxy appended the address it received the request
// from, so the first address that is not a trusted proxy is the client.
// Entries left of it are the client's own claims and are never read. If
// every entry is a trusted proxy, the left-most is the client. An entry
// that is not an address ends the walk at the last address vouched for.
func clientAddr(peer netip.Addr, forwardedFor []string, trusted proxySet) netip.Addr {
	client := peer
	for i := len(forwardedFor) - 1; i >= 0; i-- {
		entries := strings.Split(forwardedFor[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			entry := strings.Trim(entries[j], " \t")
			if entry == "" { // empty list elements carry nothing (RFC 9110 §5.6.1)
				continue
			}
			addr, ok := parseForwardedAddr(entry)
			if !ok {
				return client
			}
			client = addr
			if !trusted.contains(addr) {
				return addr
			}
		}
	}
	return client
}

// parseForwardedAddr accepts the forms proxies write into X-Forwarded-For:
// "192.0.2.1", "192.0.2.1:5678", "2001:db8::1", "[2001:db8::1]" and
// "[2001:db8::1]:5678".
func parseForwardedAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return normalize(ap.Addr()), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return normalize(a), true
}

// forwardedProto returns the right-most X-Forwarded-Proto value: the one
// the nearest proxy wrote when it appends rather than replaces.
func forwardedProto(values []string) (proto string, present bool) {
	for i := len(values) - 1; i >= 0; i-- {
		entries := strings.Split(values[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			if v := strings.Trim(entries[j], " \t"); v != "" {
				return v, true
			}
		}
	}
	return "", false
}
