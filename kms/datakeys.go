package kms

import "context"

// GenerateDataKeyInput is the request of GenerateDataKey.
type GenerateDataKeyInput struct {
	KeyId             string            `json:"KeyId"`
	EncryptionContext map[string]string `json:"EncryptionContext"`
	NumberOfBytes     *int32            `json:"NumberOfBytes"`
	KeySpec           DataKeySpec       `json:"KeySpec"`
	GrantTokens       []string          `json:"GrantTokens"`
	Recipient         *RecipientInfo    `json:"Recipient"`
	DryRun            bool              `json:"DryRun"`
}

// GenerateDataKeyOutput is the response of GenerateDataKey.
type GenerateDataKeyOutput struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	Plaintext      []byte `json:"Plaintext"`
	KeyId          string `json:"KeyId"`
	KeyMaterialId  string `json:"KeyMaterialId"`
}

// GenerateDataKey returns a fresh random data key in plaintext and
// encrypted under the key's current material, bound to the encryption
// context.
func (a *API) GenerateDataKey(ctx context.Context, in *GenerateDataKeyInput) (out *GenerateDataKeyOutput, err error) {
	c, err := a.k.begin(ctx, "GenerateDataKey", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	if in.Recipient != nil {
		return nil, errRecipientUnsupported()
	}
	dk, err := c.generateDataKey(dataKeyRequest{in.KeyId, in.EncryptionContext, in.NumberOfBytes, in.KeySpec, in.GrantTokens, in.DryRun}, "kms:GenerateDataKey")
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyOutput{CiphertextBlob: dk.blob, Plaintext: dk.plaintext, KeyId: dk.key.arn, KeyMaterialId: dk.key.current.id.String()}, nil
}

// GenerateDataKeyWithoutPlaintextInput is the request of
// GenerateDataKeyWithoutPlaintext.
type GenerateDataKeyWithoutPlaintextInput struct {
	KeyId             string            `json:"KeyId"`
	EncryptionContext map[string]string `json:"EncryptionContext"`
	KeySpec           DataKeySpec       `json:"KeySpec"`
	NumberOfBytes     *int32            `json:"NumberOfBytes"`
	GrantTokens       []string          `json:"GrantTokens"`
	DryRun            bool              `json:"DryRun"`
}

// GenerateDataKeyWithoutPlaintextOutput is the response of
// GenerateDataKeyWithoutPlaintext.
type GenerateDataKeyWithoutPlaintextOutput struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	KeyId          string `json:"KeyId"`
	KeyMaterialId  string `json:"KeyMaterialId"`
}

// GenerateDataKeyWithoutPlaintext is GenerateDataKey that returns only the
// encrypted data key.
func (a *API) GenerateDataKeyWithoutPlaintext(ctx context.Context, in *GenerateDataKeyWithoutPlaintextInput) (out *GenerateDataKeyWithoutPlaintextOutput, err error) {
	c, err := a.k.begin(ctx, "GenerateDataKeyWithoutPlaintext", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	dk, err := c.generateDataKey(dataKeyRequest{in.KeyId, in.EncryptionContext, in.NumberOfBytes, in.KeySpec, in.GrantTokens, in.DryRun}, "kms:GenerateDataKeyWithoutPlaintext")
	if err != nil {
		return nil, err
	}
	clear(dk.plaintext)
	return &GenerateDataKeyWithoutPlaintextOutput{CiphertextBlob: dk.blob, KeyId: dk.key.arn, KeyMaterialId: dk.key.current.id.String()}, nil
}

// dataKeyRequest is what the two GenerateDataKey operations share.
type dataKeyRequest struct {
	keyID         string
	ec            map[string]string
	numberOfBytes *int32
	spec          DataKeySpec
	grantTokens   []string
	dryRun        bool
}

type dataKey struct {
	key       *key
	plaintext []byte
	blob      []byte
}

func (c *call) generateDataKey(r dataKeyRequest, action string) (dataKey, error) {
	c.param("keyId", r.keyID)
	c.param("encryptionContext", r.ec)
	c.param("numberOfBytes", r.numberOfBytes)
	c.param("keySpec", string(r.spec))
	c.param("dryRun", r.dryRun)
	var v violations
	v.requiredLength("keyId", r.keyID, 1, 2048)
	enum(&v, "keySpec", r.spec, DataKeyAES256, DataKeyAES128)
	v.rangeOf("numberOfBytes", r.numberOfBytes, 1, 1024)
	v.grantTokens(r.grantTokens)
	ec := v.encryptionContext("encryptionContext", r.ec)
	if err := v.err(); err != nil {
		return dataKey{}, err
	}
	size := 0
	switch {
	case (r.spec == "") == (r.numberOfBytes == nil):
		return dataKey{}, kmsError(CodeValidation, "Please specify either number of bytes or key spec.")
	case r.spec == DataKeyAES256:
		size = 32
	case r.spec == DataKeyAES128:
		size = 16
	default:
		size = int(*r.numberOfBytes)
	}
	if err := c.spendQuota(); err != nil {
		return dataKey{}, err
	}
	kk, err := c.useKey(r.keyID, keysOrAliases, action, enabledOnly, r.ec)
	if err != nil {
		return dataKey{}, err
	}
	if r.dryRun {
		return dataKey{}, errDryRun()
	}
	plaintext := make([]byte, size)
	if err := c.k.readRandom(plaintext); err != nil {
		return dataKey{}, err
	}
	blob, err := c.k.seal(kk, plaintext, ec)
	if err != nil {
		clear(plaintext)
		return dataKey{}, err
	}
	return dataKey{key: kk, plaintext: plaintext, blob: blob}, nil
}

// GenerateRandomInput is the request of GenerateRandom.
type GenerateRandomInput struct {
	NumberOfBytes    *int32         `json:"NumberOfBytes"`
	CustomKeyStoreId string         `json:"CustomKeyStoreId"`
	Recipient        *RecipientInfo `json:"Recipient"`
}

// GenerateRandomOutput is the response of GenerateRandom.
type GenerateRandomOutput struct {
	Plaintext []byte `json:"Plaintext"`
}

// GenerateRandom returns 1..1024 random bytes from crypto/rand.
func (a *API) GenerateRandom(ctx context.Context, in *GenerateRandomInput) (out *GenerateRandomOutput, err error) {
	c, err := a.k.begin(ctx, "GenerateRandom", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("numberOfBytes", in.NumberOfBytes)
	var v violations
	v.rangeOf("numberOfBytes", in.NumberOfBytes, 1, 1024)
	v.length("customKeyStoreId", in.CustomKeyStoreId, 0, 64)
	if err := v.err(); err != nil {
		return nil, err
	}
	switch {
	case in.NumberOfBytes == nil:
		return nil, kmsError(CodeValidation, "NumberOfBytes is required.")
	case in.CustomKeyStoreId != "":
		return nil, kmsError(CodeCustomKeyStoreNotFound, "Custom key store %s does not exist: Coffer's KMS has no custom key stores.", clip(in.CustomKeyStoreId))
	case in.Recipient != nil:
		return nil, errRecipientUnsupported()
	}
	if err := c.spendQuota(); err != nil {
		return nil, err
	}
	if err := c.authorizeAccount("kms:GenerateRandom"); err != nil {
		return nil, err
	}
	out = &GenerateRandomOutput{Plaintext: make([]byte, *in.NumberOfBytes)}
	if err := a.k.readRandom(out.Plaintext); err != nil {
		return nil, err
	}
	return out, nil
}
