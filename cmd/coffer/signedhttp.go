package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const unsignedPayload = "UNSIGNED-PAYLOAD"

// signedClient sends SigV4-signed requests; the admin and bench commands use it.
type signedClient struct {
	endpoint string
	region   string
	service  string
	creds    aws.Credentials
	signer   *v4.Signer
	http     *http.Client
}

func newSignedClient(endpoint, region, service string, creds rootCredentials, concurrency int) *signedClient {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = max(concurrency, 2)
	transport.DisableCompression = true
	// HTTP/1.1 like the SDKs' default transports: one connection per client.
	transport.ForceAttemptHTTP2 = false
	return &signedClient{
		endpoint: endpoint, region: region, service: service,
		creds:  aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
		signer: v4.NewSigner(),
		http:   &http.Client{Transport: transport},
	}
}

// trustCA makes the client trust the PEM certificates in caFile (for
// Coffer's generated local CA), besides the system's.
func (c *signedClient) trustCA(caFile string) error {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no PEM certificate", caFile)
	}
	c.http.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return nil
}

// do signs and sends a request whose body (if any) is sent unsigned, with
// extra headers (signed too).
func (c *signedClient) do(ctx context.Context, method, path string, body io.Reader, size int64, headers ...string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, body)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	payloadHash := emptySHA256
	if body != nil {
		req.ContentLength = size
		payloadHash = unsignedPayload
	}
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if err := c.signer.SignHTTP(ctx, c.creds, req, payloadHash, c.service, c.region, time.Now()); err != nil {
		return nil, err
	}
	return c.http.Do(req)
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// clientCredentials finds the root credentials for a command-line client:
// the flags, then COFFER_ROOT_*, then AWS_*, then the data dir's file.
func clientCredentials(accessKey, secretKey, dataDir string) (rootCredentials, error) {
	if accessKey != "" && secretKey != "" {
		return rootCredentials{accessKey, secretKey}, nil
	}
	for _, pair := range [][2]string{{"COFFER_ROOT_ACCESS_KEY", "COFFER_ROOT_SECRET_KEY"}, {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}} {
		if ak, sk := os.Getenv(pair[0]), os.Getenv(pair[1]); ak != "" && sk != "" {
			return rootCredentials{ak, sk}, nil
		}
	}
	var creds rootCredentials
	if err := readJSON(filepath.Join(dataDir, credentialsFile), &creds); err != nil {
		return creds, fmt.Errorf("no credentials: pass --access-key/--secret-key, set COFFER_ROOT_ACCESS_KEY/COFFER_ROOT_SECRET_KEY, or point --data-dir at the server's data dir (%v)", err)
	}
	return creds, nil
}
