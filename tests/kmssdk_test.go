package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/google/uuid"
)

// TestKMSGoSDK runs the lifecycle's highlights through aws-sdk-go-v2's
// kms client over HTTPS, checking that every failure arrives as the SDK's
// typed error.
func TestKMSGoSDK(t *testing.T) {
	s := startTLSServer(t)
	ctx := context.Background()
	kc := kmsClientAt(s.httpsEndpoint, httpsClient(trustedPool(t, s.caPath)))
	created, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("sdk key"),
		Tags: []types.Tag{{TagKey: aws.String("owner"), TagValue: aws.String("sdk")}}})
	if err != nil {
		t.Fatal(err)
	}
	key := created.KeyMetadata
	if !keyARNPattern.MatchString(aws.ToString(key.Arn)) || key.KeyState != types.KeyStateEnabled || key.CreationDate == nil ||
		time.Since(*key.CreationDate) > time.Hour || time.Since(*key.CreationDate) < -time.Hour {
		t.Fatalf("CreateKey: %+v", key)
	}
	keyID, keyARN := aws.ToString(key.KeyId), aws.ToString(key.Arn)
	second, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/sdk"), TargetKeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::sdk-bucket/object"}
	plaintext := randomBytes("sdk plaintext", 1000)
	enc, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/sdk"), Plaintext: plaintext, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(enc.KeyId) != keyARN || enc.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
		t.Fatalf("Encrypt: KeyId %s, algorithm %s", aws.ToString(enc.KeyId), enc.EncryptionAlgorithm)
	}
	// decryptWith fails unless the blob decrypts to plaintext under keyARN.
	decryptWith := func(blob []byte, ec map[string]string, keyID *string) error {
		out, err := kc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec, KeyId: keyID})
		if err == nil && (!bytes.Equal(out.Plaintext, plaintext) || aws.ToString(out.KeyId) != keyARN) {
			return fmt.Errorf("decrypt answered KeyId %s and a plaintext equal: %v", aws.ToString(out.KeyId), bytes.Equal(out.Plaintext, plaintext))
		}
		return err
	}
	typed := func(t *testing.T, err error, target any) {
		t.Helper()
		if err == nil || !errors.As(err, target) {
			t.Fatalf("got %v, want %T", err, target)
		}
	}
	materialBefore := describeSDK(t, kc, keyID).CurrentKeyMaterialId

	t.Run("decrypt", func(t *testing.T) {
		for _, id := range []*string{nil, aws.String(keyID), aws.String(keyARN), aws.String("alias/sdk")} {
			if err := decryptWith(enc.CiphertextBlob, ec, id); err != nil {
				t.Fatalf("Decrypt with KeyId %v: %v", aws.ToString(id), err)
			}
		}
	})
	t.Run("typed errors", func(t *testing.T) {
		wrongContext := map[string]string{"aws:s3:arn": "arn:aws:s3:::sdk-bucket/other"}
		cases := []struct {
			name  string
			call  func() error
			check func(t *testing.T, err error)
		}{
			{name: "unknown key", call: func() error {
				_, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(uuid.NewString())})
				return err
			}, check: func(t *testing.T, err error) { typed(t, err, new(*types.NotFoundException)) }},
			{name: "wrong context", call: func() error { return decryptWith(enc.CiphertextBlob, wrongContext, nil) },
				check: func(t *testing.T, err error) { typed(t, err, new(*types.InvalidCiphertextException)) }},
			{name: "no context", call: func() error { return decryptWith(enc.CiphertextBlob, nil, nil) },
				check: func(t *testing.T, err error) { typed(t, err, new(*types.InvalidCiphertextException)) }},
			{name: "flipped bit", call: func() error {
				blob := bytes.Clone(enc.CiphertextBlob)
				blob[len(blob)-5] ^= 1
				return decryptWith(blob, ec, nil)
			}, check: func(t *testing.T, err error) { typed(t, err, new(*types.InvalidCiphertextException)) }},
			{name: "another key's id", call: func() error { return decryptWith(enc.CiphertextBlob, ec, second.KeyMetadata.KeyId) },
				check: func(t *testing.T, err error) { typed(t, err, new(*types.IncorrectKeyException)) }},
			{name: "existing alias", call: func() error {
				_, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/sdk"), TargetKeyId: second.KeyMetadata.KeyId})
				return err
			}, check: func(t *testing.T, err error) { typed(t, err, new(*types.AlreadyExistsException)) }},
			{name: "pending window 3", call: func() error {
				_, err := kc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(3)})
				return err
			}, check: func(t *testing.T, err error) { apiErrorCode(t, err, "ValidationException") }},
			{name: "rotation period 30", call: func() error {
				_, err := kc.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyID), RotationPeriodInDays: aws.Int32(30)})
				return err
			}, check: func(t *testing.T, err error) { apiErrorCode(t, err, "ValidationException") }},
			{name: "unknown alias", call: func() error {
				_, err := kc.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/missing"), KeySpec: types.DataKeySpecAes256})
				return err
			}, check: func(t *testing.T, err error) { typed(t, err, new(*types.NotFoundException)) }},
			{name: "reserved alias", call: func() error {
				_, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: aws.String(keyID)})
				return err
			}, check: func(t *testing.T, err error) { apiErrorCode(t, err, "NotAuthorizedException") }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.call()) })
		}
	})
	t.Run("disabled", func(t *testing.T) {
		if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)}); err != nil {
			t.Fatal(err)
		}
		_, err := kc.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(keyID), KeySpec: types.DataKeySpecAes256})
		typed(t, err, new(*types.DisabledException))
		typed(t, decryptWith(enc.CiphertextBlob, ec, nil), new(*types.DisabledException))
		if _, err := kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(keyID)}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("rotation keeps old ciphertext readable", func(t *testing.T) {
		if _, err := kc.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(keyID)}); err != nil {
			t.Fatal(err)
		}
		if after := describeSDK(t, kc, keyID).CurrentKeyMaterialId; aws.ToString(after) == aws.ToString(materialBefore) {
			t.Fatal("RotateKeyOnDemand left the key material as it was")
		}
		if err := decryptWith(enc.CiphertextBlob, ec, nil); err != nil {
			t.Fatal(err)
		}
		rotations, err := kc.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(keyID)})
		if err != nil || len(rotations.Rotations) != 1 || rotations.Rotations[0].RotationType != types.RotationTypeOnDemand {
			t.Fatalf("ListKeyRotations: %v %+v", err, rotations)
		}
		// ReEncrypt moves the ciphertext to the other key without showing the plaintext.
		re, err := kc.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec,
			DestinationKeyId: second.KeyMetadata.KeyId})
		if err != nil || aws.ToString(re.SourceKeyId) != keyARN || aws.ToString(re.KeyId) != aws.ToString(second.KeyMetadata.Arn) {
			t.Fatalf("ReEncrypt: %v %+v", err, re)
		}
		out, err := kc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob})
		if err != nil || !bytes.Equal(out.Plaintext, plaintext) {
			t.Fatalf("Decrypt after ReEncrypt: %v", err)
		}
	})
	t.Run("pending deletion", func(t *testing.T) {
		sched, err := kc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)})
		if err != nil || sched.KeyState != types.KeyStatePendingDeletion || sched.DeletionDate == nil {
			t.Fatalf("ScheduleKeyDeletion: %v %+v", err, sched)
		}
		_, err = kc.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x")})
		typed(t, err, new(*types.KMSInvalidStateException))
		if _, err := kc.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(keyID)}); err != nil {
			t.Fatal(err)
		}
		if state := describeSDK(t, kc, keyID).KeyState; state != types.KeyStateDisabled {
			t.Fatalf("after CancelKeyDeletion: %s", state)
		}
		_, err = kc.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x")})
		typed(t, err, new(*types.DisabledException))
	})
	t.Run("key policy", func(t *testing.T) {
		id := second.KeyMetadata.KeyId
		pol, err := kc.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id})
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		mustJSON(t, aws.ToString(pol.Policy), &doc)
		statements := doc["Statement"].([]any)
		doc["Statement"] = append(statements, map[string]any{"Sid": "NoDataKeys", "Effect": "Deny",
			"Principal": map[string]any{"AWS": "*"}, "Action": []string{"kms:GenerateDataKey*"}, "Resource": "*"})
		denying, _ := json.Marshal(doc)
		if _, err := kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(string(denying))}); err != nil {
			t.Fatal(err)
		}
		_, err = kc.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, NumberOfBytes: aws.Int32(32)})
		apiErrorCode(t, err, "AccessDeniedException")
		_, err = kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(`{"Statement":"nope"}`)})
		typed(t, err, new(*types.MalformedPolicyDocumentException))
	})
}

// apiErrorCode checks an error the kms model has no type for
// (ValidationException, AccessDeniedException, NotAuthorizedException).
func apiErrorCode(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func describeSDK(t *testing.T, kc *kms.Client, keyID string) *types.KeyMetadata {
	t.Helper()
	out, err := kc.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

// TestKMSThrottling starts Coffer with a small KMS quota: a burst of
// cryptographic calls gets ThrottlingException from the KMS, and S3 turns
// the throttling of its own KMS calls (which draw on the same quota) into
// 503 SlowDown. The clients do not retry here, so the refusals are seen.
func TestKMSThrottling(t *testing.T) {
	const quota = 2 // per second: a loop of calls outruns it on any machine
	s := startTLSServer(t, "--kms-quota", strconv.Itoa(quota))
	ctx := context.Background()
	pool := trustedPool(t, s.caPath)
	noRetry := func(o *kms.Options) { o.Retryer = aws.NopRetryer{} }
	kc := kms.New(kms.Options{BaseEndpoint: aws.String(s.httpsEndpoint), Region: testRegion, HTTPClient: httpsClient(pool),
		Credentials: credentials.NewStaticCredentialsProvider(rootAccessKey, rootSecretKey, "")}, noRetry)
	client := s3.New(s3.Options{BaseEndpoint: aws.String(s.httpsEndpoint), Region: testRegion, UsePathStyle: true, HTTPClient: httpsClient(pool),
		Credentials: credentials.NewStaticCredentialsProvider(rootAccessKey, rootSecretKey, ""), Retryer: aws.NopRetryer{}})
	created, err := kc.CreateKey(ctx, &kms.CreateKeyInput{}) // not a cryptographic operation: never throttled
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("throttled")}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		call  func(i int) error
		check func(t *testing.T, err error)
	}{
		{name: "KMS GenerateDataKey", call: func(int) error {
			_, err := kc.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: created.KeyMetadata.KeyId, KeySpec: types.DataKeySpecAes256})
			return err
		}, check: func(t *testing.T, err error) { apiErrorCode(t, err, "ThrottlingException") }},
		{name: "S3 PUT with SSE-KMS", call: func(i int) error {
			_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("throttled"), Key: aws.String("obj-" + strconv.Itoa(i)),
				Body: strings.NewReader("x"), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: created.KeyMetadata.KeyId})
			return err
		}, check: func(t *testing.T, err error) { s3ErrorCode(t, err, http.StatusServiceUnavailable, "SlowDown") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 200 {
				if err := tc.call(i); err != nil {
					tc.check(t, err)
					return
				}
			}
			t.Fatalf("200 calls in a row were never throttled at a quota of %d per second", quota)
		})
	}
}
