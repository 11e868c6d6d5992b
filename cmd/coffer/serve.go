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
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/audit"
	"github.com/cofferlabs/coffer/audit/auditapi"
	"github.com/cofferlabs/coffer/console"
	"github.com/cofferlabs/coffer/iam"
	"github.com/cofferlabs/coffer/iam/iamapi"
	"github.com/cofferlabs/coffer/kms"
	"github.com/cofferlabs/coffer/kms/kmsapi"
	"github.com/cofferlabs/coffer/opsapi"
	"github.com/cofferlabs/coffer/policy"
	"github.com/cofferlabs/coffer/s3api"
	"github.com/cofferlabs/coffer/sigv4"
	"github.com/cofferlabs/coffer/sse"
	"github.com/cofferlabs/coffer/storage/fs"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

type serveConfig struct {
	dataDir          string
	listen           string
	region           string
	accountID        string
	domains          listFlag
	rootKeyFile      string
	rotationPeriod   time.Duration
	staleUploads     time.Duration
	kmsQuota         int
	directIO         bool
	blockSSEC        bool // new buckets block SSE-C writes (docs/operations.md)
	logLevel         string
	logFormat        string
	shutdownDeadline time.Duration
	cpuProfile       string
	tls              tlsFlags // HTTPS and trusted proxies (tls.go)
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func parseServeFlags(args []string) (serveConfig, error) {
	var c serveConfig
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.StringVar(&c.dataDir, "data-dir", "./coffer-data", "directory for objects, records and keys")
	fl.StringVar(&c.listen, "listen", "127.0.0.1:9000", "HTTP listen address")
	fl.StringVar(&c.region, "region", "us-east-1", "region in ARNs and bucket locations")
	fl.StringVar(&c.accountID, "account-id", "", "12-digit account id (default: generated once and kept in the data dir)")
	fl.Var(&c.domains, "domain", "base domain for virtual-hosted-style requests (repeatable)")
	fl.StringVar(&c.rootKeyFile, "root-key-file", "", "file holding the 32-byte root key (base64 or hex); COFFER_ROOT_KEY wins")
	fl.DurationVar(&c.rotationPeriod, "master-key-rotation", 90*24*time.Hour, "rotate the SSE-S3 master key this often (0 disables)")
	fl.DurationVar(&c.staleUploads, "stale-upload-expiry", 7*24*time.Hour, "abort multipart uploads older than this (0 keeps them until aborted)")
	fl.BoolVar(&c.directIO, "direct-io", false, "write object data with O_DIRECT: faster large PUTs, but reads of fresh objects miss the page cache")
	fl.BoolVar(&c.blockSSEC, "block-sse-c-by-default", false, "new buckets refuse SSE-C uploads (BlockedEncryptionTypes SSE-C), as Amazon S3 does since April 2026; a bucket's PutBucketEncryption can lift it")
	fl.IntVar(&c.kmsQuota, "kms-quota", kms.DefaultQuotaPerSecond, "KMS cryptographic requests per second, shared by all callers (0: no limit)")
	fl.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&c.logFormat, "log-format", "json", "json or text")
	fl.DurationVar(&c.shutdownDeadline, "shutdown-timeout", 30*time.Second, "how long to drain requests on SIGTERM")
	fl.StringVar(&c.cpuProfile, "cpu-profile", "", "write a CPU profile of the whole run to this file (for performance work)")
	c.tls.register(fl)
	if err := fl.Parse(args); err != nil {
		return c, err
	}
	if fl.NArg() > 0 {
		return c, fmt.Errorf("serve takes no arguments, got %q", fl.Args())
	}
	return c, nil
}

// serviceOptions are the sse.Service settings serve's flags choose.
func serviceOptions(cfg serveConfig, accountID string, keys coffer.KeyManager, auditor coffer.Auditor) sse.Options {
	return sse.Options{
		Region:               cfg.region,
		AccountID:            accountID,
		KeyManager:           keys,
		Auditor:              auditor,
		BlockSSECByDefault:   cfg.blockSSEC,
		ValidateBucketPolicy: validateBucketPolicy,
	}
}

func newLogger(level, format string, out io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(out, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(out, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be json or text, got %q", format)
}

func runServe(args []string) error {
	cfg, err := parseServeFlags(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	logger, err := newLogger(cfg.logLevel, cfg.logFormat, os.Stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.cpuProfile != "" {
		stopProfile, err := startCPUProfile(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}

	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return err
	}
	id, err := loadIdentity(cfg.dataDir, cfg.accountID)
	if err != nil {
		return err
	}
	creds, generated, err := loadRootCredentials(cfg.dataDir)
	if err != nil {
		return err
	}
	rootKey, keySource, err := loadRootKey(cfg.dataDir, cfg.rootKeyFile)
	if err != nil {
		return err
	}

	store, err := fs.Open(cfg.dataDir, fs.Options{BufferedIO: !cfg.directIO})
	if err != nil {
		return err
	}
	defer store.Close()
	keyring, err := sse.NewKeyring(ctx, store, rootKey)
	if err != nil {
		clear(rootKey)
		return err
	}
	trail, err := audit.Open(auditDir(cfg.dataDir), auditChainKey(rootKey),
		audit.Options{Region: cfg.region, AccountID: id.AccountID, Logger: logger})
	if err != nil {
		clear(rootKey)
		return err
	}
	defer trail.Close()
	iamKey := iamRecordKey(rootKey)
	users, err := iam.Open(ctx, store, iamKey, iam.Options{AccountID: id.AccountID})
	clear(iamKey)
	if err != nil {
		clear(rootKey)
		return err
	}
	authz := policy.NewAuthorizer(users, id.AccountID)
	keys, err := kms.New(store, rootKey, kms.Options{Region: cfg.region, AccountID: id.AccountID,
		Policy: authz, Auditor: trail, QuotaPerSecond: cfg.kmsQuota})
	clear(rootKey)
	if err != nil {
		return err
	}
	service := sse.New(store, keyring, serviceOptions(cfg, id.AccountID, keys, trail))

	signers := accounts{root: creds, accountID: id.AccountID, users: users}
	verifier := &sigv4.Verifier{Domains: cfg.domains, Secret: signers.secret}
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s3 := s3api.New(s3api.Config{
		Service:        service,
		Verifier:       verifier,
		Region:         cfg.region,
		AccountID:      id.AccountID,
		Domains:        cfg.domains,
		Logger:         logger,
		Metrics:        registry,
		Auditor:        trail,
		Identify:       signers.identify,
		Authorizer:     authz,
		KMSKeyARN:      func(_ context.Context, ref string) (string, bool) { return keys.KeyARN(ref) },
		PolicyIsPublic: policyIsPublic,
	})
	kmsAPI := kmsapi.New(kmsapi.Config{KMS: keys, Verifier: verifier, Region: cfg.region, AccountID: id.AccountID,
		Logger: logger, Metrics: registry, Identify: signers.identify})
	trailAPI := auditapi.New(auditapi.Config{Log: trail, Verifier: verifier, Region: cfg.region, AccountID: id.AccountID,
		Logger: logger, Identify: signers.identify, Authorizer: authz})
	iamAPI := iamapi.New(iamapi.Config{Directory: users, Verifier: verifier, Identify: signers.identify, Authorizer: authz,
		Auditor: trail, AccountID: id.AccountID, Region: cfg.region, Logger: logger})
	ops := opsapi.New(opsapi.Config{
		Gatherer:  registry,
		Verifier:  verifier,
		RootKeyID: creds.AccessKeyID,
		AccountID: id.AccountID,
		Keys:      keyAdmin{keyring: keyring, service: service},
		Logger:    logger,
	})

	listener, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	// The console signs its browser's calls and hands them back to the
	// router, inside the transport middleware, so the request facts stay
	// the browser's.
	web := console.New(console.Config{Secret: signers.secret, Identify: signers.identify, Region: cfg.region, Logger: logger, Auditor: trail})
	router := route(apis{ops: ops, s3: s3, kms: logJSONRequests("kms", kmsAPI, logger),
		trail: logJSONRequests("cloudtrail", trailAPI, logger), iam: iamAPI, console: web}, cfg.domains)
	web.SetRouter(router)
	server := &http.Server{
		Handler:           withTransport(router, cfg.tls),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	https, err := startHTTPS(ctx, server, cfg.dataDir, cfg.tls, logger)
	if err != nil {
		return err
	}
	if cfg.rotationPeriod > 0 {
		go runPeriodically(ctx, min(cfg.rotationPeriod/10, time.Hour), func() { rotateIfDue(ctx, keyring, cfg.rotationPeriod, logger) })
	}
	go runPeriodically(ctx, time.Hour, func() { sweepKeys(ctx, keys, logger) })
	if cfg.staleUploads > 0 {
		go runPeriodically(ctx, min(cfg.staleUploads/24, time.Hour), func() { abortStaleUploads(ctx, service, cfg.staleUploads, logger) })
	}
	printBanner(os.Stdout, listener.Addr().String(), creds, generated, keySource, cfg)
	https.printBanner(os.Stdout)
	logger.Info("coffer serving", "addr", listener.Addr().String(), "dataDir", cfg.dataDir,
		"region", cfg.region, "accountId", id.AccountID, "masterKeyVersion", keyring.CurrentVersion())
	if keySource == rootKeyEmbedded {
		logger.Warn("the root key is stored in the data dir, next to the data it protects; " +
			"move it out: see docs/operations.md (COFFER_ROOT_KEY or --root-key-file)")
	}

	served := make(chan error, 2)
	go func() { served <- server.Serve(listener) }()
	https.serveTLS(server, served)
	ops.SetReady(true)
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	ops.SetReady(false)
	logger.Info("shutting down", "deadline", cfg.shutdownDeadline)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownDeadline)
	defer cancel()
	return server.Shutdown(shutdownCtx)
}

// apis are the HTTP front ends sharing the listener.
type apis struct {
	ops, s3, kms, trail, iam, console http.Handler
}

// The KMS JSON protocol names its operation in X-Amz-Target on POST /.
const kmsTargetPrefix = "TrentService."

// route sends KMS, CloudTrail, IAM and STS calls to their APIs, the web
// console its paths, /_coffer/ to the
// operator endpoints unless the request is virtual-hosted (then the path
// is an object key in that bucket), and everything else to S3.
func route(a apis, domains []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if target := r.Header.Get("X-Amz-Target"); target != "" && r.Method == http.MethodPost && r.URL.Path == "/" {
			switch {
			case strings.HasPrefix(target, kmsTargetPrefix):
				a.kms.ServeHTTP(w, r)
				return
			case auditapi.IsTarget(target):
				a.trail.ServeHTTP(w, r)
				return
			}
		}
		if iamapi.IsRequest(r) {
			a.iam.ServeHTTP(w, r)
			return
		}
		if isConsolePath(r.URL.Path) && !isVirtualHost(r.Host, domains) {
			a.console.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, opsapi.Prefix) && !isVirtualHost(r.Host, domains) {
			a.ops.ServeHTTP(w, r)
			return
		}
		a.s3.ServeHTTP(w, r)
	})
}

func isConsolePath(path string) bool {
	return strings.HasPrefix(path, console.Prefix) || path == strings.TrimSuffix(console.Prefix, "/")
}

func isVirtualHost(host string, domains []string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for _, d := range domains {
		if strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// runPeriodically calls fn now and then every interval until ctx ends.
func runPeriodically(ctx context.Context, interval time.Duration, fn func()) {
	ticker := time.NewTicker(max(interval, time.Second))
	defer ticker.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func rotateIfDue(ctx context.Context, keyring *sse.Keyring, period time.Duration, logger *slog.Logger) {
	version, rotated, err := keyring.RotateIfOlder(ctx, period)
	switch {
	case err != nil:
		logger.Error("automatic master key rotation failed", "err", err)
	case rotated:
		logger.Info("master key rotated automatically", "version", version)
	}
}

// sweepKeys carries out the KMS's schedule: automatic rotations that are
// due and deletions whose waiting period has passed.
func sweepKeys(ctx context.Context, keys *kms.KMS, logger *slog.Logger) {
	if rotated, err := keys.RotateDueKeys(ctx); err != nil {
		logger.Error("KMS automatic rotation failed", "err", err)
	} else if rotated > 0 {
		logger.Info("KMS keys rotated automatically", "count", rotated)
	}
	if deleted, err := keys.DeleteExpiredKeys(ctx); err != nil {
		logger.Error("KMS key deletion failed", "err", err)
	} else if deleted > 0 {
		logger.Info("KMS keys deleted after their waiting period", "count", deleted)
	}
}

func abortStaleUploads(ctx context.Context, service *sse.Service, maxAge time.Duration, logger *slog.Logger) {
	aborted, err := service.AbortStaleUploads(ctx, maxAge)
	switch {
	case err != nil:
		logger.Error("aborting stale multipart uploads failed", "err", err)
	case aborted > 0:
		logger.Info("aborted stale multipart uploads", "count", aborted, "olderThan", maxAge)
	}
}

// keyAdmin adapts the keyring and service to the admin API.
type keyAdmin struct {
	keyring *sse.Keyring
	service *sse.Service
}

func (k keyAdmin) RotateMasterKey(ctx context.Context) (uint32, error) { return k.keyring.Rotate(ctx) }
func (k keyAdmin) Rewrap(ctx context.Context, progress func(done, total int)) error {
	return k.service.Rewrap(ctx, progress)
}

// RewrapBucket converts between the admin API's types and sse's, which
// hold the same fields (the conversions check that at compile time).
func (k keyAdmin) RewrapBucket(ctx context.Context, req opsapi.BucketRewrap, progress func(done, total int)) (opsapi.BucketRewrapResult, error) {
	res, err := k.service.RewrapBucket(ctx, sse.BucketRewrap(req), progress)
	return opsapi.BucketRewrapResult(res), err
}

func printBanner(w io.Writer, addr string, creds rootCredentials, generated bool, keySource rootKeySource, cfg serveConfig) {
	endpoint := "http://" + addr
	fmt.Fprintf(w, "Coffer is serving S3 at %s (region %s)\n", endpoint, cfg.region)
	fmt.Fprintf(w, "Web console: %s%s (sign in with an access key)\n", endpoint, console.Prefix)
	if generated {
		fmt.Fprintf(w, "\nRoot credentials were generated and saved to %s/%s (mode 0600).\n", cfg.dataDir, credentialsFile)
		fmt.Fprintf(w, "They are shown this once:\n  AccessKeyId:     %s\n  SecretAccessKey: %s\n", creds.AccessKeyID, creds.SecretAccessKey)
		fmt.Fprintf(w, "\nTry it:\n  export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s\n",
			creds.AccessKeyID, creds.SecretAccessKey, cfg.region)
	} else {
		fmt.Fprintf(w, "Root access key: %s\n\nTry it (with the root credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY):\n", creds.AccessKeyID)
	}
	fmt.Fprintf(w, "  aws --endpoint-url %s s3 mb s3://my-bucket\n", endpoint)
	fmt.Fprintf(w, "  aws --endpoint-url %s s3 cp ./file.txt s3://my-bucket/\n", endpoint)
	if keySource == rootKeyEmbedded {
		fmt.Fprintf(w, "\nWARNING: the root key is kept in %s/%s, next to the data it protects.\n", cfg.dataDir, rootKeyFile)
		fmt.Fprintf(w, "Anyone who copies the data dir can read everything. For production, move it out:\n")
		fmt.Fprintf(w, "  mv %s/%s /secure/place/root.key && coffer serve --root-key-file /secure/place/root.key\n", cfg.dataDir, rootKeyFile)
		fmt.Fprintf(w, "or pass it in COFFER_ROOT_KEY (base64). Lose it and the data is gone: back it up.\n")
	}
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
