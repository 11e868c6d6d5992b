package tlsconfig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEnsureLocalCACreatesFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	caPath, err := EnsureLocalCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if caPath != filepath.Join(dir, CAFile) {
		t.Fatalf("CA path %s", caPath)
	}
	modes := map[string]os.FileMode{CAFile: 0o644, CAKeyFile: 0o600, ServerCertFile: 0o644, ServerKeyFile: 0o600}
	for name, want := range modes {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", name, info.Mode().Perm(), want)
		}
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("dir mode: %v %v", info.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(modes) {
		t.Errorf("dir holds %d entries, want %d (no temporary files left)", len(entries), len(modes))
	}
	for _, name := range []string{CAKeyFile, ServerKeyFile} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		block, _ := pem.Decode(b)
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if k, ok := key.(*ecdsa.PrivateKey); !ok || k.Curve != elliptic.P256() {
			t.Errorf("%s holds %T, want an ECDSA P-256 key", name, key)
		}
	}
}

func TestLocalChainVerifies(t *testing.T) {
	dir := t.TempDir()
	caPath, err := EnsureLocalCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	roots := trusting(t, caPath)
	leaf := leafOf(t, filepath.Join(dir, ServerCertFile))
	if got := leaf.NotAfter.Sub(leaf.NotBefore); got < 364*24*time.Hour || got > 366*24*time.Hour {
		t.Errorf("server certificate valid for %v, want about a year", got)
	}
	cases := []struct {
		name  string
		valid bool
	}{
		{name: "localhost", valid: true},
		{name: "127.0.0.1", valid: true},
		{name: "::1", valid: true},
		{name: "example.com"},
		{name: "127.0.0.2"},
		{name: "10.0.0.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: tc.name})
			if (err == nil) != tc.valid {
				t.Fatalf("verify: %v, want valid %v", err, tc.valid)
			}
		})
	}

	t.Run("handshake", func(t *testing.T) {
		r, err := NewReloader(filepath.Join(dir, ServerCertFile), filepath.Join(dir, ServerKeyFile))
		if err != nil {
			t.Fatal(err)
		}
		addr := serveEcho(t, r.Config())
		for _, serverName := range []string{"localhost", "127.0.0.1"} {
			c, _ := dial(t, addr, &tls.Config{RootCAs: roots, ServerName: serverName})
			echo(t, c, "hello "+serverName)
		}
	})
}

// The CA's name constraints keep a stolen CA key from vouching for other sites.
func TestLocalCAIsNameConstrained(t *testing.T) {
	dir := t.TempDir()
	caPath, err := EnsureLocalCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := loadCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "bank.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"bank.example"}, IPAddresses: []net.IP{net.IPv4(192, 0, 2, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := x509.ParseCertificate(der)
	for _, name := range []string{"bank.example", "192.0.2.1"} {
		if _, err := forged.Verify(x509.VerifyOptions{Roots: trusting(t, caPath), DNSName: name}); err == nil {
			t.Errorf("a certificate for %s issued by the local CA verified", name)
		}
	}
}

func TestEnsureLocalCARenews(t *testing.T) {
	t0 := time.Now()
	day := 24 * time.Hour
	cases := []struct {
		name        string
		change      func(t *testing.T, dir string)
		at          time.Time
		wantNewCA   bool
		wantNewCert bool
	}{
		{name: "nothing to do", at: t0.Add(day)},
		{name: "server certificate within a month of expiry", at: t0.Add(340 * day), wantNewCert: true},
		{name: "server certificate expired", at: t0.Add(400 * day), wantNewCert: true},
		{name: "CA within a month of expiry", at: t0.Add(caLifetime - 20*day), wantNewCA: true, wantNewCert: true},
		{name: "server certificate deleted", at: t0, wantNewCert: true, change: remove(ServerCertFile)},
		{name: "server key deleted", at: t0, wantNewCert: true, change: remove(ServerKeyFile)},
		{name: "both server files deleted", at: t0, wantNewCert: true, change: func(t *testing.T, dir string) {
			remove(ServerCertFile)(t, dir)
			remove(ServerKeyFile)(t, dir)
		}},
		{name: "server certificate damaged", at: t0, wantNewCert: true, change: overwrite(ServerCertFile, "garbage")},
		{name: "server key from another pair", at: t0, wantNewCert: true, change: func(t *testing.T, dir string) {
			other := t.TempDir()
			if _, err := EnsureLocalCA(other); err != nil {
				t.Fatal(err)
			}
			copyFile(t, filepath.Join(other, ServerKeyFile), filepath.Join(dir, ServerKeyFile))
		}},
		{name: "server pair from another CA", at: t0, wantNewCert: true, change: func(t *testing.T, dir string) {
			other := t.TempDir()
			if _, err := EnsureLocalCA(other); err != nil {
				t.Fatal(err)
			}
			copyFile(t, filepath.Join(other, ServerKeyFile), filepath.Join(dir, ServerKeyFile))
			copyFile(t, filepath.Join(other, ServerCertFile), filepath.Join(dir, ServerCertFile))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := ensureLocalCA(dir, t0); err != nil {
				t.Fatal(err)
			}
			before := readFiles(t, dir)
			if tc.change != nil {
				tc.change(t, dir)
			}
			caPath, err := ensureLocalCA(dir, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			after := readFiles(t, dir)
			if newCA := after[CAFile] != before[CAFile]; newCA != tc.wantNewCA || (after[CAKeyFile] != before[CAKeyFile]) != tc.wantNewCA {
				t.Errorf("new CA %v, want %v", newCA, tc.wantNewCA)
			}
			if newCert := after[ServerCertFile] != before[ServerCertFile]; newCert != tc.wantNewCert || (after[ServerKeyFile] != before[ServerKeyFile]) != tc.wantNewCert {
				t.Errorf("new server certificate %v, want %v", newCert, tc.wantNewCert)
			}
			leaf := leafOf(t, filepath.Join(dir, ServerCertFile))
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: trusting(t, caPath), DNSName: "localhost", CurrentTime: tc.at.Add(renewBefore)}); err != nil {
				t.Errorf("the server certificate does not verify a month after %v: %v", tc.at, err)
			}
		})
	}
}

func TestEnsureLocalCATightensKeyModes(t *testing.T) {
	dir := t.TempDir()
	if _, err := EnsureLocalCA(dir); err != nil {
		t.Fatal(err)
	}
	before := readFiles(t, dir)
	for _, name := range []string{CAKeyFile, ServerKeyFile} {
		if err := os.Chmod(filepath.Join(dir, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := EnsureLocalCA(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{CAKeyFile, ServerKeyFile} {
		if info, _ := os.Stat(filepath.Join(dir, name)); info.Mode().Perm() != 0o600 {
			t.Errorf("%s left at mode %v", name, info.Mode().Perm())
		}
	}
	if after := readFiles(t, dir); after[ServerCertFile] != before[ServerCertFile] || after[CAFile] != before[CAFile] {
		t.Error("tightening modes replaced certificates")
	}
}

// A damaged CA is reported, never silently replaced: clients trust it.
func TestEnsureLocalCARefusesDamagedCA(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
	}{
		{name: "CA certificate missing", change: remove(CAFile)},
		{name: "CA key missing", change: remove(CAKeyFile)},
		{name: "CA certificate garbage", change: overwrite(CAFile, "not a certificate")},
		{name: "CA key garbage", change: overwrite(CAKeyFile, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")},
		{name: "CA key from another CA", change: func(t *testing.T, dir string) {
			other := t.TempDir()
			if _, err := EnsureLocalCA(other); err != nil {
				t.Fatal(err)
			}
			copyFile(t, filepath.Join(other, CAKeyFile), filepath.Join(dir, CAKeyFile))
		}},
		{name: "CA replaced by a leaf certificate", change: func(t *testing.T, dir string) {
			copyFile(t, filepath.Join(dir, ServerCertFile), filepath.Join(dir, CAFile))
			copyFile(t, filepath.Join(dir, ServerKeyFile), filepath.Join(dir, CAKeyFile))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := EnsureLocalCA(dir); err != nil {
				t.Fatal(err)
			}
			tc.change(t, dir)
			before := readFiles(t, dir)
			_, err := EnsureLocalCA(dir)
			if err == nil || !strings.Contains(err.Error(), "remove "+dir) {
				t.Fatalf("error %v, want one telling to remove %s", err, dir)
			}
			if after := readFiles(t, dir); after[CAFile] != before[CAFile] || after[CAKeyFile] != before[CAKeyFile] {
				t.Fatal("the damaged CA was changed")
			}
		})
	}
}

func TestEnsureLocalCAUnwritableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes anywhere; use a path below a file instead
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := EnsureLocalCA(filepath.Join(file, "tls")); err == nil {
			t.Fatal("created a CA below a regular file")
		}
		return
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	if _, err := EnsureLocalCA(dir); err == nil {
		t.Fatal("created a CA in a read-only directory")
	}
}

func remove(name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func overwrite(name, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
