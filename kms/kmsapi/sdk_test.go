package kmsapi

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/cofferlabs/coffer/kms"
)

// result carries a call's two results so that tests can write
// try(c.Op(ctx, in)).must(t).
type result[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) must(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// TestSDKLifecycle drives the whole life of a key with aws-sdk-go-v2.
func TestSDKLifecycle(t *testing.T) {
	s := startServer(t)
	c := s.client()
	ctx := context.Background()

	created := try(c.CreateKey(ctx, &awskms.CreateKeyInput{
		Description: aws.String("sdk key"),
		Tags:        []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("storage")}},
	})).must(t)
	md := created.KeyMetadata
	keyID, arn := aws.ToString(md.KeyId), aws.ToString(md.Arn)
	if arn != "arn:aws:kms:us-east-1:111122223333:key/"+keyID || !md.Enabled || md.KeyState != types.KeyStateEnabled ||
		md.KeySpec != types.KeySpecSymmetricDefault || md.KeyManager != types.KeyManagerTypeCustomer || !md.CreationDate.Equal(kmsEpoch) ||
		aws.ToString(md.Description) != "sdk key" || len(md.EncryptionAlgorithms) != 1 {
		t.Fatalf("CreateKey metadata = %+v", md)
	}

	try(c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String("alias/sdk"), TargetKeyId: aws.String(keyID)})).must(t)
	described := try(c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/sdk")})).must(t)
	if aws.ToString(described.KeyMetadata.KeyId) != keyID {
		t.Fatal("DescribeKey by alias names another key")
	}

	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/object"}
	for _, context := range []map[string]string{nil, ec} {
		enc := try(c.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String("alias/sdk"), Plaintext: []byte("hello sdk"), EncryptionContext: context})).must(t)
		if aws.ToString(enc.KeyId) != arn || enc.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
			t.Fatalf("Encrypt = %+v", enc)
		}
		dec := try(c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context})).must(t)
		if string(dec.Plaintext) != "hello sdk" || aws.ToString(dec.KeyId) != arn {
			t.Fatalf("Decrypt = %q under %s", dec.Plaintext, aws.ToString(dec.KeyId))
		}
	}

	gdk := try(c.GenerateDataKey(ctx, &awskms.GenerateDataKeyInput{KeyId: aws.String(arn), KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})).must(t)
	if len(gdk.Plaintext) != 32 || aws.ToString(gdk.KeyId) != arn || len(aws.ToString(gdk.KeyMaterialId)) != 64 {
		t.Fatalf("GenerateDataKey = %d bytes under %s", len(gdk.Plaintext), aws.ToString(gdk.KeyId))
	}
	wp := try(c.GenerateDataKeyWithoutPlaintext(ctx, &awskms.GenerateDataKeyWithoutPlaintextInput{KeyId: aws.String(keyID), NumberOfBytes: aws.Int32(16)})).must(t)
	if dec := try(c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: wp.CiphertextBlob, KeyId: aws.String(keyID)})).must(t); len(dec.Plaintext) != 16 {
		t.Fatalf("GenerateDataKeyWithoutPlaintext made %d bytes", len(dec.Plaintext))
	}
	random := try(c.GenerateRandom(ctx, &awskms.GenerateRandomInput{NumberOfBytes: aws.Int32(48)})).must(t)
	if len(random.Plaintext) != 48 {
		t.Fatalf("GenerateRandom gave %d bytes", len(random.Plaintext))
	}

	// Rotation keeps what was encrypted before decryptable.
	before := try(c.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("old")})).must(t)
	try(c.EnableKeyRotation(ctx, &awskms.EnableKeyRotationInput{KeyId: aws.String(keyID), RotationPeriodInDays: aws.Int32(180)})).must(t)
	status := try(c.GetKeyRotationStatus(ctx, &awskms.GetKeyRotationStatusInput{KeyId: aws.String(keyID)})).must(t)
	if !status.KeyRotationEnabled || aws.ToInt32(status.RotationPeriodInDays) != 180 || !status.NextRotationDate.Equal(kmsEpoch.Add(180*24*time.Hour)) {
		t.Fatalf("GetKeyRotationStatus = %+v", status)
	}
	try(c.RotateKeyOnDemand(ctx, &awskms.RotateKeyOnDemandInput{KeyId: aws.String(keyID)})).must(t)
	s.clock.Advance(180 * 24 * time.Hour)
	if n, err := s.kms.RotateDueKeys(ctx); n != 1 || err != nil {
		t.Fatalf("RotateDueKeys = %d, %v", n, err)
	}
	rotations := try(c.ListKeyRotations(ctx, &awskms.ListKeyRotationsInput{KeyId: aws.String(keyID)})).must(t)
	if len(rotations.Rotations) != 2 || rotations.Rotations[0].RotationType != types.RotationTypeOnDemand || rotations.Rotations[1].RotationType != types.RotationTypeAutomatic ||
		rotations.Rotations[1].KeyMaterialState != types.KeyMaterialStateCurrent {
		t.Fatalf("ListKeyRotations = %+v", rotations.Rotations)
	}
	if dec := try(c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: before.CiphertextBlob})).must(t); string(dec.Plaintext) != "old" {
		t.Fatal("a blob from before the rotations does not decrypt")
	}
	re := try(c.ReEncrypt(ctx, &awskms.ReEncryptInput{CiphertextBlob: before.CiphertextBlob, DestinationKeyId: aws.String("alias/sdk")})).must(t)
	if aws.ToString(re.SourceKeyId) != arn || aws.ToString(re.KeyId) != arn || aws.ToString(re.SourceKeyMaterialId) == aws.ToString(re.DestinationKeyMaterialId) {
		t.Fatalf("ReEncrypt = %+v", re)
	}

	try(c.TagResource(ctx, &awskms.TagResourceInput{KeyId: aws.String(keyID), Tags: []types.Tag{{TagKey: aws.String("env"), TagValue: aws.String("")}}})).must(t)
	try(c.UntagResource(ctx, &awskms.UntagResourceInput{KeyId: aws.String(keyID), TagKeys: []string{"team"}})).must(t)
	tags := try(c.ListResourceTags(ctx, &awskms.ListResourceTagsInput{KeyId: aws.String(keyID)})).must(t)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].TagKey) != "env" {
		t.Fatalf("tags = %+v", tags.Tags)
	}
	pol := try(c.GetKeyPolicy(ctx, &awskms.GetKeyPolicyInput{KeyId: aws.String(keyID)})).must(t)
	if !strings.Contains(aws.ToString(pol.Policy), `"arn:aws:iam::111122223333:root"`) || aws.ToString(pol.PolicyName) != "default" {
		t.Fatalf("GetKeyPolicy = %s", aws.ToString(pol.Policy))
	}
	try(c.PutKeyPolicy(ctx, &awskms.PutKeyPolicyInput{KeyId: aws.String(keyID), Policy: pol.Policy})).must(t)
	names := try(c.ListKeyPolicies(ctx, &awskms.ListKeyPoliciesInput{KeyId: aws.String(keyID)})).must(t)
	if len(names.PolicyNames) != 1 || names.PolicyNames[0] != "default" {
		t.Fatalf("ListKeyPolicies = %v", names.PolicyNames)
	}
	try(c.UpdateKeyDescription(ctx, &awskms.UpdateKeyDescriptionInput{KeyId: aws.String(keyID), Description: aws.String("renamed")})).must(t)

	try(c.DisableKey(ctx, &awskms.DisableKeyInput{KeyId: aws.String(keyID)})).must(t)
	try(c.EnableKey(ctx, &awskms.EnableKeyInput{KeyId: aws.String(arn)})).must(t)
	second := try(c.CreateKey(ctx, &awskms.CreateKeyInput{})).must(t)
	try(c.UpdateAlias(ctx, &awskms.UpdateAliasInput{AliasName: aws.String("alias/sdk"), TargetKeyId: second.KeyMetadata.KeyId})).must(t)
	aliases := try(c.ListAliases(ctx, &awskms.ListAliasesInput{KeyId: second.KeyMetadata.KeyId})).must(t)
	if len(aliases.Aliases) != 1 || aws.ToString(aliases.Aliases[0].AliasName) != "alias/sdk" || !aliases.Aliases[0].CreationDate.Equal(kmsEpoch) {
		t.Fatalf("ListAliases = %+v", aliases.Aliases)
	}
	try(c.DeleteAlias(ctx, &awskms.DeleteAliasInput{AliasName: aws.String("alias/sdk")})).must(t)

	scheduled := try(c.ScheduleKeyDeletion(ctx, &awskms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)})).must(t)
	if scheduled.KeyState != types.KeyStatePendingDeletion || aws.ToString(scheduled.KeyId) != arn || aws.ToInt32(scheduled.PendingWindowInDays) != 7 {
		t.Fatalf("ScheduleKeyDeletion = %+v", scheduled)
	}
	cancelled := try(c.CancelKeyDeletion(ctx, &awskms.CancelKeyDeletionInput{KeyId: aws.String(keyID)})).must(t)
	if aws.ToString(cancelled.KeyId) != arn {
		t.Fatalf("CancelKeyDeletion = %+v", cancelled)
	}
	if d := try(c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(keyID)})).must(t); d.KeyMetadata.KeyState != types.KeyStateDisabled {
		t.Fatalf("after CancelKeyDeletion the key is %s", d.KeyMetadata.KeyState)
	}

	// Crypto-shredding, seen through the SDK.
	try(c.ScheduleKeyDeletion(ctx, &awskms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)})).must(t)
	s.clock.Advance(7 * 24 * time.Hour)
	if n, err := s.kms.DeleteExpiredKeys(ctx); n != 1 || err != nil {
		t.Fatalf("DeleteExpiredKeys = %d, %v", n, err)
	}
	_, err := c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: before.CiphertextBlob})
	if code := errorCode(err); code != "AccessDeniedException" {
		t.Fatalf("Decrypt after deletion: %v", err)
	}
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestSDKTypedErrors checks that the SDK turns each error into its typed
// exception.
func TestSDKTypedErrors(t *testing.T) {
	s := startServer(t)
	c := s.client()
	ctx := context.Background()
	key := try(c.CreateKey(ctx, &awskms.CreateKeyInput{})).must(t).KeyMetadata
	disabled := try(c.CreateKey(ctx, &awskms.CreateKeyInput{})).must(t).KeyMetadata
	try(c.DisableKey(ctx, &awskms.DisableKeyInput{KeyId: disabled.KeyId})).must(t)
	pending := try(c.CreateKey(ctx, &awskms.CreateKeyInput{})).must(t).KeyMetadata
	try(c.ScheduleKeyDeletion(ctx, &awskms.ScheduleKeyDeletionInput{KeyId: pending.KeyId})).must(t)
	try(c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String("alias/taken"), TargetKeyId: key.KeyId})).must(t)
	blob := try(c.Encrypt(ctx, &awskms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"a": "b"}})).must(t).CiphertextBlob

	check := func(name string, err error, target any, code, message string) {
		t.Run(name, func(t *testing.T) {
			if err == nil {
				t.Fatal("no error")
			}
			if target != nil && !errors.As(err, target) {
				t.Fatalf("%v is not a %T", err, target)
			}
			if errorCode(err) != code {
				t.Fatalf("code %q, want %q", errorCode(err), code)
			}
			var ae smithy.APIError
			if errors.As(err, &ae) && message != "" && ae.ErrorMessage() != message {
				t.Fatalf("message %q, want %q", ae.ErrorMessage(), message)
			}
		})
	}
	_, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/none")})
	check("NotFound", err, new(*types.NotFoundException), "NotFoundException", "Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.")
	_, err = c.Encrypt(ctx, &awskms.EncryptInput{KeyId: disabled.KeyId, Plaintext: []byte("x")})
	check("Disabled", err, new(*types.DisabledException), "DisabledException", aws.ToString(disabled.Arn)+" is disabled.")
	_, err = c.Encrypt(ctx, &awskms.EncryptInput{KeyId: pending.KeyId, Plaintext: []byte("x")})
	check("InvalidState", err, new(*types.KMSInvalidStateException), "KMSInvalidStateException", aws.ToString(pending.Arn)+" is pending deletion.")
	_, err = c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: blob})
	check("InvalidCiphertext without context", err, new(*types.InvalidCiphertextException), "InvalidCiphertextException", "")
	_, err = c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"a": "c"}})
	check("InvalidCiphertext, wrong context", err, new(*types.InvalidCiphertextException), "InvalidCiphertextException", "")
	_, err = c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"a": "b"}, KeyId: disabled.KeyId})
	check("IncorrectKey", err, new(*types.IncorrectKeyException), "IncorrectKeyException", "")
	_, err = c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String("alias/taken"), TargetKeyId: key.KeyId})
	check("AlreadyExists", err, new(*types.AlreadyExistsException), "AlreadyExistsException", "")
	_, err = c.ListKeys(ctx, &awskms.ListKeysInput{Marker: aws.String("bogus")})
	check("InvalidMarker", err, new(*types.InvalidMarkerException), "InvalidMarkerException", "")
	_, err = c.PutKeyPolicy(ctx, &awskms.PutKeyPolicyInput{KeyId: key.KeyId, Policy: aws.String("{}")})
	check("MalformedPolicyDocument", err, new(*types.MalformedPolicyDocumentException), "MalformedPolicyDocumentException", "")
	_, err = c.TagResource(ctx, &awskms.TagResourceInput{KeyId: key.KeyId, Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("y")}}})
	check("Tag", err, new(*types.TagException), "TagException", "Tags beginning with aws: are reserved")
	_, err = c.CreateKey(ctx, &awskms.CreateKeyInput{KeySpec: types.KeySpecRsa2048})
	check("UnsupportedOperation", err, new(*types.UnsupportedOperationException), "UnsupportedOperationException", "")
	_, err = c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String("alias/"), TargetKeyId: key.KeyId})
	check("InvalidAliasName", err, new(*types.InvalidAliasNameException), "InvalidAliasNameException", "")
	_, err = c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:us-east-1:111122223333:nothing")})
	check("InvalidArn", err, new(*types.InvalidArnException), "InvalidArnException", "")
	_, err = c.Encrypt(ctx, &awskms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), DryRun: aws.Bool(true)})
	check("DryRunOperation", err, new(*types.DryRunOperationException), "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
	for range 25 {
		try(c.RotateKeyOnDemand(ctx, &awskms.RotateKeyOnDemandInput{KeyId: key.KeyId})).must(t)
	}
	_, err = c.RotateKeyOnDemand(ctx, &awskms.RotateKeyOnDemandInput{KeyId: key.KeyId})
	check("LimitExceeded", err, new(*types.LimitExceededException), "LimitExceededException", "")
	_, err = c.Encrypt(ctx, &awskms.EncryptInput{KeyId: key.KeyId, Plaintext: make([]byte, 4097)})
	check("Validation", err, nil, "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
	_, err = c.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String("alias/aws/s3"), Plaintext: []byte("x")})
	check("AccessDenied (aws/s3 used directly)", err, nil, "AccessDeniedException", "")
	_, err = c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String("alias/aws/x"), TargetKeyId: key.KeyId})
	check("NotAuthorized", err, nil, "NotAuthorizedException", "")
}

func TestSDKThrottling(t *testing.T) {
	s := startServer(t, func(o *kms.Options, _ *Config) { o.QuotaPerSecond = 2 })
	c := s.client()
	ctx := context.Background()
	key := try(c.CreateKey(ctx, &awskms.CreateKeyInput{})).must(t).KeyMetadata
	for range 2 {
		try(c.GenerateDataKey(ctx, &awskms.GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: types.DataKeySpecAes256})).must(t)
	}
	_, err := c.GenerateDataKey(ctx, &awskms.GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: types.DataKeySpecAes256})
	if errorCode(err) != "ThrottlingException" {
		t.Fatalf("over the quota: %v", err)
	}
	// The SDK's standard retryer treats it as a throttle and retries it.
	if retryable := retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err); retryable != aws.TrueTernary {
		t.Fatalf("the SDK does not see a throttle (%v)", retryable)
	}
	s.clock.Advance(time.Second)
	try(c.GenerateDataKey(ctx, &awskms.GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: types.DataKeySpecAes256})).must(t)
}

func TestSDKPaginators(t *testing.T) {
	s := startServer(t)
	c := s.client()
	ctx := context.Background()
	want := map[string]bool{}
	for range 7 {
		want[aws.ToString(try(c.CreateKey(ctx, &awskms.CreateKeyInput{})).must(t).KeyMetadata.KeyId)] = true
	}
	pages := 0
	p := awskms.NewListKeysPaginator(c, &awskms.ListKeysInput{Limit: aws.Int32(3)})
	for p.HasMorePages() {
		page := try(p.NextPage(ctx)).must(t)
		pages++
		for _, k := range page.Keys {
			if !want[aws.ToString(k.KeyId)] {
				t.Fatalf("unexpected or repeated key %s", aws.ToString(k.KeyId))
			}
			delete(want, aws.ToString(k.KeyId))
		}
	}
	if pages != 3 || len(want) != 0 {
		t.Fatalf("%d pages, %d keys not listed", pages, len(want))
	}
	aliases := 0
	ap := awskms.NewListAliasesPaginator(c, &awskms.ListAliasesInput{Limit: aws.Int32(1)})
	for ap.HasMorePages() {
		aliases += len(try(ap.NextPage(ctx)).must(t).Aliases)
	}
	if aliases != 1 { // the predefined alias/aws/s3
		t.Fatalf("%d aliases listed", aliases)
	}
}

func TestSDKDecryptMatchesBytes(t *testing.T) {
	s := startServer(t)
	// Transport retries only: once, under the full suite with -race, the
	// client saw its own connection closed mid-response (not reproduced
	// in isolation); what this test checks is the bytes.
	c := s.client(func(o *awskms.Options) { o.RetryMaxAttempts = 3 })
	ctx := context.Background()
	key := try(c.CreateKey(ctx, &awskms.CreateKeyInput{})).must(t).KeyMetadata
	plaintext := make([]byte, 4096)
	for i := range plaintext {
		plaintext[i] = byte(i * 7)
	}
	enc := try(c.Encrypt(ctx, &awskms.EncryptInput{KeyId: key.KeyId, Plaintext: plaintext})).must(t)
	dec := try(c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})).must(t)
	if !bytes.Equal(dec.Plaintext, plaintext) {
		t.Fatal("4096 bytes do not round-trip")
	}
}
