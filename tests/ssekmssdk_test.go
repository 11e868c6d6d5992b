package tests

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestSSEKMSGoSDK uses aws-sdk-go-v2's s3 client over HTTPS: SSE-KMS with
// unseekable (aws-chunked) bodies, contexts and bucket keys, multipart,
// the KMS key states as S3 reports them, UpdateObjectEncryption between
// KMS keys, and the refusal of SSE-KMS over plain HTTP.
func TestSSEKMSGoSDK(t *testing.T) {
	s := startTLSServer(t)
	ctx := context.Background()
	pool := trustedPool(t, s.caPath)
	wire := &wireLog{inner: httpsClient(pool)}
	client := sdkClientAt(s.httpsEndpoint, wire)
	kc := kmsClientAt(s.httpsEndpoint, httpsClient(pool))
	newKey := func(t *testing.T) (id, arn string) {
		t.Helper()
		out, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.KeyMetadata.KeyId), aws.ToString(out.KeyMetadata.Arn)
	}
	keyID, keyARN := newKey(t)
	bucket := aws.String("sdk-kms")
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	get := func(t *testing.T, objectKey string) (*s3.GetObjectOutput, []byte) {
		t.Helper()
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(objectKey), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		data, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		return out, data
	}

	t.Run("put and get", func(t *testing.T) {
		cases := []struct {
			name       string
			size       int
			unseekable bool
			context    map[string]string
			bucketKey  bool
		}{
			{name: "unseekable with context", size: 1_000_000, unseekable: true, context: map[string]string{"project": "coffer"}},
			{name: "unseekable with bucket key", size: 300_000, unseekable: true, bucketKey: true},
			{name: "unseekable one byte", size: 1, unseekable: true},
			{name: "empty", size: 0},
			{name: "seekable with context and bucket key", size: 64<<10 + 1, context: map[string]string{"a": "1", "b": "2"}, bucketKey: true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				data := randomBytes(tc.name, tc.size)
				objectKey := strings.ReplaceAll(tc.name, " ", "-")
				var body io.Reader = bytes.NewReader(data)
				if tc.unseekable {
					body = unseekable{bytes.NewReader(data)}
				}
				in := &s3.PutObjectInput{Bucket: bucket, Key: aws.String(objectKey), Body: body, ContentLength: aws.Int64(int64(tc.size)),
					ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyID)}
				if tc.context != nil {
					in.SSEKMSEncryptionContext = aws.String(b64JSON(t, tc.context))
				}
				if tc.bucketKey {
					in.BucketKeyEnabled = aws.Bool(true)
				}
				put, err := client.PutObject(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				if tc.unseekable {
					if sent := wire.last(); !sent.tls || sent.contentEncoding != "aws-chunked" {
						t.Fatalf("the SDK did not stream the body: %+v", sent)
					}
				}
				if put.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(put.SSEKMSKeyId) != keyARN ||
					aws.ToBool(put.BucketKeyEnabled) != tc.bucketKey {
					t.Fatalf("PutObject: SSE %q key %q bucket key %v", put.ServerSideEncryption, aws.ToString(put.SSEKMSKeyId), aws.ToBool(put.BucketKeyEnabled))
				}
				out, got := get(t, objectKey)
				if !bytes.Equal(got, data) || out.ServerSideEncryption != types.ServerSideEncryptionAwsKms ||
					aws.ToString(out.SSEKMSKeyId) != keyARN || aws.ToBool(out.BucketKeyEnabled) != tc.bucketKey {
					t.Fatalf("GetObject: equal %v, SSE %q key %q bucket key %v", bytes.Equal(got, data), out.ServerSideEncryption,
						aws.ToString(out.SSEKMSKeyId), aws.ToBool(out.BucketKeyEnabled))
				}
			})
		}
	})

	t.Run("multipart with bucket key", func(t *testing.T) {
		objectKey := aws.String("multipart")
		created, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: objectKey,
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyARN), BucketKeyEnabled: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if created.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(created.SSEKMSKeyId) != keyARN || !aws.ToBool(created.BucketKeyEnabled) {
			t.Fatalf("CreateMultipartUpload: %q %q %v", created.ServerSideEncryption, aws.ToString(created.SSEKMSKeyId), aws.ToBool(created.BucketKeyEnabled))
		}
		parts := [][]byte{randomBytes("part 1", 5<<20), randomBytes("part 2", 12345)}
		var completed []types.CompletedPart
		for i, part := range parts {
			n := aws.Int32(int32(i + 1))
			up, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: objectKey, UploadId: created.UploadId, PartNumber: n,
				Body: unseekable{bytes.NewReader(part)}, ContentLength: aws.Int64(int64(len(part)))})
			if err != nil {
				t.Fatal(err)
			}
			if up.ServerSideEncryption != types.ServerSideEncryptionAwsKms || !aws.ToBool(up.BucketKeyEnabled) {
				t.Fatalf("UploadPart %d: %q bucket key %v", i+1, up.ServerSideEncryption, aws.ToBool(up.BucketKeyEnabled))
			}
			completed = append(completed, types.CompletedPart{ETag: up.ETag, PartNumber: n, ChecksumCRC32: up.ChecksumCRC32})
		}
		done, err := client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: objectKey, UploadId: created.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
		if err != nil {
			t.Fatal(err)
		}
		if done.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(done.SSEKMSKeyId) != keyARN || !aws.ToBool(done.BucketKeyEnabled) {
			t.Fatalf("CompleteMultipartUpload: %q %q %v", done.ServerSideEncryption, aws.ToString(done.SSEKMSKeyId), aws.ToBool(done.BucketKeyEnabled))
		}
		if _, got := get(t, "multipart"); !bytes.Equal(got, bytes.Join(parts, nil)) {
			t.Fatal("the multipart object reads back different bytes")
		}
	})

	t.Run("key states", func(t *testing.T) {
		data := randomBytes("states", 10_000)
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("states"), Body: bytes.NewReader(data),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyID)}); err != nil {
			t.Fatal(err)
		}
		readErr := func() error {
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("states")})
			if err == nil {
				out.Body.Close()
			}
			return err
		}
		if _, err := kc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)}); err != nil {
			t.Fatal(err)
		}
		s3ErrorCode(t, readErr(), http.StatusBadRequest, "KMS.KMSInvalidStateException")
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("pending"), Body: bytes.NewReader(data),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyID)})
		s3ErrorCode(t, err, http.StatusBadRequest, "KMS.KMSInvalidStateException")
		if _, err := kc.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(keyID)}); err != nil {
			t.Fatal(err)
		}
		s3ErrorCode(t, readErr(), http.StatusBadRequest, "KMS.DisabledException") // a cancelled deletion leaves the key disabled
		if _, err := kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(keyID)}); err != nil {
			t.Fatal(err)
		}
		if _, got := get(t, "states"); !bytes.Equal(got, data) {
			t.Fatal("the object reads back different bytes")
		}
		_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("unknown"), Body: bytes.NewReader(data),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("11111111-2222-3333-4444-555555555555")})
		s3ErrorCode(t, err, http.StatusBadRequest, "KMS.NotFoundException")
	})

	t.Run("update object encryption between KMS keys", func(t *testing.T) {
		_, otherARN := newKey(t)
		data := randomBytes("rekey", 200_000)
		objectKey := aws.String("rekey")
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: objectKey, Body: bytes.NewReader(data),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyARN),
			SSEKMSEncryptionContext: aws.String(b64JSON(t, map[string]string{"kept": "yes"}))}); err != nil {
			t.Fatal(err)
		}
		before, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: objectKey})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{Bucket: bucket, Key: objectKey,
			ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: aws.String(otherARN), BucketKeyEnabled: aws.Bool(true)}}}); err != nil {
			t.Fatal(err)
		}
		out, got := get(t, "rekey")
		if !bytes.Equal(got, data) || aws.ToString(out.SSEKMSKeyId) != otherARN || !aws.ToBool(out.BucketKeyEnabled) ||
			aws.ToString(out.ETag) != aws.ToString(before.ETag) || !out.LastModified.Equal(*before.LastModified) {
			t.Fatalf("after UpdateObjectEncryption: equal %v, key %s, bucket key %v, ETag %s -> %s",
				bytes.Equal(got, data), aws.ToString(out.SSEKMSKeyId), aws.ToBool(out.BucketKeyEnabled), aws.ToString(before.ETag), aws.ToString(out.ETag))
		}
		// The first key no longer guards the object: disabling it does not block reads.
		if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyARN)}); err != nil {
			t.Fatal(err)
		}
		defer kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(keyARN)})
		if _, got := get(t, "rekey"); !bytes.Equal(got, data) {
			t.Fatal("the re-keyed object depends on its old key")
		}
	})

	t.Run("key policy evaluated for S3's calls", func(t *testing.T) {
		policyKeyID, policyKeyARN := newKey(t)
		data := randomBytes("policy", 3000)
		put := func(objectKey string) error {
			_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(objectKey), Body: bytes.NewReader(data),
				ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(policyKeyID)})
			return err
		}
		readErr := func(objectKey string) error {
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(objectKey)})
			if err == nil {
				out.Body.Close()
			}
			return err
		}
		if err := put("policy/readable"); err != nil {
			t.Fatal(err)
		}
		direct, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(policyKeyID), Plaintext: []byte("direct")})
		if err != nil {
			t.Fatal(err)
		}
		rootARN := "arn:aws:iam::" + keyARNPattern.FindStringSubmatch(policyKeyARN)[1] + ":root"
		policy := cliJSON(t, map[string]any{"Version": "2012-10-17", "Statement": []map[string]any{
			{"Sid": "Root", "Effect": "Allow", "Principal": map[string]any{"AWS": rootARN}, "Action": "kms:*", "Resource": "*"},
			{"Sid": "NoReadsThroughS3", "Effect": "Deny", "Principal": map[string]any{"AWS": rootARN}, "Action": "kms:Decrypt", "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"kms:ViaService": "s3." + testRegion + ".amazonaws.com"}}},
			{"Sid": "NoSecrets", "Effect": "Deny", "Principal": map[string]any{"AWS": rootARN}, "Action": "kms:GenerateDataKey", "Resource": "*",
				"Condition": map[string]any{"StringLike": map[string]any{"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::sdk-kms/secret/*"}}},
		}})
		if _, err := kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(policyKeyID), Policy: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
		s3ErrorCode(t, readErr("policy/readable"), http.StatusForbidden, "AccessDenied")
		if _, err := kc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: direct.CiphertextBlob}); err != nil {
			t.Fatalf("a direct Decrypt, not through S3, was refused: %v", err)
		}
		s3ErrorCode(t, put("secret/denied"), http.StatusForbidden, "AccessDenied")
		if err := put("public/allowed"); err != nil {
			t.Fatalf("a PUT outside secret/ was refused: %v", err)
		}
		if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("secret/denied")}); err == nil {
			t.Fatal("a PUT refused by the key policy left an object behind")
		}
	})

	t.Run("refused over plain HTTP", func(t *testing.T) {
		plain := s.sdkClient()
		data := []byte("must not travel in the clear")
		cases := []struct {
			name string
			call func() error
		}{
			{name: "PutObject", call: func() error {
				_, err := plain.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("plain-http"), Body: bytes.NewReader(data),
					ServerSideEncryption: types.ServerSideEncryptionAwsKms})
				return err
			}},
			{name: "CreateMultipartUpload", call: func() error {
				_, err := plain.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("plain-http"),
					ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyID)})
				return err
			}},
			{name: "CopyObject", call: func() error {
				_, err := plain.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("plain-http"), CopySource: aws.String("sdk-kms/empty"),
					ServerSideEncryption: types.ServerSideEncryptionAwsKms})
				return err
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call()
				s3ErrorCode(t, err, http.StatusBadRequest, "InvalidArgument")
				if !strings.Contains(err.Error(), "secure connection") {
					t.Fatalf("the refusal does not say why: %v", err)
				}
			})
		}
		if _, err := plain.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("plain-http")}); err == nil {
			t.Fatal("a refused request left an object behind")
		}
	})
}

// s3ErrorCode checks that err is an S3 error with this status and code.
func s3ErrorCode(t *testing.T, err error, status int, code string) {
	t.Helper()
	var apiErr smithy.APIError
	var respErr *smithyhttp.ResponseError
	if !errors.As(err, &apiErr) || !errors.As(err, &respErr) || apiErr.ErrorCode() != code || respErr.HTTPStatusCode() != status {
		t.Fatalf("got %v, want %d %s", err, status, code)
	}
}
