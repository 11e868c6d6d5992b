// Package tlsconfig provides Coffer's HTTPS settings and certificates.
//
// EnsureLocalCA is the embedded default: on first start it creates a local
// certificate authority and, signed by it, a server certificate for
// localhost, 127.0.0.1 and ::1, and on every later start it renews what is
// missing or close to expiry. Clients trust the CA (aws --ca-bundle ca.pem,
// boto3 verify=ca.pem). The directory it manages holds, in PEM:
//
//	ca.pem          CA certificate ("CERTIFICATE"), mode 0644; valid 10 years
//	ca-key.pem      CA private key ("PRIVATE KEY", PKCS #8), mode 0600
//	server.pem      server certificate, mode 0644; valid 1 year (never past the CA)
//	server-key.pem  server private key ("PRIVATE KEY", PKCS #8), mode 0600
//
// Keys are ECDSA P-256, which every S3 client's TLS stack accepts (Python's
// ssl, Go, Java, the aws CLI). The CA is name-constrained to localhost and
// the loopback addresses, so trusting it cannot let anyone who steals its
// key impersonate other sites. Certificates are renewed 30 days before
// they expire; a renewed CA must be trusted again by clients. The CA is never
// replaced silently when its files are damaged: EnsureLocalCA then fails,
// and deleting the directory starts over.
//
// Reloader serves a certificate and key from files through
// tls.Config.GetCertificate, so Reload (on SIGHUP) swaps them for new
// handshakes while established connections carry on. Config allows TLS 1.2
// and 1.3 only, and for TLS 1.2 only ECDHE key exchange with AES-GCM or
// ChaCha20-Poly1305; it offers HTTP/2 and HTTP/1.1 through ALPN.
//
// tlsconfig imports the standard library only and never net/http.
package tlsconfig
