package tlsconfig

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Files in the directory EnsureLocalCA manages.
const (
	CAFile         = "ca.pem"
	CAKeyFile      = "ca-key.pem"
	ServerCertFile = "server.pem"
	ServerKeyFile  = "server-key.pem"
)

const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 365 * 24 * time.Hour
	renewBefore    = 30 * 24 * time.Hour
	backdate       = time.Hour // tolerate clients whose clocks run a little behind
)

// The names the local server certificate is valid for.
var (
	serverDNSNames = []string{"localhost"}
	serverIPs      = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
)

// authority is a CA certificate and its key.
type authority struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// EnsureLocalCA makes dir hold a local CA and a server certificate for
// localhost, 127.0.0.1 and ::1 signed by it (see the package doc for the
// files), creating or renewing whatever is missing or expires within 30
// days. It returns the path of the CA certificate clients must trust.
func EnsureLocalCA(dir string) (caPath string, err error) {
	return ensureLocalCA(dir, time.Now())
}

func ensureLocalCA(dir string, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("tlsconfig: %w", err)
	}
	ca, err := loadCA(dir)
	switch {
	case errors.Is(err, errNoCA):
		ca, err = createCA(dir, now)
	case err == nil && needsRenewal(ca.cert, now):
		ca, err = createCA(dir, now)
	}
	if err != nil {
		return "", err
	}
	if !serverCertUsable(dir, ca.cert, now) {
		if err := issueServerCert(dir, ca, now); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, CAFile), nil
}

var errNoCA = errors.New("tlsconfig: no local CA yet")

// loadCA reads the CA pair; errNoCA if neither file exists.
func loadCA(dir string) (authority, error) {
	certPath, keyPath := filepath.Join(dir, CAFile), filepath.Join(dir, CAKeyFile)
	certPEM, certErr := os.ReadFile(certPath)
	keyPEM, keyErr := os.ReadFile(keyPath)
	defer clear(keyPEM)
	switch {
	case errors.Is(certErr, os.ErrNotExist) && errors.Is(keyErr, os.ErrNotExist):
		return authority{}, errNoCA
	case errors.Is(certErr, os.ErrNotExist) || errors.Is(keyErr, os.ErrNotExist):
		return authority{}, fmt.Errorf("tlsconfig: only one of %s and %s exists; remove %s to create a new local CA (clients must then trust the new %s)",
			certPath, keyPath, dir, CAFile)
	case certErr != nil:
		return authority{}, fmt.Errorf("tlsconfig: %w", certErr)
	case keyErr != nil:
		return authority{}, fmt.Errorf("tlsconfig: %w", keyErr)
	}
	if err := restrictKeyFile(keyPath); err != nil {
		return authority{}, err
	}
	damaged := func(why error) error {
		return fmt.Errorf("tlsconfig: the local CA in %s is damaged (%v); remove %s to create a new one (clients must then trust the new %s)",
			dir, why, dir, CAFile)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return authority{}, damaged(err)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return authority{}, damaged(err)
	}
	key, ok := pair.PrivateKey.(crypto.Signer)
	if !cert.IsCA || !ok {
		return authority{}, damaged(errors.New("not a CA certificate"))
	}
	return authority{cert: cert, key: key}, nil
}

// serverCertUsable reports whether the server pair in dir verifies, now
// and for the next 30 days, for every local name under ca.
func serverCertUsable(dir string, ca *x509.Certificate, now time.Time) bool {
	keyPath := filepath.Join(dir, ServerKeyFile)
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, ServerCertFile), keyPath)
	if err != nil || restrictKeyFile(keyPath) != nil {
		return false
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil || needsRenewal(leaf, now) {
		return false
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	for _, name := range localNames() {
		opts := x509.VerifyOptions{Roots: roots, CurrentTime: now, DNSName: name, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		if _, err := leaf.Verify(opts); err != nil {
			return false
		}
	}
	return true
}

func localNames() []string {
	names := append([]string(nil), serverDNSNames...)
	for _, ip := range serverIPs {
		names = append(names, ip.String())
	}
	return names
}

func needsRenewal(cert *x509.Certificate, now time.Time) bool {
	return now.Add(renewBefore).After(cert.NotAfter)
}

// restrictKeyFile makes a private key file readable by its owner only,
// should someone have loosened it.
func restrictKeyFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("tlsconfig: %w", err)
	}
	if info.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("tlsconfig: %w", err)
	}
	return nil
}
