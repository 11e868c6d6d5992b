package kms

import (
	"testing"
)

// TestManagedS3Key: alias/aws/s3 is created on first use as an AWS managed
// key that principals of the account may use through S3 only, and nobody
// may manage.
func TestManagedS3Key(t *testing.T) {
	f := newFixture(t)
	alice := userPrincipal("alice")
	d, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: "alias/aws/s3"})
	f.must(err)
	md := d.KeyMetadata
	if md.KeyManager != KeyManagerAWS || md.Description != s3ManagedDescription || md.KeyState != KeyStateEnabled {
		t.Fatalf("managed key metadata = %+v", md)
	}
	again, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: "arn:aws:kms:us-east-1:111122223333:alias/aws/s3"})
	f.must(err)
	if again.KeyMetadata.KeyId != md.KeyId {
		t.Fatal("a second use created a second managed key")
	}
	status, err := f.api.GetKeyRotationStatus(f.ctx, &GetKeyRotationStatusInput{KeyId: md.KeyId})
	f.must(err)
	if !status.KeyRotationEnabled || status.RotationPeriodInDays != 365 {
		t.Fatalf("managed key rotation = %+v", status)
	}

	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k"}
	cases := []struct {
		name string
		call func() error
		code string
	}{
		{"GenerateDataKey through S3", func() error {
			_, err := f.api.GenerateDataKey(viaS3(alice), &GenerateDataKeyInput{KeyId: "alias/aws/s3", KeySpec: DataKeyAES256, EncryptionContext: ec})
			return err
		}, ""},
		{"direct Encrypt by the root user", func() error {
			_, err := f.api.Encrypt(f.ctx, &EncryptInput{KeyId: "alias/aws/s3", Plaintext: []byte("x")})
			return err
		}, CodeAccessDenied},
		{"direct GenerateDataKey by a user", func() error {
			_, err := f.api.GenerateDataKey(asPrincipal(alice), &GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: DataKeyAES256})
			return err
		}, CodeAccessDenied},
		{"DisableKey", func() error { _, err := f.api.DisableKey(f.ctx, &DisableKeyInput{KeyId: md.KeyId}); return err }, CodeAccessDenied},
		{"ScheduleKeyDeletion", func() error {
			_, err := f.api.ScheduleKeyDeletion(f.ctx, &ScheduleKeyDeletionInput{KeyId: md.KeyId})
			return err
		}, CodeAccessDenied},
		{"PutKeyPolicy", func() error {
			_, err := f.api.PutKeyPolicy(f.ctx, &PutKeyPolicyInput{KeyId: md.KeyId, Policy: f.kms.defaultPolicy()})
			return err
		}, CodeAccessDenied},
		{"CreateAlias to it", func() error {
			_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/mine", TargetKeyId: md.KeyId})
			return err
		}, CodeAccessDenied},
		{"GetKeyPolicy by the root user", func() error {
			_, err := f.api.GetKeyPolicy(f.ctx, &GetKeyPolicyInput{KeyId: md.KeyId})
			return err
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.call(), tc.code)
		})
	}
}
