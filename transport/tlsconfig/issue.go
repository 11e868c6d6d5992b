package tlsconfig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

// createCA makes a new CA key and self-signed certificate in dir.
func createCA(dir string, now time.Time) (authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return authority{}, fmt.Errorf("tlsconfig: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return authority{}, err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Organization: []string{"Coffer"},
			CommonName:   fmt.Sprintf("Coffer local CA %s %s", host, now.UTC().Format("2006-01-02")),
		},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caLifetime),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		// Whoever trusts this CA trusts it for the local names only.
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         serverDNSNames,
		PermittedIPRanges:           loopbackRanges(),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return authority{}, fmt.Errorf("tlsconfig: creating the local CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return authority{}, fmt.Errorf("tlsconfig: %w", err)
	}
	if err := writeKeyPair(dir, CAKeyFile, CAFile, key, der); err != nil {
		return authority{}, err
	}
	return authority{cert: cert, key: key}, nil
}

// issueServerCert makes a new server key and certificate for the local
// names, signed by ca, in dir.
func issueServerCert(dir string, ca authority, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("tlsconfig: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"Coffer"}, CommonName: serverDNSNames[0]},
		NotBefore:    now.Add(-backdate),
		NotAfter:     minTime(now.Add(serverLifetime), ca.cert.NotAfter),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     serverDNSNames,
		IPAddresses:  serverIPs,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return fmt.Errorf("tlsconfig: issuing the server certificate: %w", err)
	}
	return writeKeyPair(dir, ServerKeyFile, ServerCertFile, key, der)
}

func loopbackRanges() []*net.IPNet {
	return []*net.IPNet{
		{IP: net.IPv4(127, 0, 0, 0).To4(), Mask: net.CIDRMask(8, 32)},
		{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)},
	}
}

// newSerial returns a random positive 128-bit serial number (RFC 5280
// allows up to 20 octets; randomness keeps serials unique without state).
func newSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	for {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return nil, fmt.Errorf("tlsconfig: %w", err)
		}
		if n.Sign() > 0 {
			return n, nil
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
