package kms

import (
	"slices"
	"time"
)

// KeyUsage is what a key is for; Coffer's keys are ENCRYPT_DECRYPT.
type KeyUsage string

const (
	KeyUsageEncryptDecrypt    KeyUsage = "ENCRYPT_DECRYPT"
	KeyUsageSignVerify        KeyUsage = "SIGN_VERIFY"
	KeyUsageGenerateVerifyMAC KeyUsage = "GENERATE_VERIFY_MAC"
	KeyUsageKeyAgreement      KeyUsage = "KEY_AGREEMENT"
)

// KeySpec is the type of a KMS key; Coffer's keys are SYMMETRIC_DEFAULT
// (AES-256-GCM). The other values are accepted by the model and refused
// with UnsupportedOperationException.
type KeySpec string

const KeySpecSymmetricDefault KeySpec = "SYMMETRIC_DEFAULT"

// modelCustomerMasterKeySpecs are the values of the deprecated
// CustomerMasterKeySpec member; KeySpec takes a few more.
var (
	modelCustomerMasterKeySpecs = []KeySpec{
		"RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
		"ECC_SECG_P256K1", KeySpecSymmetricDefault, "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
	}
	modelKeySpecs = append(slices.Clip(modelCustomerMasterKeySpecs), "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519")
)

// OriginType is where a key's material comes from; Coffer generates it
// (AWS_KMS).
type OriginType string

const OriginAWSKMS OriginType = "AWS_KMS"

var modelOrigins = []OriginType{OriginAWSKMS, "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"}

// EncryptionAlgorithm names the algorithm of Encrypt and Decrypt; symmetric
// keys use SYMMETRIC_DEFAULT.
type EncryptionAlgorithm string

const EncryptionSymmetricDefault EncryptionAlgorithm = "SYMMETRIC_DEFAULT"

var modelEncryptionAlgorithms = []EncryptionAlgorithm{EncryptionSymmetricDefault, "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"}

// Tag is a key's tag.
type Tag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// KeyMetadata describes a key (DescribeKey, CreateKey).
type KeyMetadata struct {
	AWSAccountId                string                `json:"AWSAccountId"`
	KeyId                       string                `json:"KeyId"`
	Arn                         string                `json:"Arn"`
	CreationDate                time.Time             `json:"CreationDate"`
	Enabled                     bool                  `json:"Enabled"`
	Description                 string                `json:"Description"`
	KeyUsage                    KeyUsage              `json:"KeyUsage"`
	KeyState                    KeyState              `json:"KeyState"`
	DeletionDate                time.Time             `json:"DeletionDate,omitzero"`
	Origin                      OriginType            `json:"Origin"`
	KeyManager                  KeyManagerType        `json:"KeyManager"`
	CustomerMasterKeySpec       KeySpec               `json:"CustomerMasterKeySpec"`
	KeySpec                     KeySpec               `json:"KeySpec"`
	EncryptionAlgorithms        []EncryptionAlgorithm `json:"EncryptionAlgorithms"`
	MultiRegion                 bool                  `json:"MultiRegion"`
	PendingDeletionWindowInDays int32                 `json:"PendingDeletionWindowInDays,omitempty"`
	CurrentKeyMaterialId        string                `json:"CurrentKeyMaterialId"`
}

func (k *KMS) metadata(kk *key) *KeyMetadata {
	rec := kk.rec
	return &KeyMetadata{
		AWSAccountId:                k.opts.AccountID,
		KeyId:                       rec.ID,
		Arn:                         kk.arn,
		CreationDate:                rec.Created,
		Enabled:                     rec.State == KeyStateEnabled,
		Description:                 rec.Description,
		KeyUsage:                    KeyUsageEncryptDecrypt,
		KeyState:                    rec.State,
		DeletionDate:                rec.DeletionDate,
		Origin:                      OriginAWSKMS,
		KeyManager:                  rec.Manager,
		CustomerMasterKeySpec:       KeySpecSymmetricDefault,
		KeySpec:                     KeySpecSymmetricDefault,
		EncryptionAlgorithms:        []EncryptionAlgorithm{EncryptionSymmetricDefault},
		PendingDeletionWindowInDays: rec.PendingWindowInDays,
		CurrentKeyMaterialId:        kk.current.id.String(),
	}
}
