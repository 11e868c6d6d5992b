package transport

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseForwardedAddr(t *testing.T) {
	cases := []struct {
		name, in, want string // want "" means rejected
	}{
		{name: "IPv4", in: "192.0.2.1", want: "192.0.2.1"},
		{name: "IPv4 with port", in: "192.0.2.1:5678", want: "192.0.2.1"},
		{name: "IPv6", in: "2001:db8::1", want: "2001:db8::1"},
		{name: "bracketed IPv6", in: "[2001:db8::1]", want: "2001:db8::1"},
		{name: "bracketed IPv6 with port", in: "[2001:db8::1]:5678", want: "2001:db8::1"},
		{name: "IPv4-mapped", in: "::ffff:192.0.2.1", want: "192.0.2.1"},
		{name: "zone dropped", in: "fe80::1%eth0", want: "fe80::1"},
		{name: "unknown", in: "unknown"},
		{name: "obfuscated identifier", in: "_hidden"},
		{name: "hostname", in: "example.com"},
		{name: "leading zeros", in: "010.0.0.1"},
		{name: "bad port", in: "192.0.2.1:http"},
		{name: "empty brackets", in: "[]"},
		{name: "lone bracket", in: "["},
		{name: "unbracketed IPv6 with port is read as IPv6", in: "2001:db8::1:80", want: "2001:db8::1:80"},
		{name: "CIDR", in: "192.0.2.0/24"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseForwardedAddr(tc.in)
			switch {
			case tc.want == "" && ok:
				t.Fatalf("accepted as %v", got)
			case tc.want != "" && (!ok || got.String() != tc.want):
				t.Fatalf("got %v %v, want %s", got, ok, tc.want)
			}
		})
	}
}

func TestForwardedProto(t *testing.T) {
	cases := []struct {
		name        string
		values      []string
		want        string
		wantPresent bool
	}{
		{name: "absent"},
		{name: "one value", values: []string{"https"}, want: "https", wantPresent: true},
		{name: "list: right-most wins", values: []string{"https, http"}, want: "http", wantPresent: true},
		{name: "lines: last wins", values: []string{"http", "https"}, want: "https", wantPresent: true},
		{name: "trailing empty elements skipped", values: []string{"https", " , "}, want: "https", wantPresent: true},
		{name: "only empty", values: []string{" ", ","}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, present := forwardedProto(tc.values)
			if got != tc.want || present != tc.wantPresent {
				t.Fatalf("got %q %v, want %q %v", got, present, tc.want, tc.wantPresent)
			}
		})
	}
}

// forwardedSeeds are the X-Forwarded-For values the table tests use.
var forwardedSeeds = []string{
	"", "203.0.113.9", "198.51.100.66, 203.0.113.9, 10.0.0.3", "10.9.9.9, 203.0.113.9",
	"203.0.113.9, unknown, 10.0.0.3", "[2001:db8::9]:4711, 10.0.0.3:80", " , 203.0.113.9 ,, ",
	"10.0.0.9", "fd00::1, fd00::2", "::ffff:10.0.0.1", "\t1.2.3.4\t,", "[fe80::1%eth0]:1",
}

// FuzzClientAddr checks, for any header, that the chosen client is the
// peer or one of the listed addresses, and that every entry right of the
// chosen one is a well-formed trusted proxy address.
func FuzzClientAddr(f *testing.F) {
	for _, s := range forwardedSeeds {
		f.Add(s, "10.0.0.2")
		f.Add(s, "fd00::2")
	}
	trusted := newProxySet(prefixes(f, "10.0.0.0/8", "fd00::/8"))
	f.Fuzz(func(t *testing.T, forwardedFor, peerText string) {
		peer, ok := parseForwardedAddr(peerText)
		if !ok {
			return
		}
		got := clientAddr(peer, []string{forwardedFor}, trusted)
		if !got.IsValid() || got.Zone() != "" || got.Is4In6() {
			t.Fatalf("client %v is not a plain address", got)
		}
		var entries []netip.Addr // parsed, right to left, up to the first malformed one
		malformed := false
		raw := strings.Split(forwardedFor, ",")
		for i := len(raw) - 1; i >= 0; i-- {
			e := strings.Trim(raw[i], " \t")
			if e == "" {
				continue
			}
			a, ok := parseForwardedAddr(e)
			if !ok {
				malformed = true
				break
			}
			entries = append(entries, a)
		}
		want := peer
		for _, a := range entries {
			want = a
			if !trusted.contains(a) {
				break
			}
		}
		if got != want {
			t.Fatalf("client %v, want %v (entries right to left %v, malformed %v)", got, want, entries, malformed)
		}
		// Splitting into several header lines must not change the answer.
		if i := strings.LastIndexByte(forwardedFor, ','); i >= 0 {
			if split := clientAddr(peer, []string{forwardedFor[:i], forwardedFor[i+1:]}, trusted); split != got {
				t.Fatalf("as two lines the client is %v, as one %v", split, got)
			}
		}
	})
}

func FuzzParseForwardedAddr(f *testing.F) {
	for _, s := range forwardedSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseForwardedAddr(s)
		if !ok {
			return
		}
		// What it accepts it reads back unchanged when written plainly.
		again, ok := parseForwardedAddr(a.String())
		if !ok || again != a {
			t.Fatalf("%q -> %v -> %v %v", s, a, again, ok)
		}
	})
}
