package kms

import "context"

// ResolveKey returns the full ARN of the key keyID names (key id, key ARN,
// alias or alias ARN; "" means alias/aws/s3, created on first use). It is
// DescribeKey (authorized, audited), and refuses keys that cannot encrypt:
// DisabledException, KMSInvalidStateException.
func (k *KMS) ResolveKey(ctx context.Context, keyID string) (string, error) {
	if keyID == "" {
		keyID = s3ManagedAlias
	}
	out, err := k.api.DescribeKey(ctx, &DescribeKeyInput{KeyId: keyID})
	if err != nil {
		return "", err
	}
	switch md := out.KeyMetadata; md.KeyState {
	case KeyStateDisabled:
		return "", errDisabled(md.Arn)
	case KeyStatePendingDeletion:
		return "", errPendingDeletion(md.Arn)
	}
	return out.KeyMetadata.Arn, nil
}

// GenerateDataKey returns a fresh 32-byte data key in plaintext and sealed
// under the key keyID names ("" for alias/aws/s3), bound to encCtx. It is
// GenerateDataKey with KeySpec AES_256.
func (k *KMS) GenerateDataKey(ctx context.Context, keyID string, encCtx map[string]string) ([]byte, []byte, string, error) {
	if keyID == "" {
		keyID = s3ManagedAlias
	}
	out, err := k.api.GenerateDataKey(ctx, &GenerateDataKeyInput{KeyId: keyID, KeySpec: DataKeyAES256, EncryptionContext: encCtx})
	if err != nil {
		return nil, nil, "", err
	}
	return out.Plaintext, out.CiphertextBlob, out.KeyId, nil
}

// Decrypt opens a blob with the encryption context it was made with. It
// is the Decrypt operation without a KeyId.
func (k *KMS) Decrypt(ctx context.Context, blob []byte, encCtx map[string]string) ([]byte, string, error) {
	out, err := k.api.Decrypt(ctx, &DecryptInput{CiphertextBlob: blob, EncryptionContext: encCtx})
	if err != nil {
		return nil, "", err
	}
	return out.Plaintext, out.KeyId, nil
}
