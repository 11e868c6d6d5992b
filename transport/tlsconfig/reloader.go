package tlsconfig

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"sync/atomic"
	"time"
)

// Reloader serves the certificate in certFile (with its chain) and the key
// in keyFile, and re-reads them on Reload.
type Reloader struct {
	certFile, keyFile string
	current           atomic.Pointer[tls.Certificate]
}

// NewReloader loads certFile and keyFile, failing if they do not form a
// usable pair.
func NewReloader(certFile, keyFile string) (*Reloader, error) {
	r := &Reloader{certFile: certFile, keyFile: keyFile}
	if err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// Reload reads the files again. New handshakes get the new certificate;
// connections already established are not touched. On error the previous
// certificate stays in service.
func (r *Reloader) Reload() error {
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("tlsconfig: loading %s and %s: %w", r.certFile, r.keyFile, err)
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return fmt.Errorf("tlsconfig: %s: %w", r.certFile, err)
		}
	}
	if now := time.Now(); now.After(cert.Leaf.NotAfter) {
		return fmt.Errorf("tlsconfig: the certificate in %s expired on %s", r.certFile, cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	r.current.Store(&cert)
	return nil
}

// Certificate returns the certificate now being served.
func (r *Reloader) Certificate() *x509.Certificate {
	return r.current.Load().Leaf
}

// Config returns a server configuration serving the current certificate.
func (r *Reloader) Config() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: tls12CipherSuites,
		NextProtos:   []string{"h2", "http/1.1"},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return r.current.Load(), nil
		},
	}
}

// tls12CipherSuites are the TLS 1.2 suites offered: forward secret (ECDHE)
// and AEAD only. TLS 1.3 suites are all of this kind and not configurable.
var tls12CipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}
