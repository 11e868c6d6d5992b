package tlsconfig

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// localReloader creates a local CA in a new directory and serves its
// server certificate.
func localReloader(t testing.TB) (dir string, r *Reloader, clientConfig *tls.Config) {
	t.Helper()
	dir = t.TempDir()
	caPath, err := EnsureLocalCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err = NewReloader(filepath.Join(dir, ServerCertFile), filepath.Join(dir, ServerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	return dir, r, &tls.Config{RootCAs: trusting(t, caPath), ServerName: "localhost"}
}

// renewServerCert replaces the server pair with a newly issued one.
func renewServerCert(t testing.TB, dir string) {
	t.Helper()
	for _, name := range []string{ServerCertFile, ServerKeyFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := EnsureLocalCA(dir); err != nil {
		t.Fatal(err)
	}
}

func TestReloadSwapsCertificateKeepsConnections(t *testing.T) {
	dir, r, client := localReloader(t)
	addr := serveEcho(t, r.Config())

	old, oldSerial := dial(t, addr, client.Clone())
	echo(t, old, "before reload")
	if r.Certificate().SerialNumber.Cmp(oldSerial) != 0 {
		t.Fatal("Certificate does not report the served certificate")
	}

	renewServerCert(t, dir)
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	fresh, newSerial := dial(t, addr, client.Clone())
	if newSerial.Cmp(oldSerial) == 0 {
		t.Fatal("a new connection still gets the old certificate")
	}
	if r.Certificate().SerialNumber.Cmp(newSerial) != 0 {
		t.Fatal("Certificate does not report the reloaded certificate")
	}
	echo(t, fresh, "after reload")
	echo(t, old, "the old connection carries on")
}

func TestReloadKeepsCertificateOnError(t *testing.T) {
	cases := []struct {
		name    string
		change  func(t *testing.T, dir string)
		wantErr string
	}{
		{name: "certificate deleted", change: remove(ServerCertFile), wantErr: "no such file"},
		{name: "certificate garbage", change: overwrite(ServerCertFile, "garbage"), wantErr: "failed to find any PEM data"},
		{name: "key from another pair", change: func(t *testing.T, dir string) {
			other, _, _ := localReloader(t)
			copyFile(t, filepath.Join(other, ServerKeyFile), filepath.Join(dir, ServerKeyFile))
		}, wantErr: "private key does not match"},
		{name: "expired certificate", change: func(t *testing.T, dir string) {
			old := t.TempDir()
			if _, err := ensureLocalCA(old, time.Now().Add(-2*serverLifetime)); err != nil {
				t.Fatal(err)
			}
			copyFile(t, filepath.Join(old, ServerKeyFile), filepath.Join(dir, ServerKeyFile))
			copyFile(t, filepath.Join(old, ServerCertFile), filepath.Join(dir, ServerCertFile))
		}, wantErr: "expired"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, r, client := localReloader(t)
			addr := serveEcho(t, r.Config())
			_, before := dial(t, addr, client.Clone())
			tc.change(t, dir)
			err := r.Reload()
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Reload: %v, want an error containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Fatalf("the error quotes key material: %v", err)
			}
			if _, after := dial(t, addr, client.Clone()); after.Cmp(before) != 0 {
				t.Fatal("a failed reload changed the served certificate")
			}
		})
	}
}

func TestNewReloaderRefusesBadPair(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewReloader(filepath.Join(dir, "missing.pem"), filepath.Join(dir, "missing-key.pem")); err == nil {
		t.Fatal("NewReloader accepted missing files")
	}
}

func TestConfigProtocols(t *testing.T) {
	_, r, client := localReloader(t)
	addr := serveEcho(t, r.Config())
	cases := []struct {
		name     string
		min, max uint16
		suites   []uint16
		alpn     []string
		wantOK   bool
		wantALPN string
	}{
		{name: "TLS 1.0 refused", min: tls.VersionTLS10, max: tls.VersionTLS10},
		{name: "TLS 1.1 refused", min: tls.VersionTLS10, max: tls.VersionTLS11},
		{name: "TLS 1.2 CBC suite refused", min: tls.VersionTLS12, max: tls.VersionTLS12,
			suites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}},
		{name: "TLS 1.2 AES-GCM", min: tls.VersionTLS12, max: tls.VersionTLS12,
			suites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, wantOK: true},
		{name: "TLS 1.2 AES-256-GCM", min: tls.VersionTLS12, max: tls.VersionTLS12,
			suites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}, wantOK: true},
		{name: "TLS 1.2 ChaCha20-Poly1305", min: tls.VersionTLS12, max: tls.VersionTLS12,
			suites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}, wantOK: true},
		{name: "TLS 1.3", min: tls.VersionTLS13, max: tls.VersionTLS13, wantOK: true},
		{name: "ALPN h2", min: tls.VersionTLS12, max: tls.VersionTLS13, alpn: []string{"h2", "http/1.1"}, wantOK: true, wantALPN: "h2"},
		{name: "ALPN http/1.1", min: tls.VersionTLS12, max: tls.VersionTLS13, alpn: []string{"http/1.1"}, wantOK: true, wantALPN: "http/1.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := client.Clone()
			cfg.MinVersion, cfg.MaxVersion, cfg.CipherSuites, cfg.NextProtos = tc.min, tc.max, tc.suites, tc.alpn
			c, err := tls.Dial("tcp", addr, cfg)
			if !tc.wantOK {
				if err == nil {
					c.Close()
					t.Fatal("handshake succeeded")
				}
				// The server, not our client, must be the one refusing.
				if !strings.Contains(err.Error(), "remote error") {
					t.Fatalf("refused by the client, not the server: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			defer c.Close()
			if got := c.ConnectionState().NegotiatedProtocol; got != tc.wantALPN {
				t.Fatalf("ALPN %q, want %q", got, tc.wantALPN)
			}
			echo(t, c, tc.name)
		})
	}
}

// BenchmarkHandshake measures a full TLS 1.3 handshake with the local
// P-256 certificate (no session resumption).
func BenchmarkHandshake(b *testing.B) {
	_, r, client := localReloader(b)
	addr := serveEcho(b, r.Config())
	for b.Loop() {
		c, err := tls.Dial("tcp", addr, client.Clone())
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}
