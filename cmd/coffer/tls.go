package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cofferlabs/coffer/transport"
	"github.com/cofferlabs/coffer/transport/tlsconfig"
)

// tlsFlags are serve's HTTPS and proxy settings.
//
// HTTPS is off unless --listen-tls is given, so `coffer serve` alone stays
// a plain-HTTP quick start. With it, Coffer serves the same API over HTTPS
// beside --listen (S3 exposes both); features that need TLS (SSE-C,
// SSE-KMS) work on the HTTPS endpoint only. Without --tls-cert/--tls-key,
// a local CA in <data-dir>/tls issues a certificate for localhost,
// 127.0.0.1 and ::1 and the banner prints the CA for `aws --ca-bundle`.
type tlsFlags struct {
	listen         string
	certFile       string
	keyFile        string
	trustedProxies prefixFlag
}

func (t *tlsFlags) register(fl *flag.FlagSet) {
	fl.StringVar(&t.listen, "listen-tls", "", "HTTPS listen address beside --listen, e.g. 127.0.0.1:9443 (default: no HTTPS)")
	fl.StringVar(&t.certFile, "tls-cert", "", "PEM certificate chain for HTTPS (default: issued by a local CA in <data-dir>/tls for localhost); reloaded on SIGHUP")
	fl.StringVar(&t.keyFile, "tls-key", "", "PEM private key for --tls-cert")
	fl.Var(&t.trustedProxies, "trusted-proxy", "CIDR (or address) of a TLS-terminating proxy whose X-Forwarded-Proto and X-Forwarded-For are believed (repeatable; default: none, forwarded headers are ignored)")
}

func (t *tlsFlags) validate() error {
	switch {
	case (t.certFile == "") != (t.keyFile == ""):
		return errors.New("--tls-cert and --tls-key go together")
	case t.certFile != "" && t.listen == "":
		return errors.New("--tls-cert needs --listen-tls")
	}
	return nil
}

// prefixFlag collects --trusted-proxy values.
type prefixFlag []netip.Prefix

func (p *prefixFlag) String() string {
	var s []string
	for _, prefix := range *p {
		s = append(s, prefix.String())
	}
	return strings.Join(s, ",")
}

func (p *prefixFlag) Set(v string) error {
	prefix, err := netip.ParsePrefix(v)
	if err != nil {
		addr, addrErr := netip.ParseAddr(v)
		if addrErr != nil || addr.Zone() != "" {
			return fmt.Errorf("want a CIDR such as 10.0.0.0/8 or an address, got %q", v)
		}
		prefix = netip.PrefixFrom(addr, addr.BitLen())
	}
	if prefix.Addr().Is4In6() && prefix.Bits() >= 96 { // peers are compared as IPv4
		prefix = netip.PrefixFrom(prefix.Addr().Unmap(), prefix.Bits()-96)
	}
	*p = append(*p, prefix.Masked())
	return nil
}

// withTransport records each request's source address and TLS state in its
// context, believing forwarded headers from the trusted proxies only.
func withTransport(h http.Handler, flags tlsFlags) http.Handler {
	return transport.Middleware(h, flags.trustedProxies)
}

// httpsEndpoint is the HTTPS listener and the certificate it serves.
type httpsEndpoint struct {
	listener net.Listener
	certs    *tlsconfig.Reloader
	localCA  string // the generated CA's path, or "" for --tls-cert
	tlsDir   string // where the generated certificates live
}

// startHTTPS binds --listen-tls, loads or generates the certificate, gives
// server its TLS settings, and keeps the certificate fresh (SIGHUP, and
// daily renewal of the generated one) until ctx ends. It returns nil when
// HTTPS is off.
func startHTTPS(ctx context.Context, server *http.Server, dataDir string, flags tlsFlags, logger *slog.Logger) (*httpsEndpoint, error) {
	if err := flags.validate(); err != nil {
		return nil, err
	}
	if flags.listen == "" {
		return nil, nil
	}
	e := &httpsEndpoint{tlsDir: filepath.Join(dataDir, "tls")}
	certFile, keyFile := flags.certFile, flags.keyFile
	if certFile == "" {
		caPath, err := tlsconfig.EnsureLocalCA(e.tlsDir)
		if err != nil {
			return nil, err
		}
		e.localCA = caPath
		certFile, keyFile = filepath.Join(e.tlsDir, tlsconfig.ServerCertFile), filepath.Join(e.tlsDir, tlsconfig.ServerKeyFile)
	}
	certs, err := tlsconfig.NewReloader(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	e.certs = certs
	if e.listener, err = net.Listen("tcp", flags.listen); err != nil {
		return nil, err
	}
	server.TLSConfig = certs.Config()
	logCertificate(logger, "serving HTTPS", certs, "addr", e.listener.Addr().String(), "localCA", e.localCA)
	go e.keepFresh(ctx, logger)
	return e, nil
}

// keepFresh reloads the certificate on SIGHUP, and renews the generated
// one a day at a time so that a server running for a year never serves an
// expired certificate.
func (e *httpsEndpoint) keepFresh(ctx context.Context, logger *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	var renew <-chan time.Time
	if e.localCA != "" {
		ticker := time.NewTicker(24 * time.Hour)
		defer ticker.Stop()
		renew = ticker.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			e.reload(logger, "SIGHUP")
		case <-renew:
			e.reload(logger, "daily renewal check")
		}
	}
}

// reload re-reads the certificate files, first renewing the generated
// certificate if it is missing or close to expiry. On failure the previous
// certificate stays in service.
func (e *httpsEndpoint) reload(logger *slog.Logger, trigger string) {
	before := e.certs.Certificate().SerialNumber
	err := e.renewLocal()
	if err == nil {
		err = e.certs.Reload()
	}
	if err != nil {
		logger.Error("TLS certificate reload failed; still serving the previous certificate", "trigger", trigger, "err", err)
		return
	}
	if trigger == "SIGHUP" || e.certs.Certificate().SerialNumber.Cmp(before) != 0 {
		logCertificate(logger, "TLS certificate reloaded", e.certs, "trigger", trigger)
	}
}

func (e *httpsEndpoint) renewLocal() error {
	if e.localCA == "" {
		return nil
	}
	_, err := tlsconfig.EnsureLocalCA(e.tlsDir)
	return err
}

func logCertificate(logger *slog.Logger, msg string, certs *tlsconfig.Reloader, attrs ...any) {
	cert := certs.Certificate()
	attrs = append(attrs, "subject", cert.Subject.String(), "serial", cert.SerialNumber.Text(16), "notAfter", cert.NotAfter.UTC())
	if time.Until(cert.NotAfter) < 30*24*time.Hour {
		logger.Warn(msg+"; the certificate expires within 30 days", attrs...)
		return
	}
	logger.Info(msg, attrs...)
}

// serveTLS serves the HTTPS endpoint, if any, reporting its end on served.
func (e *httpsEndpoint) serveTLS(server *http.Server, served chan<- error) {
	if e == nil {
		return
	}
	go func() { served <- server.ServeTLS(e.listener, "", "") }()
}

// printBanner tells where HTTPS is and, for the generated certificate,
// which CA clients must trust.
func (e *httpsEndpoint) printBanner(w io.Writer) {
	if e == nil {
		return
	}
	endpoint := "https://" + clientAddr(e.listener.Addr())
	fmt.Fprintf(w, "\nHTTPS at %s\n", endpoint)
	if e.localCA != "" {
		fmt.Fprintf(w, "Its certificate comes from a local CA; trust %s:\n", e.localCA)
		fmt.Fprintf(w, "  aws --endpoint-url %s --ca-bundle %s s3 ls\n", endpoint, e.localCA)
	}
}

// clientAddr is an address clients can connect to: a wildcard listener is
// reached through localhost, which the local certificate names.
func clientAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("localhost", fmt.Sprint(tcp.Port))
}
