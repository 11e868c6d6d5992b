package tests

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// tlsServer is a coffer started with --listen-tls.
type tlsServer struct {
	*server
	httpsAddr     string
	httpsEndpoint string
	caPath        string // the CA clients trust
}

// startTLSServer starts coffer with HTTPS on a free port, using the
// generated local CA unless args name a certificate (then caPath is "").
func startTLSServer(t *testing.T, args ...string) *tlsServer {
	t.Helper()
	addr := freeAddr(t)
	s := startServer(t, append([]string{"--listen-tls", addr}, args...)...)
	ts := &tlsServer{server: s, httpsAddr: addr, httpsEndpoint: "https://" + addr}
	if !strings.Contains(strings.Join(args, " "), "--tls-cert") {
		ts.caPath = filepath.Join(s.dataDir, "tls", "ca.pem")
	}
	return ts
}

// trustedPool holds the CA certificates in the PEM file at path.
func trustedPool(t *testing.T, path string) *x509.CertPool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatalf("no certificate in %s", path)
	}
	return pool
}

// httpsClient is an HTTP client trusting only pool, with the aws SDK's
// default transport settings (HTTP/2 attempted).
func httpsClient(pool *x509.CertPool) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	})
}

// wireLog records what went over the wire, per request.
type wireLog struct {
	inner aws.HTTPClient
	mu    sync.Mutex
	seen  []wireRecord
}

type wireRecord struct {
	method, proto, contentEncoding, contentSHA256, trailer string
	tls                                                    bool
}

func (w *wireLog) Do(req *http.Request) (*http.Response, error) {
	resp, err := w.inner.Do(req)
	if err != nil {
		return resp, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, wireRecord{
		method: req.Method, proto: resp.Proto, tls: resp.TLS != nil,
		contentEncoding: req.Header.Get("Content-Encoding"), contentSHA256: req.Header.Get("X-Amz-Content-Sha256"),
		trailer: req.Header.Get("X-Amz-Trailer"),
	})
	return resp, err
}

func (w *wireLog) last() wireRecord {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen[len(w.seen)-1]
}

func sdkClientAt(endpoint string, httpClient aws.HTTPClient) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint:               aws.String(endpoint),
		Region:                     testRegion,
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(rootAccessKey, rootSecretKey, ""),
		HTTPClient:                 httpClient,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
}

// awsCLIAt runs the aws CLI against endpoint with extra global options.
func awsCLIAt(endpoint string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", endpoint}, args...)...)
	cmd.Env = append(cleanAWSEnv(), "AWS_ACCESS_KEY_ID="+rootAccessKey, "AWS_SECRET_ACCESS_KEY="+rootSecretKey,
		"AWS_DEFAULT_REGION="+testRegion)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// unseekable hides every method but Read, as a pipe or socket would.
type unseekable struct{ r io.Reader }

func (u unseekable) Read(p []byte) (int, error) { return u.r.Read(p) }

func TestHTTPSAWSCLI(t *testing.T) {
	requireTool(t, "aws")
	s := startTLSServer(t)
	banner := s.stdout.String()
	if !strings.Contains(banner, s.httpsEndpoint) || !strings.Contains(banner, "--ca-bundle "+s.caPath) {
		t.Fatalf("the banner does not show the HTTPS endpoint and the CA:\n%s", banner)
	}
	ca := []string{"--ca-bundle", s.caPath}
	run := func(args ...string) string {
		t.Helper()
		out, err := awsCLIAt(s.httpsEndpoint, append(ca, args...)...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	dir := t.TempDir()
	run("s3", "mb", "s3://tls-cli")
	for _, size := range []int{0, 300_000, 9 << 20} { // 9 MiB goes multipart
		name := "file-" + strconv.Itoa(size)
		src, data := randomFile(t, dir, name, size)
		run("s3", "cp", src, "s3://tls-cli/"+name)
		down := filepath.Join(dir, name+".down")
		run("s3", "cp", "s3://tls-cli/"+name, down)
		assertFileEquals(t, down, data)
	}
	if out := run("s3", "ls", "s3://tls-cli/"); !strings.Contains(out, "file-9437184") {
		t.Fatalf("ls:\n%s", out)
	}
	// The CLI really verifies: without the CA it refuses the certificate.
	out, err := awsCLIAt(s.httpsEndpoint, "s3", "ls", "s3://tls-cli/")
	if err == nil || !strings.Contains(out, "CERTIFICATE_VERIFY_FAILED") {
		t.Fatalf("without --ca-bundle: %v\n%s", err, out)
	}
	// The plain HTTP endpoint still serves the same data.
	if out := s.awsCLI(t, "s3", "ls", "s3://tls-cli/"); !strings.Contains(out, "file-300000") {
		t.Fatalf("ls over HTTP:\n%s", out)
	}
}

// Over TLS the SDK streams bodies it cannot rewind as aws-chunked with a
// trailing checksum (over plain HTTP it refuses them).
func TestHTTPSGoSDKUnseekableBody(t *testing.T) {
	s := startTLSServer(t)
	ctx := context.Background()
	wire := &wireLog{inner: httpsClient(trustedPool(t, s.caPath))}
	client := sdkClientAt(s.httpsEndpoint, wire)
	bucket := aws.String("tls-sdk")
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		size int
		alg  types.ChecksumAlgorithm
	}{
		{name: "default checksum", size: 1_000_000},
		{name: "crc32c", size: 64<<10 + 1, alg: types.ChecksumAlgorithmCrc32c},
		{name: "sha256", size: 5 << 20, alg: types.ChecksumAlgorithmSha256},
		{name: "one byte", size: 1, alg: types.ChecksumAlgorithmCrc64nvme},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(tc.name, tc.size)
			key := aws.String(strings.ReplaceAll(tc.name, " ", "-"))
			put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key,
				Body: unseekable{bytes.NewReader(data)}, ContentLength: aws.Int64(int64(len(data))), ChecksumAlgorithm: tc.alg})
			if err != nil {
				t.Fatal(err)
			}
			sent := wire.last()
			if !sent.tls || sent.contentEncoding != "aws-chunked" || sent.contentSHA256 != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" || sent.trailer == "" {
				t.Fatalf("the SDK did not stream with a trailer: %+v", sent)
			}
			if put.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToString(put.ETag) != `"`+md5hex(data)+`"` {
				t.Fatalf("PutObject: SSE %q ETag %s", put.ServerSideEncryption, aws.ToString(put.ETag))
			}
			get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("GetObject: %v, %d bytes, equal %v", err, len(got), bytes.Equal(got, data))
			}
			t.Logf("sent over %s", sent.proto)
		})
	}

}

const boto3TLSScript = `
import hashlib, io, os, sys
import boto3, botocore.exceptions
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

endpoint, ca = sys.argv[1], sys.argv[2]
cfg = Config(s3={"addressing_style": "path"}, signature_version="s3v4")
s3 = boto3.client("s3", endpoint_url=endpoint, verify=ca, config=cfg)
s3.create_bucket(Bucket="tls-boto")

body = os.urandom(700000)
r = s3.put_object(Bucket="tls-boto", Key="put.bin", Body=body)
assert r["ETag"].strip('"') == hashlib.md5(body).hexdigest(), r
assert s3.get_object(Bucket="tls-boto", Key="put.bin")["Body"].read() == body

# a non-seekable stream through the transfer manager (multipart)
class Pipe(io.RawIOBase):
    def __init__(self, data): self.buf = io.BytesIO(data)
    def readable(self): return True
    def readinto(self, b):
        n = self.buf.readinto(b)
        return n
big = os.urandom(11 * 1024 * 1024 + 5)
tc = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
s3.upload_fileobj(Pipe(big), "tls-boto", "stream.bin", Config=tc)
out = io.BytesIO()
s3.download_fileobj("tls-boto", "stream.bin", out, Config=tc)
assert out.getvalue() == big

# the default trust store does not know the local CA
plain = boto3.client("s3", endpoint_url=endpoint, config=cfg)
try:
    plain.list_buckets()
    raise SystemExit("the local CA was trusted without verify=")
except botocore.exceptions.SSLError:
    pass
print("ok")
`

func TestHTTPSBoto3(t *testing.T) {
	requireTool(t, "python")
	s := startTLSServer(t)
	if out := s.python(t, boto3TLSScript, s.httpsEndpoint, s.caPath); strings.TrimSpace(out) != "ok" {
		t.Fatalf("boto3:\n%s", out)
	}
}

// connectionSerial makes a request with client and returns the serial
// of the certificate the connection presented and whether it was reused.
func connectionSerial(t *testing.T, client *http.Client, url string) (serial *big.Int, reused bool) {
	t.Helper()
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("GET %s: %s, TLS %v", url, resp.Status, resp.TLS != nil)
	}
	return resp.TLS.PeerCertificates[0].SerialNumber, reused
}

func TestHTTPSReloadOnSIGHUP(t *testing.T) {
	cases := []struct {
		name string
		// start returns the running server, the CA clients trust, and a
		// function putting a new certificate where the server reads it.
		start func(t *testing.T) (s *tlsServer, caPath string, replace func())
	}{
		{
			name: "generated certificate",
			start: func(t *testing.T) (*tlsServer, string, func()) {
				s := startTLSServer(t)
				return s, s.caPath, func() { // the server issues a new one on SIGHUP
					for _, name := range []string{"server.pem", "server-key.pem"} {
						if err := os.Remove(filepath.Join(s.dataDir, "tls", name)); err != nil {
							t.Fatal(err)
						}
					}
				}
			},
		},
		{
			name: "given certificate",
			start: func(t *testing.T) (*tlsServer, string, func()) {
				dir := t.TempDir()
				certPath, keyPath, caPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem")
				ca := newTestCA(t)
				writePEM(t, caPath, "CERTIFICATE", ca.cert.Raw, 0o644)
				ca.issue(t, certPath, keyPath)
				s := startTLSServer(t, "--tls-cert", certPath, "--tls-key", keyPath)
				if strings.Contains(s.stdout.String(), "--ca-bundle") {
					t.Fatalf("the banner offers a local CA for a given certificate:\n%s", s.stdout.String())
				}
				if _, err := os.Stat(filepath.Join(s.dataDir, "tls")); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("a local CA was generated although a certificate was given: %v", err)
				}
				return s, caPath, func() { ca.issue(t, certPath, keyPath) }
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, caPath, replace := tc.start(t)
			pool := trustedPool(t, caPath)
			url := s.httpsEndpoint + "/_coffer/health/ready"
			long := &http.Client{Transport: httpsClient(pool).GetTransport()}
			before, _ := connectionSerial(t, long, url)

			replace()
			if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			// The reload happens asynchronously; wait for its log line.
			deadline := time.Now().Add(60 * time.Second)
			for !strings.Contains(s.logs.String(), "TLS certificate reloaded") {
				if time.Now().After(deadline) {
					t.Fatalf("no reload logged:\n%s", s.logs.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			fresh := &http.Client{Transport: httpsClient(pool).GetTransport()}
			after, _ := connectionSerial(t, fresh, url)
			if after.Cmp(before) == 0 {
				t.Fatalf("a new connection still gets certificate %x", before)
			}
			// The connection opened before the reload carries on.
			again, reused := connectionSerial(t, long, url)
			if !reused || again.Cmp(before) != 0 {
				t.Fatalf("the old connection: reused %v, serial %x (want %x)", reused, again, before)
			}
		})
	}
}

func TestHTTPSRefusesOldTLS(t *testing.T) {
	s := startTLSServer(t)
	pool := trustedPool(t, s.caPath)
	cases := []struct {
		name     string
		min, max uint16
		wantOK   bool
	}{
		{name: "TLS 1.0", min: tls.VersionTLS10, max: tls.VersionTLS10},
		{name: "TLS 1.1", min: tls.VersionTLS10, max: tls.VersionTLS11},
		{name: "TLS 1.2", min: tls.VersionTLS12, max: tls.VersionTLS12, wantOK: true},
		{name: "TLS 1.3", min: tls.VersionTLS13, max: tls.VersionTLS13, wantOK: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tls.Dial("tcp", s.httpsAddr, &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tc.min, MaxVersion: tc.max})
			if tc.wantOK {
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("the server accepted the handshake")
			}
			if !strings.Contains(err.Error(), "protocol version") {
				t.Fatalf("refused, but not for the version: %v", err)
			}
		})
	}
}

// forwardingClient adds headers to every request after signing, as a
// client forging proxy headers would.
type forwardingClient struct {
	inner   aws.HTTPClient
	headers map[string]string
}

func (f forwardingClient) Do(req *http.Request) (*http.Response, error) {
	for k, v := range f.headers {
		req.Header.Set(k, v)
	}
	return f.inner.Do(req)
}

// SSE-C must only ever travel over TLS: a client on the HTTP port claiming
// X-Forwarded-Proto: https is not believed unless it is a trusted proxy.
func TestHTTPSForwardedProtoFromUntrustedPeer(t *testing.T) {
	customerKey := bytes.Repeat([]byte{7}, 32)
	keyMD5 := md5.Sum(customerKey)
	ssec := func(client *s3.Client, key string) error {
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String("proxied"), Key: aws.String(key), Body: bytes.NewReader([]byte("secret")),
			SSECustomerAlgorithm: aws.String("AES256"),
			SSECustomerKey:       aws.String(base64.StdEncoding.EncodeToString(customerKey)),
			SSECustomerKeyMD5:    aws.String(base64.StdEncoding.EncodeToString(keyMD5[:])),
		})
		return err
	}
	cases := []struct {
		name string
		args []string
	}{
		{name: "no trusted proxies"},
		{name: "trusted proxies elsewhere", args: []string{"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "fd00::/8"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startTLSServer(t, tc.args...)
			forged := sdkClientAt(s.endpoint, forwardingClient{inner: awshttp.NewBuildableClient(),
				headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"}})
			if _, err := forged.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("proxied")}); err != nil {
				t.Fatal(err)
			}
			if err := ssec(forged, "over-http"); !refusedAsInsecure(err) {
				t.Fatalf("SSE-C over HTTP with a forged X-Forwarded-Proto: %v", err)
			}
			// The same request over the HTTPS listener passes the transport check.
			secure := sdkClientAt(s.httpsEndpoint, httpsClient(trustedPool(t, s.caPath)))
			if err := ssec(secure, "over-https"); refusedAsInsecure(err) {
				t.Fatalf("SSE-C over HTTPS: %v", err)
			}
		})
	}
}

// refusedAsInsecure reports whether err is S3's refusal of SSE-C over
// plain HTTP (spec §3: 400 InvalidRequest).
func refusedAsInsecure(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidRequest" && strings.Contains(apiErr.ErrorMessage(), "secure connection")
}

func TestHTTPSServesWithTrustedProxy(t *testing.T) {
	s := startTLSServer(t, "--trusted-proxy", "127.0.0.1/32", "--trusted-proxy", "::1")
	for _, endpoint := range []string{s.endpoint, s.httpsEndpoint} {
		client := sdkClientAt(endpoint, forwardingClient{inner: httpsClient(trustedPool(t, s.caPath)),
			headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}})
		bucket := aws.String("proxy-" + strings.SplitN(endpoint, ":", 2)[0])
		if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: bucket}); err != nil {
			t.Fatalf("%s: %v", endpoint, err)
		}
		if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
			t.Fatalf("%s: %v", endpoint, err)
		}
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{args: []string{"--trusted-proxy", "not-a-cidr"}, want: "trusted-proxy"},
		{args: []string{"--listen-tls", freeAddr(t), "--tls-key", "key.pem"}, want: "--tls-cert and --tls-key go together"},
		{args: []string{"--tls-cert", "cert.pem", "--tls-key", "key.pem"}, want: "--tls-cert needs --listen-tls"},
		{args: []string{"--listen-tls", freeAddr(t), "--tls-cert", "missing.pem", "--tls-key", "missing.pem"}, want: "missing.pem"},
	} {
		if out := serveFails(t, bad.args...); !strings.Contains(out, bad.want) {
			t.Errorf("%q: the error does not say %q:\n%s", bad.args, bad.want, out)
		}
	}
}

// serveFails runs coffer serve with args, which must make it exit with an
// error at once, and returns its output.
func serveFails(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cofferBinary, append([]string{"serve", "--data-dir", t.TempDir(), "--listen", freeAddr(t)}, args...)...)
	out, err := cmd.CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("coffer serve %q: %v\n%s", args, err, out)
	}
	return string(out)
}

// testCA is a CA the test controls, for --tls-cert.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "coffer test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return testCA{cert: cert, key: key}
}

// issue writes a new server certificate for 127.0.0.1 and localhost.
func (ca testCA) issue(t *testing.T, certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	tmpl := &x509.Certificate{
		SerialNumber: serial.Add(serial, big.NewInt(2)), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, keyPath, "PRIVATE KEY", keyDER, 0o600)
	writePEM(t, certPath, "CERTIFICATE", der, 0o644)
}

func writePEM(t *testing.T, path, blockType string, der []byte, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path+".tmp", pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}
