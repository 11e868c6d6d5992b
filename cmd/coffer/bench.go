package main

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cofferlabs/coffer"
)

// benchConfig is one benchmark run: N objects of one size, C clients.
type benchConfig struct {
	endpoint    string
	region      string
	bucket      string
	objects     int
	size        int64
	concurrency int
	ops         []string
	label       string
	jsonOut     bool
	cleanup     bool
	// putHeaders are added to every PUT: the encryption asked for;
	// getHeaders to every GET (the SSE-C key).
	putHeaders, getHeaders []string
}

// benchResult is the figures of one phase.
type benchResult struct {
	Label       string  `json:"label,omitempty"`
	Op          string  `json:"op"`
	Objects     int     `json:"objects"`
	Size        int64   `json:"size"`
	Concurrency int     `json:"concurrency"`
	Errors      int64   `json:"errors"`
	Seconds     float64 `json:"seconds"`
	OpsPerSec   float64 `json:"opsPerSec"`
	MiBPerSec   float64 `json:"mibPerSec"`
	P50Ms       float64 `json:"p50Ms"`
	P99Ms       float64 `json:"p99Ms"`
}

func runBench(args []string) error {
	var c benchConfig
	fl := flag.NewFlagSet("bench", flag.ContinueOnError)
	fl.StringVar(&c.endpoint, "endpoint", "http://127.0.0.1:9000", "S3 endpoint (Coffer, MinIO, ...)")
	fl.StringVar(&c.region, "region", "us-east-1", "region to sign for")
	fl.StringVar(&c.bucket, "bucket", "coffer-bench", "bucket to use (created if missing)")
	fl.IntVar(&c.objects, "objects", 100, "objects per phase")
	size := fl.String("size", "1MiB", "object size (e.g. 4KiB, 1MiB, 64MiB)")
	fl.IntVar(&c.concurrency, "concurrency", 4, "concurrent clients")
	ops := fl.String("ops", "put,get", "phases to run, in order: put, get, delete")
	fl.StringVar(&c.label, "label", "", "label printed with the results (e.g. coffer, minio)")
	fl.BoolVar(&c.jsonOut, "json", false, "print results as JSON lines")
	fl.BoolVar(&c.cleanup, "cleanup", true, "delete the objects afterwards")
	accessKey := fl.String("access-key", "", "access key (default: env or --data-dir)")
	secretKey := fl.String("secret-key", "", "secret key")
	dataDir := fl.String("data-dir", "./coffer-data", "Coffer data dir to read root credentials from")
	caBundle := fl.String("ca-bundle", "", "PEM file of a CA to trust for https endpoints (e.g. <data-dir>/tls/ca.pem)")
	sse := fl.String("sse", "", "encryption to ask for on PUT: AES256, aws:kms or SSE-C (a random key per run, sent on PUT and GET; needs https) (default: the bucket's)")
	kmsKeyID := fl.String("sse-kms-key-id", "", "KMS key for --sse aws:kms (default: alias/aws/s3)")
	bucketKey := fl.Bool("bucket-key", false, "ask for an S3 Bucket Key with --sse aws:kms")
	if err := fl.Parse(args); err != nil {
		return err
	}
	var err error
	if c.size, err = parseSize(*size); err != nil {
		return err
	}
	if c.objects < 1 || c.concurrency < 1 {
		return errors.New("--objects and --concurrency must be at least 1")
	}
	c.ops = strings.Split(*ops, ",")
	creds, err := clientCredentials(*accessKey, *secretKey, *dataDir)
	if err != nil {
		return err
	}
	if c.putHeaders, c.getHeaders, err = encryptionHeaders(*sse, *kmsKeyID, *bucketKey, rand.Reader); err != nil {
		return err
	}
	client := newSignedClient(c.endpoint, c.region, "s3", creds, c.concurrency)
	if *caBundle != "" {
		if err := client.trustCA(*caBundle); err != nil {
			return err
		}
	}
	results, err := bench(context.Background(), client, c)
	for _, r := range results {
		printBenchResult(os.Stdout, r, c.jsonOut)
	}
	return err
}

func bench(ctx context.Context, client *signedClient, c benchConfig) ([]benchResult, error) {
	if err := ensureBucket(ctx, client, c.bucket); err != nil {
		return nil, err
	}
	payload := benchPayload()
	prefix := fmt.Sprintf("bench-%d/", time.Now().UnixNano())
	var results []benchResult
	for _, op := range c.ops {
		var do func(ctx context.Context, key string) error
		switch op {
		case "put":
			do = func(ctx context.Context, key string) error {
				return expectStatus(client.do(ctx, http.MethodPut, "/"+c.bucket+"/"+key, &repeatReader{buf: payload, left: c.size}, c.size, c.putHeaders...))
			}
		case "get":
			do = func(ctx context.Context, key string) error {
				resp, err := client.do(ctx, http.MethodGet, "/"+c.bucket+"/"+key, nil, 0, c.getHeaders...)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				n, err := io.Copy(io.Discard, resp.Body)
				if err == nil && (resp.StatusCode != http.StatusOK || n != c.size) {
					err = fmt.Errorf("GET %s: %s, %d bytes", key, resp.Status, n)
				}
				return err
			}
		case "delete":
			do = func(ctx context.Context, key string) error {
				return expectStatus(client.do(ctx, http.MethodDelete, "/"+c.bucket+"/"+key, nil, 0))
			}
		default:
			return results, fmt.Errorf("unknown phase %q (put, get, delete)", op)
		}
		r := runPhase(ctx, c, prefix, do)
		r.Op = op
		results = append(results, r)
	}
	if c.cleanup && !slices.Contains(c.ops, "delete") {
		runPhase(ctx, c, prefix, func(ctx context.Context, key string) error {
			return expectStatus(client.do(ctx, http.MethodDelete, "/"+c.bucket+"/"+key, nil, 0))
		})
	}
	return results, nil
}

// runPhase runs do once per object with c.concurrency workers and measures.
func runPhase(ctx context.Context, c benchConfig, prefix string, do func(context.Context, string) error) benchResult {
	latencies := make([]time.Duration, c.objects)
	var next, failures atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range c.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= c.objects {
					return
				}
				t := time.Now()
				if err := do(ctx, fmt.Sprintf("%sobj-%06d", prefix, i)); err != nil {
					if failures.Add(1) == 1 {
						fmt.Fprintln(os.Stderr, "bench: first error:", err)
					}
				}
				latencies[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	slices.Sort(latencies)
	return benchResult{
		Label: c.label, Objects: c.objects, Size: c.size, Concurrency: c.concurrency,
		Errors: failures.Load(), Seconds: elapsed,
		OpsPerSec: float64(c.objects) / elapsed,
		MiBPerSec: float64(c.objects) * float64(c.size) / elapsed / (1 << 20),
		P50Ms:     percentile(latencies, 0.50), P99Ms: percentile(latencies, 0.99),
	}
}

// encryptionHeaders turns the bench's encryption flags into the headers of
// every PUT and every GET. SSE-C draws one 32-byte key from random for the
// run and sends it, with its MD5, on both.
func encryptionHeaders(sse, kmsKeyID string, bucketKey bool, random io.Reader) (put, get []string, err error) {
	if sse != string(coffer.SSEKMS) && (kmsKeyID != "" || bucketKey) {
		return nil, nil, errors.New("--sse-kms-key-id and --bucket-key need --sse aws:kms")
	}
	switch sse {
	case "":
		return nil, nil, nil
	case string(coffer.SSES3):
		return []string{"X-Amz-Server-Side-Encryption", sse}, nil, nil
	case string(coffer.SSEKMS):
		put = []string{"X-Amz-Server-Side-Encryption", sse}
		if kmsKeyID != "" {
			put = append(put, "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", kmsKeyID)
		}
		if bucketKey {
			put = append(put, "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "true")
		}
		return put, nil, nil
	case string(coffer.SSEC):
		key := make([]byte, 32)
		if _, err := io.ReadFull(random, key); err != nil {
			return nil, nil, fmt.Errorf("SSE-C key: %w", err)
		}
		sum := md5.Sum(key)
		trio := []string{
			"X-Amz-Server-Side-Encryption-Customer-Algorithm", "AES256",
			"X-Amz-Server-Side-Encryption-Customer-Key", base64.StdEncoding.EncodeToString(key),
			"X-Amz-Server-Side-Encryption-Customer-Key-Md5", base64.StdEncoding.EncodeToString(sum[:]),
		}
		clear(key)
		return trio, trio, nil
	}
	return nil, nil, fmt.Errorf("--sse must be AES256, aws:kms or SSE-C, got %q", sse)
}

func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, int(float64(len(sorted))*p))
	return float64(sorted[i]) / float64(time.Millisecond)
}

func ensureBucket(ctx context.Context, client *signedClient, bucket string) error {
	resp, err := client.do(ctx, http.MethodPut, "/"+bucket, nil, 0)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == http.StatusOK || strings.Contains(string(body), "BucketAlreadyOwnedByYou") {
		return nil
	}
	return fmt.Errorf("create bucket %s: %s: %s", bucket, resp.Status, body)
}

func expectStatus(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s", resp.Status, body)
	}
	return nil
}

func printBenchResult(w io.Writer, r benchResult, asJSON bool) {
	if asJSON {
		_ = json.NewEncoder(w).Encode(r)
		return
	}
	fmt.Fprintf(w, "%-8s %-6s %6d x %-9s c=%-3d %9.1f ops/s %9.1f MiB/s  p50 %8.2f ms  p99 %8.2f ms  errors %d\n",
		r.Label, r.Op, r.Objects, formatSize(r.Size), r.Concurrency, r.OpsPerSec, r.MiBPerSec, r.P50Ms, r.P99Ms, r.Errors)
}

// benchPayload is 1 MiB of random bytes, repeated to make any object size
// without holding it in memory (random so that nothing compresses it away).
func benchPayload() []byte {
	buf := make([]byte, 1<<20)
	rng := mathrand.NewChaCha8([32]byte{'c', 'o', 'f', 'f', 'e', 'r'})
	_, _ = rng.Read(buf)
	return buf
}

type repeatReader struct {
	buf  []byte
	pos  int
	left int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n := copy(p, r.buf[r.pos:])
	r.pos = (r.pos + n) % len(r.buf)
	r.left -= int64(n)
	return n, nil
}

func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("invalid size %q", s)
			}
			return n * u.mult, nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return n, nil
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
