package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
	"testing"

	s3ec "github.com/aws/amazon-s3-encryption-client-go/v3/client"
	"github.com/aws/amazon-s3-encryption-client-go/v3/materials"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestS3ECInterop uses the Amazon S3 Encryption Client for Go (v3) with
// Coffer on both sides: its KMS keyring calls Coffer's KMS (GenerateDataKey
// on write, Decrypt on read) and its S3 client stores the client-side
// ciphertext in Coffer, which encrypts it again at rest.
func TestS3ECInterop(t *testing.T) {
	s := startTLSServer(t)
	ctx := context.Background()
	pool := trustedPool(t, s.caPath)
	kc := kmsClientAt(s.httpsEndpoint, httpsClient(pool))
	plain := sdkClientAt(s.httpsEndpoint, httpsClient(pool))
	created, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("s3ec keyring")})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(created.KeyMetadata.Arn)
	bucket := aws.String("s3ec")
	if _, err := plain.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	encryptionClient := func(t *testing.T, keyring materials.Keyring) *s3ec.S3EncryptionClientV3 {
		t.Helper()
		cmm, err := materials.NewCryptographicMaterialsManager(keyring)
		if err != nil {
			t.Fatal(err)
		}
		client, err := s3ec.New(sdkClientAt(s.httpsEndpoint, httpsClient(pool)), cmm)
		if err != nil {
			t.Fatal(err)
		}
		return client
	}
	writer := encryptionClient(t, materials.NewKmsKeyring(kc, keyARN))
	anyKeyReader := encryptionClient(t, materials.NewKmsDecryptOnlyAnyKeyKeyring(kc))

	cases := []struct {
		name    string
		size    int
		context map[string]string // the caller's encryption context, if any
		sse     types.ServerSideEncryption
	}{
		{name: "small", size: 29},
		{name: "1 MiB with context", size: 1 << 20, context: map[string]string{"project": "coffer", "purpose": "interop"}},
		{name: "empty", size: 0},
		{name: "over SSE-KMS", size: 100_000, sse: types.ServerSideEncryptionAwsKms},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(tc.name, tc.size)
			key := aws.String("s3ec/" + strconv.Itoa(tc.size) + "/" + tc.name)
			opCtx := ctx
			if tc.context != nil {
				opCtx = context.WithValue(ctx, s3ec.EncryptionContext, tc.context) // the S3EC reads its context from here
			}
			if _, err := writer.PutObject(opCtx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader(data),
				ServerSideEncryption: tc.sse}); err != nil {
				t.Fatalf("S3EC PutObject: %v", err)
			}
			for name, reader := range map[string]*s3ec.S3EncryptionClientV3{"KMS keyring": writer, "any-key keyring": anyKeyReader} {
				got, err := reader.GetObject(opCtx, &s3.GetObjectInput{Bucket: bucket, Key: key})
				if err != nil {
					t.Fatalf("S3EC GetObject with the %s: %v", name, err)
				}
				body, err := io.ReadAll(got.Body)
				got.Body.Close()
				if err != nil || !bytes.Equal(body, data) {
					t.Fatalf("S3EC GetObject with the %s: %v, %d bytes, equal %v", name, err, len(body), bytes.Equal(body, data))
				}
			}

			// What Coffer stores: the S3EC's V2 envelope in metadata, its ciphertext as the body.
			raw, err := plain.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			stored, err := io.ReadAll(raw.Body)
			raw.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			meta := raw.Metadata
			wrapped, err := base64.StdEncoding.DecodeString(meta["x-amz-key-v2"])
			if err != nil || len(wrapped) == 0 || meta["x-amz-wrap-alg"] != "kms+context" || meta["x-amz-cek-alg"] != "AES/GCM/NoPadding" ||
				meta["x-amz-tag-len"] != "128" || meta["x-amz-iv"] == "" || meta["x-amz-unencrypted-content-length"] != strconv.Itoa(tc.size) {
				t.Fatalf("stored metadata: %v", meta)
			}
			var matdesc map[string]string
			if err := json.Unmarshal([]byte(meta["x-amz-matdesc"]), &matdesc); err != nil || matdesc["aws:x-amz-cek-alg"] != "AES/GCM/NoPadding" {
				t.Fatalf("x-amz-matdesc %q: %v", meta["x-amz-matdesc"], err)
			}
			for k, v := range tc.context {
				if matdesc[k] != v {
					t.Fatalf("x-amz-matdesc %v lacks the caller's context %v", matdesc, tc.context)
				}
			}
			if len(stored) != tc.size+16 || (tc.size > 0 && bytes.Contains(stored, data)) {
				t.Fatalf("the stored body is %d bytes (want %d) or holds the plaintext", len(stored), tc.size+16)
			}
			if raw.ServerSideEncryption != tc.sse && !(tc.sse == "" && raw.ServerSideEncryption == types.ServerSideEncryptionAes256) {
				t.Fatalf("server-side encryption under the S3EC: %q", raw.ServerSideEncryption)
			}
			// The wrapped data key is a Coffer KMS blob for this key and context.
			ec := map[string]string{}
			for k, v := range matdesc {
				ec[k] = v
			}
			dk, err := kc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wrapped, EncryptionContext: ec})
			if err != nil || aws.ToString(dk.KeyId) != keyARN || len(dk.Plaintext) != 32 {
				t.Fatalf("KMS Decrypt of x-amz-key-v2: %v", err)
			}
		})
	}
}
