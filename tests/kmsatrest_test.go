package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestKMSNoPlaintextAtRest makes the KMS hand out data keys and decrypt
// plaintexts, and S3 store SSE-KMS objects (with and without a bucket
// key), with debug logging on; then it searches every file under the data
// dir, the audit trail included, and the server's logs for the data keys
// and plaintexts, raw, hex and base64.
func TestKMSNoPlaintextAtRest(t *testing.T) {
	s := startTLSServer(t, "--log-level", "debug")
	ctx := context.Background()
	pool := trustedPool(t, s.caPath)
	kc := kmsClientAt(s.httpsEndpoint, httpsClient(pool))
	client := sdkClientAt(s.httpsEndpoint, httpsClient(pool))
	created, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyID := created.KeyMetadata.KeyId
	var secrets [][]byte // what must never be found
	for i := range 3 {
		dk, err := kc.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: keyID, KeySpec: kmstypes.DataKeySpecAes256,
			EncryptionContext: map[string]string{"n": strconv.Itoa(i)}})
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, dk.Plaintext)
	}
	marker := []byte("COFFER-KMS-PLAINTEXT-MARKER-41c9e2")
	enc, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: keyID, Plaintext: marker})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, marker)

	bucket := aws.String("kms-at-rest")
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	body := func(n int) []byte { return bytes.Repeat(marker, n/len(marker)+1)[:n] }
	for _, size := range []int{len(marker), 100 << 10, 6 << 20} {
		for _, bucketKey := range []bool{false, true} {
			key := aws.String("obj-" + strconv.Itoa(size) + "-" + strconv.FormatBool(bucketKey))
			if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: unseekable{bytes.NewReader(body(size))},
				ContentLength: aws.Int64(int64(size)), ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: keyID,
				BucketKeyEnabled: aws.Bool(bucketKey)}); err != nil {
				t.Fatal(err)
			}
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			out.Body.Close()
		}
	}

	s.stop()
	var needles [][]byte
	for _, secret := range secrets {
		needles = append(needles, secret, []byte(hex.EncodeToString(secret)), []byte(base64.StdEncoding.EncodeToString(secret)))
	}
	needles = append(needles, marker[:16])
	found := func(data []byte) bool {
		for _, needle := range needles {
			if bytes.Contains(data, needle) {
				return true
			}
		}
		return false
	}
	scanned, _ := scanFiles(t, s.dataDir, "a data key or plaintext was found", found)
	if auditFiles, _ := filepath.Glob(filepath.Join(s.dataDir, "audit", "audit-*.jsonl")); len(auditFiles) == 0 || scanned < 4 {
		t.Fatalf("scanned %d files, audit segments %v: the data dir is not what this test expects", scanned, auditFiles)
	}
	if logs := s.logs.String() + s.stdout.String(); found([]byte(logs)) || !strings.Contains(logs, "obj-6291456-true") {
		t.Errorf("a data key or plaintext was found in the server's logs, or the logs do not show the requests (%d bytes)", len(logs))
	}
	t.Logf("scanned %d files and %d bytes of logs: no data key or plaintext", scanned, len(s.logs.String()))
}
