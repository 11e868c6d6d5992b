package kms

import "context"

// EncryptInput is the request of Encrypt.
type EncryptInput struct {
	KeyId               string              `json:"KeyId"`
	Plaintext           []byte              `json:"Plaintext"`
	EncryptionContext   map[string]string   `json:"EncryptionContext"`
	GrantTokens         []string            `json:"GrantTokens"`
	EncryptionAlgorithm EncryptionAlgorithm `json:"EncryptionAlgorithm"`
	DryRun              bool                `json:"DryRun"`
}

// EncryptOutput is the response of Encrypt.
type EncryptOutput struct {
	CiphertextBlob      []byte              `json:"CiphertextBlob"`
	KeyId               string              `json:"KeyId"`
	EncryptionAlgorithm EncryptionAlgorithm `json:"EncryptionAlgorithm"`
}

// Encrypt encrypts up to 4096 bytes under the key's current material,
// bound to the encryption context.
func (a *API) Encrypt(ctx context.Context, in *EncryptInput) (out *EncryptOutput, err error) {
	c, err := a.k.begin(ctx, "Encrypt", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("keyId", in.KeyId)
	c.param("encryptionContext", in.EncryptionContext)
	c.param("encryptionAlgorithm", string(in.EncryptionAlgorithm))
	c.param("dryRun", in.DryRun)
	var v violations
	v.requiredLength("keyId", in.KeyId, 1, 2048)
	v.secretLength("plaintext", in.Plaintext, true, 1, maxPlaintext)
	v.grantTokens(in.GrantTokens)
	enum(&v, "encryptionAlgorithm", in.EncryptionAlgorithm, modelEncryptionAlgorithms...)
	ec := v.encryptionContext("encryptionContext", in.EncryptionContext)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := c.spendQuota(); err != nil {
		return nil, err
	}
	kk, err := c.cryptoKey(in.KeyId, "kms:Encrypt", in.EncryptionContext, in.EncryptionAlgorithm)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	blob, err := a.k.seal(kk, in.Plaintext, ec)
	if err != nil {
		return nil, err
	}
	return &EncryptOutput{CiphertextBlob: blob, KeyId: kk.arn, EncryptionAlgorithm: EncryptionSymmetricDefault}, nil
}

// DecryptInput is the request of Decrypt.
type DecryptInput struct {
	CiphertextBlob      []byte              `json:"CiphertextBlob"`
	EncryptionContext   map[string]string   `json:"EncryptionContext"`
	GrantTokens         []string            `json:"GrantTokens"`
	KeyId               string              `json:"KeyId"`
	EncryptionAlgorithm EncryptionAlgorithm `json:"EncryptionAlgorithm"`
	Recipient           *RecipientInfo      `json:"Recipient"`
	DryRun              bool                `json:"DryRun"`
	DryRunModifiers     []DryRunModifier    `json:"DryRunModifiers"`
}

// DecryptOutput is the response of Decrypt.
type DecryptOutput struct {
	KeyId               string              `json:"KeyId"`
	Plaintext           []byte              `json:"Plaintext"`
	EncryptionAlgorithm EncryptionAlgorithm `json:"EncryptionAlgorithm"`
	KeyMaterialId       string              `json:"KeyMaterialId"`
}

// Decrypt decrypts a blob made by Encrypt, GenerateDataKey* or ReEncrypt
// with the same encryption context. The blob names its key and material;
// KeyId, when given, must name the same key.
func (a *API) Decrypt(ctx context.Context, in *DecryptInput) (out *DecryptOutput, err error) {
	c, err := a.k.begin(ctx, "Decrypt", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("keyId", in.KeyId)
	c.param("encryptionContext", in.EncryptionContext)
	c.param("encryptionAlgorithm", string(in.EncryptionAlgorithm))
	c.param("dryRun", in.DryRun)
	ignoreCiphertext := in.DryRun && hasModifier(in.DryRunModifiers, IgnoreCiphertext)
	var v violations
	v.secretLength("ciphertextBlob", in.CiphertextBlob, !ignoreCiphertext, 1, maxBlob)
	v.length("keyId", in.KeyId, 0, 2048)
	v.grantTokens(in.GrantTokens)
	enum(&v, "encryptionAlgorithm", in.EncryptionAlgorithm, modelEncryptionAlgorithms...)
	for i, m := range in.DryRunModifiers {
		enum(&v, "dryRunModifiers."+itoa(i+1)+".member", m, IgnoreCiphertext)
	}
	ec := v.encryptionContext("encryptionContext", in.EncryptionContext)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.Recipient != nil {
		return nil, errRecipientUnsupported()
	}
	if ignoreCiphertext && in.KeyId == "" {
		return nil, kmsError(CodeValidation, "KeyId is required when the dry run ignores the ciphertext.")
	}
	if err := c.spendQuota(); err != nil {
		return nil, err
	}
	if ignoreCiphertext {
		if _, err := c.cryptoKey(in.KeyId, "kms:Decrypt", in.EncryptionContext, in.EncryptionAlgorithm); err != nil {
			return nil, err
		}
		return nil, errDryRun()
	}
	kk, h, err := c.ciphertextKey(in.CiphertextBlob)
	if err != nil {
		return nil, err
	}
	if err := c.checkKeyMatches(in.KeyId, kk); err != nil {
		return nil, err
	}
	if err := c.admitCryptoKey(kk, "kms:Decrypt", in.EncryptionContext, in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	plaintext, m, err := open(kk, h, in.CiphertextBlob, ec)
	if err != nil {
		return nil, err
	}
	return &DecryptOutput{KeyId: kk.arn, Plaintext: plaintext, EncryptionAlgorithm: EncryptionSymmetricDefault, KeyMaterialId: m.id.String()}, nil
}

// ReEncryptInput is the request of ReEncrypt.
type ReEncryptInput struct {
	CiphertextBlob                 []byte              `json:"CiphertextBlob"`
	SourceEncryptionContext        map[string]string   `json:"SourceEncryptionContext"`
	SourceKeyId                    string              `json:"SourceKeyId"`
	DestinationKeyId               string              `json:"DestinationKeyId"`
	DestinationEncryptionContext   map[string]string   `json:"DestinationEncryptionContext"`
	SourceEncryptionAlgorithm      EncryptionAlgorithm `json:"SourceEncryptionAlgorithm"`
	DestinationEncryptionAlgorithm EncryptionAlgorithm `json:"DestinationEncryptionAlgorithm"`
	GrantTokens                    []string            `json:"GrantTokens"`
	DryRun                         bool                `json:"DryRun"`
	DryRunModifiers                []DryRunModifier    `json:"DryRunModifiers"`
}

// ReEncryptOutput is the response of ReEncrypt.
type ReEncryptOutput struct {
	CiphertextBlob                 []byte              `json:"CiphertextBlob"`
	SourceKeyId                    string              `json:"SourceKeyId"`
	KeyId                          string              `json:"KeyId"`
	SourceEncryptionAlgorithm      EncryptionAlgorithm `json:"SourceEncryptionAlgorithm"`
	DestinationEncryptionAlgorithm EncryptionAlgorithm `json:"DestinationEncryptionAlgorithm"`
	SourceKeyMaterialId            string              `json:"SourceKeyMaterialId"`
	DestinationKeyMaterialId       string              `json:"DestinationKeyMaterialId"`
}

// ReEncrypt decrypts a blob and encrypts its plaintext under another key
// (or the current material of the same key) and context, without the
// plaintext leaving the KMS. It needs kms:ReEncryptFrom on the source key
// and kms:ReEncryptTo on the destination key.
func (a *API) ReEncrypt(ctx context.Context, in *ReEncryptInput) (out *ReEncryptOutput, err error) {
	c, err := a.k.begin(ctx, "ReEncrypt", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	c.param("sourceKeyId", in.SourceKeyId)
	c.param("destinationKeyId", in.DestinationKeyId)
	c.param("sourceEncryptionContext", in.SourceEncryptionContext)
	c.param("destinationEncryptionContext", in.DestinationEncryptionContext)
	c.param("dryRun", in.DryRun)
	ignoreCiphertext := in.DryRun && hasModifier(in.DryRunModifiers, IgnoreCiphertext)
	var v violations
	v.secretLength("ciphertextBlob", in.CiphertextBlob, !ignoreCiphertext, 1, maxBlob)
	v.length("sourceKeyId", in.SourceKeyId, 0, 2048)
	v.requiredLength("destinationKeyId", in.DestinationKeyId, 1, 2048)
	enum(&v, "sourceEncryptionAlgorithm", in.SourceEncryptionAlgorithm, modelEncryptionAlgorithms...)
	enum(&v, "destinationEncryptionAlgorithm", in.DestinationEncryptionAlgorithm, modelEncryptionAlgorithms...)
	v.grantTokens(in.GrantTokens)
	for i, m := range in.DryRunModifiers {
		enum(&v, "dryRunModifiers."+itoa(i+1)+".member", m, IgnoreCiphertext)
	}
	sourceEC := v.encryptionContext("sourceEncryptionContext", in.SourceEncryptionContext)
	destinationEC := v.encryptionContext("destinationEncryptionContext", in.DestinationEncryptionContext)
	if err := v.err(); err != nil {
		return nil, err
	}
	if ignoreCiphertext && in.SourceKeyId == "" {
		return nil, kmsError(CodeValidation, "SourceKeyId is required when the dry run ignores the ciphertext.")
	}
	if err := c.spendQuota(); err != nil {
		return nil, err
	}
	var source *key
	var h blobHeader
	if ignoreCiphertext {
		source, err = c.resolve(in.SourceKeyId, keysOrAliases)
	} else {
		source, h, err = c.ciphertextKey(in.CiphertextBlob)
		if err == nil {
			err = c.checkKeyMatches(in.SourceKeyId, source)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := c.admitCryptoKey(source, "kms:ReEncryptFrom", in.SourceEncryptionContext, in.SourceEncryptionAlgorithm); err != nil {
		return nil, err
	}
	destination, err := c.cryptoKey(in.DestinationKeyId, "kms:ReEncryptTo", in.DestinationEncryptionContext, in.DestinationEncryptionAlgorithm)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	plaintext, m, err := open(source, h, in.CiphertextBlob, sourceEC)
	if err != nil {
		return nil, err
	}
	defer clear(plaintext)
	blob, err := a.k.seal(destination, plaintext, destinationEC)
	if err != nil {
		return nil, err
	}
	return &ReEncryptOutput{
		CiphertextBlob:                 blob,
		SourceKeyId:                    source.arn,
		KeyId:                          destination.arn,
		SourceEncryptionAlgorithm:      EncryptionSymmetricDefault,
		DestinationEncryptionAlgorithm: EncryptionSymmetricDefault,
		SourceKeyMaterialId:            m.id.String(),
		DestinationKeyMaterialId:       destination.current.id.String(),
	}, nil
}

// cryptoKey resolves the key (or alias) id names for a cryptographic
// operation and admits it as admitCryptoKey does.
func (c *call) cryptoKey(id, action string, ec map[string]string, alg EncryptionAlgorithm) (*key, error) {
	kk, err := c.resolve(id, keysOrAliases)
	if err != nil {
		return nil, err
	}
	if err := c.admitCryptoKey(kk, action, ec, alg); err != nil {
		return nil, err
	}
	return kk, nil
}

// admitCryptoKey authorizes action on kk under encryption context ec, then
// checks that kk is Enabled and supports the requested algorithm.
func (c *call) admitCryptoKey(kk *key, action string, ec map[string]string, alg EncryptionAlgorithm) error {
	if err := c.authorize(kk, action, ec); err != nil {
		return err
	}
	if err := enabledOnly.check(kk); err != nil {
		return err
	}
	return algorithm(kk, alg)
}
