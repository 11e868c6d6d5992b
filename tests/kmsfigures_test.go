package tests

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestSSEKMSFigures measures, in one run against one server, PUT ops/s of
// 4 KiB objects over HTTPS with SSE-S3, SSE-KMS and SSE-KMS with an S3
// Bucket Key, and counts from the audit trail the GenerateDataKey calls
// S3 made for each. It logs the figures and asserts only on the counts
// (one KMS call per SSE-KMS PUT, a handful with a bucket key), never on
// time.
func TestSSEKMSFigures(t *testing.T) {
	const (
		puts    = 500 // per configuration and round
		rounds  = 2   // alternating, so that a burst of load elsewhere on the machine hits every configuration alike
		workers = 8
		size    = 4 << 10
	)
	s := startTLSServer(t)
	ctx := context.Background()
	pool := trustedPool(t, s.caPath)
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		tr.MaxIdleConnsPerHost = workers
	})
	client := sdkClientAt(s.httpsEndpoint, httpClient)
	kc := kmsClientAt(s.httpsEndpoint, httpClient)
	ct := cloudTrailClientAt(s.httpsEndpoint, httpClient)
	created, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("figures")})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(created.KeyMetadata.Arn)
	body := randomBytes("figures", size)
	sseKMS := func(bucketKey bool) func(*s3.PutObjectInput) {
		return func(in *s3.PutObjectInput) {
			in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, aws.String(keyARN)
			if bucketKey {
				in.BucketKeyEnabled = aws.Bool(true)
			}
		}
	}
	// putAll PUTs n objects named prefix-<i> into bucket with workers
	// goroutines and returns the ops/s.
	putAll := func(t *testing.T, bucket, prefix string, n int, encryption func(*s3.PutObjectInput)) float64 {
		t.Helper()
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		start := time.Now()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1); i <= int64(n); i = next.Add(1) {
					in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("%s-%05d", prefix, i)), Body: bytes.NewReader(body)}
					if encryption != nil {
						encryption(in)
					}
					if _, err := client.PutObject(ctx, in); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		close(errs)
		for err := range errs {
			t.Fatalf("PUT into %s: %v", bucket, err)
		}
		return float64(n) / elapsed.Seconds()
	}

	runs := []struct {
		name       string
		bucket     string
		encryption func(*s3.PutObjectInput)
		opsPerSec  float64 // the best round's
		kmsCalls   int
	}{
		{name: "SSE-S3", bucket: "fig-sse-s3"},
		{name: "SSE-KMS", bucket: "fig-sse-kms", encryption: sseKMS(false)},
		{name: "SSE-KMS with bucket key", bucket: "fig-bucket-key", encryption: sseKMS(true)},
	}
	for _, bucket := range []string{"fig-warm-up", runs[0].bucket, runs[1].bucket, runs[2].bucket} {
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
	}
	// Warm up connections and both encryption paths in a bucket of its own,
	// so that the bucket-key run starts with no bucket key cached.
	putAll(t, "fig-warm-up", "s3", 4*workers, nil)
	putAll(t, "fig-warm-up", "kms", 4*workers, sseKMS(false))
	for round := range rounds {
		for i := range runs {
			runs[i].opsPerSec = max(runs[i].opsPerSec, putAll(t, runs[i].bucket, fmt.Sprintf("round%d", round), puts, runs[i].encryption))
		}
	}

	awaitTrail(t, kc, ct, keyARN)
	for _, r := range lookupAll(t, ct, cttypes.LookupAttributeKeyEventName, "GenerateDataKey") {
		if r.UserIdentity.InvokedBy != "s3.amazonaws.com" || r.ErrorCode != "" {
			continue
		}
		for i := range runs {
			bucketARN := "arn:aws:s3:::" + runs[i].bucket
			if arn := r.s3ARN(); arn == bucketARN || strings.HasPrefix(arn, bucketARN+"/") {
				runs[i].kmsCalls++
			}
		}
	}
	plainRun, kmsRun, bucketKeyRun := runs[0], runs[1], runs[2]
	const total = rounds * puts
	t.Logf("FIGURES SSE-KMS PUT (4 KiB objects, %d goroutines, aws-sdk-go-v2 over HTTPS, best of %d rounds of %d PUTs): SSE-S3 %.0f ops/s | SSE-KMS %.0f ops/s | SSE-KMS+bucket key %.0f ops/s",
		workers, rounds, puts, plainRun.opsPerSec, kmsRun.opsPerSec, bucketKeyRun.opsPerSec)
	t.Logf("FIGURES KMS GenerateDataKey calls by S3 in the audit trail: SSE-S3 %d | SSE-KMS %d for %d PUTs (%.0f per 10,000 PUTs) | SSE-KMS+bucket key %d for %d PUTs (%.0f per 10,000 PUTs)",
		plainRun.kmsCalls, kmsRun.kmsCalls, total, float64(kmsRun.kmsCalls)*10000/total, bucketKeyRun.kmsCalls, total, float64(bucketKeyRun.kmsCalls)*10000/total)
	if plainRun.kmsCalls != 0 || kmsRun.kmsCalls != total || bucketKeyRun.kmsCalls < 1 || bucketKeyRun.kmsCalls > workers {
		t.Fatalf("GenerateDataKey calls: SSE-S3 %d (want 0), SSE-KMS %d (want one per PUT, %d), bucket key %d (want 1 to %d: at most one per concurrent first PUT)",
			plainRun.kmsCalls, kmsRun.kmsCalls, total, bucketKeyRun.kmsCalls, workers)
	}
}
