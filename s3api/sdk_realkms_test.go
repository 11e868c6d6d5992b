package s3api

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/kms"
	"github.com/cofferlabs/coffer/policy"
	"github.com/cofferlabs/coffer/storage/mem"
)

// TestSDKWithRealKMS drives SSE-KMS through the SDK against the built-in
// KMS: the AWS-managed aws/s3 key (usable only via S3), a customer key by
// alias, a bucket default with a bucket key; the KMS's audit trail shows
// the root calling via S3 over TLS.
func TestSDKWithRealKMS(t *testing.T) {
	auditor := &recordingAuditor{}
	k, err := kms.New(mem.New(), bytes.Repeat([]byte{0x24}, 32), kms.Options{Region: testRegion, AccountID: testAccount, Policy: policy.NewKeyPolicies(), Auditor: auditor})
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, withKMS(k))
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "real")
	root := coffer.WithPrincipal(ctx, coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount})
	created, err := k.API().CreateKey(root, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.API().CreateAlias(root, &kms.CreateAliasInput{AliasName: "alias/real", TargetKeyId: created.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	for _, keyID := range []*string{nil, aws.String("alias/real")} {
		data := randomBytes(70_000, 4)
		put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("real"), Key: aws.String("k"), Body: bytes.NewReader(data),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: keyID})
		if err != nil {
			t.Fatal(err)
		}
		if keyID != nil && aws.ToString(put.SSEKMSKeyId) != created.KeyMetadata.Arn {
			t.Fatalf("PUT by alias answered %s", aws.ToString(put.SSEKMSKeyId))
		}
		got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("real"), Key: aws.String("k")})
		if err != nil || !bytes.Equal(readAll(t, got.Body), data) {
			t.Fatalf("GET: %v", err)
		}
	}
	ev := auditor.find("Decrypt")
	if ev == nil || ev.EventSource != "kms.amazonaws.com" || ev.Principal.ARN != "arn:aws:iam::"+testAccount+":root" ||
		ev.Request.ViaService != "s3.amazonaws.com" || !ev.Request.SecureTransport || ev.Request.SignatureVersion != 4 || ev.ErrorCode != "" {
		t.Fatalf("KMS audit event %+v", ev)
	}

	doc := []byte(`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/real</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`)
	if resp, body := do(t, env.server.Client(), signedRequest(t, "PUT", env.url("/real?encryption"), doc, map[string]string{"Content-MD5": md5Base64(doc)})); resp.StatusCode != 200 {
		t.Fatalf("PutBucketEncryption: %d %s", resp.StatusCode, body)
	}
	before := countEvents(auditor, "GenerateDataKey")
	for i := 0; i < 100; i++ {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("real"), Key: aws.String(fmt.Sprint("d", i)), Body: bytes.NewReader([]byte{byte(i)})}); err != nil {
			t.Fatal(err)
		}
	}
	if n := countEvents(auditor, "GenerateDataKey") - before; n != 1 {
		t.Fatalf("100 PUTs under a bucket key made %d GenerateDataKey calls", n)
	}
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("real"), Key: aws.String("x"), Body: bytes.NewReader(nil),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("fake-key-id")})
	wantCode(t, err, "KMS.NotFoundException")
}

func countEvents(a *recordingAuditor, name string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, e := range a.events {
		if e.EventName == name {
			n++
		}
	}
	return n
}
