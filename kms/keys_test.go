package kms

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestCreateKeyMetadata(t *testing.T) {
	f := newFixture(t)
	md := f.newKey()
	want := KeyMetadata{
		AWSAccountId:          testAccount,
		KeyId:                 md.KeyId,
		Arn:                   "arn:aws:kms:us-east-1:111122223333:key/" + md.KeyId,
		CreationDate:          testEpoch,
		Enabled:               true,
		Description:           "test key",
		KeyUsage:              KeyUsageEncryptDecrypt,
		KeyState:              KeyStateEnabled,
		Origin:                OriginAWSKMS,
		KeyManager:            KeyManagerCustomer,
		CustomerMasterKeySpec: KeySpecSymmetricDefault,
		KeySpec:               KeySpecSymmetricDefault,
		CurrentKeyMaterialId:  md.CurrentKeyMaterialId,
	}
	if fmt.Sprint(md.EncryptionAlgorithms) != "[SYMMETRIC_DEFAULT]" {
		t.Fatalf("EncryptionAlgorithms = %v", md.EncryptionAlgorithms)
	}
	md.EncryptionAlgorithms = nil
	if !reflect.DeepEqual(*md, want) {
		t.Fatalf("metadata =\n%+v\nwant\n%+v", *md, want)
	}
	if _, ok := canonicalUUID(md.KeyId); !ok || md.KeyId[14] != '4' {
		t.Fatalf("key id %q is not a version 4 UUID", md.KeyId)
	}
	if len(md.CurrentKeyMaterialId) != 64 {
		t.Fatalf("CurrentKeyMaterialId %q is not 64 hex digits", md.CurrentKeyMaterialId)
	}
	got, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: md.Arn})
	f.must(err)
	got.KeyMetadata.EncryptionAlgorithms = nil
	if !reflect.DeepEqual(*got.KeyMetadata, want) {
		t.Fatalf("DescribeKey = %+v, want %+v", *got.KeyMetadata, want)
	}
}

func TestCreateKeyRefusals(t *testing.T) {
	cases := []struct {
		name string
		in   CreateKeyInput
		code string
		msg  string
	}{
		{name: "asymmetric spec", in: CreateKeyInput{KeySpec: "RSA_2048"}, code: CodeUnsupportedOperation},
		{name: "deprecated spec field", in: CreateKeyInput{CustomerMasterKeySpec: "HMAC_256"}, code: CodeUnsupportedOperation},
		{name: "both spec fields", in: CreateKeyInput{KeySpec: KeySpecSymmetricDefault, CustomerMasterKeySpec: KeySpecSymmetricDefault}, code: CodeValidation},
		{name: "unknown spec", in: CreateKeyInput{KeySpec: "AES_999"}, code: CodeValidation,
			msg: "1 validation error detected: Value 'AES_999' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519]"},
		{name: "sign key", in: CreateKeyInput{KeyUsage: KeyUsageSignVerify}, code: CodeUnsupportedOperation},
		{name: "external origin", in: CreateKeyInput{Origin: "EXTERNAL"}, code: CodeUnsupportedOperation},
		{name: "multi-Region", in: CreateKeyInput{MultiRegion: true}, code: CodeUnsupportedOperation},
		{name: "custom key store", in: CreateKeyInput{CustomKeyStoreId: "cks-1"}, code: CodeCustomKeyStoreNotFound},
		{name: "description too long", in: CreateKeyInput{Description: strings.Repeat("d", 8193)}, code: CodeValidation},
		{name: "two violations", in: CreateKeyInput{KeyUsage: "BAD", Origin: "NOWHERE"}, code: CodeValidation,
			msg: "2 validation errors detected: Value 'BAD' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT]; Value 'NOWHERE' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: [AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE]"},
		{name: "reserved tag", in: CreateKeyInput{Tags: []Tag{{TagKey: "aws:owner", TagValue: "x"}}}, code: CodeTag, msg: "Tags beginning with aws: are reserved"},
		{name: "malformed policy", in: CreateKeyInput{Policy: `{"Statement": 5}`}, code: CodeMalformedPolicyDocument},
		{name: "policy locking the caller out", in: CreateKeyInput{Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"}]}`},
			code: CodeMalformedPolicyDocument, msg: "The new key policy will not allow you to update the key policy in the future."},
		{name: "policy outside Latin-1", in: CreateKeyInput{Policy: `{"Sid":"€"}`}, code: CodeValidation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.api.CreateKey(f.ctx, &tc.in)
			wantCode(t, err, tc.code)
			if tc.msg != "" && message(err) != tc.msg {
				t.Fatalf("message = %q, want %q", message(err), tc.msg)
			}
			if names, _ := f.store.ListKeys(f.ctx, keyNamePrefix); len(names) != 0 {
				t.Fatalf("a refused CreateKey stored %v", names)
			}
		})
	}
}

func TestCreateKeyWithPolicyAndLockoutBypass(t *testing.T) {
	f := newFixture(t)
	alice := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"}]}`
	out, err := f.api.CreateKey(f.ctx, &CreateKeyInput{Policy: alice, BypassPolicyLockoutSafetyCheck: true})
	f.must(err)
	// The root user locked itself out: only alice may use the key now.
	_, err = f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: out.KeyMetadata.KeyId})
	wantCode(t, err, CodeAccessDenied)
	_, err = f.api.DescribeKey(asPrincipal(userPrincipal("alice")), &DescribeKeyInput{KeyId: out.KeyMetadata.KeyId})
	f.must(err)
}

func TestIdentifiers(t *testing.T) {
	f := newFixture(t)
	md := f.newKey()
	_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/app", TargetKeyId: md.KeyId})
	f.must(err)
	missing := "0f0e0d0c-0b0a-4908-8706-050403020100"
	cases := []struct {
		name, id string
		accept   refPolicy
		code     string
		msg      string
	}{
		{name: "key id", id: md.KeyId, accept: keysOnly},
		{name: "upper-case key id", id: strings.ToUpper(md.KeyId), accept: keysOnly},
		{name: "key ARN", id: md.Arn, accept: keysOnly},
		{name: "alias", id: "alias/app", accept: keysOrAliases},
		{name: "alias ARN", id: "arn:aws:kms:us-east-1:111122223333:alias/app", accept: keysOrAliases},
		{name: "alias where only keys are accepted", id: "alias/app", accept: keysOnly, code: CodeNotFound, msg: "Invalid keyId 'alias/app'"},
		{name: "alias ARN where only keys are accepted", id: "arn:aws:kms:us-east-1:111122223333:alias/app", accept: keysOnly, code: CodeNotFound},
		{name: "unknown key", id: missing, accept: keysOnly, code: CodeNotFound, msg: "Key 'arn:aws:kms:us-east-1:111122223333:key/" + missing + "' does not exist"},
		{name: "unknown alias", id: "alias/nope", accept: keysOrAliases, code: CodeNotFound, msg: "Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found."},
		{name: "not a key id", id: "hello", accept: keysOnly, code: CodeNotFound, msg: "Invalid keyId 'hello'"},
		{name: "ARN in another Region", id: "arn:aws:kms:eu-west-1:111122223333:key/" + md.KeyId, accept: keysOnly, code: CodeNotFound, msg: "Invalid arn eu-west-1"},
		{name: "ARN of another account", id: "arn:aws:kms:us-east-1:444455556666:key/" + md.KeyId, accept: keysOnly, code: CodeNotFound},
		{name: "malformed ARN", id: "arn:aws:kms:us-east-1:111122223333:secret/x", accept: keysOnly, code: CodeInvalidArn},
		{name: "ARN of another service", id: "arn:aws:s3:::bucket", accept: keysOnly, code: CodeInvalidArn},
		{name: "ARN with a bad key id", id: "arn:aws:kms:us-east-1:111122223333:key/xyz", accept: keysOnly, code: CodeInvalidArn},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := f.kms.begin(f.ctx, "Test", readAccess)
			kk, err := c.resolve(tc.id, tc.accept)
			wantCode(t, err, tc.code)
			if tc.msg != "" && message(err) != tc.msg {
				t.Fatalf("message = %q, want %q", message(err), tc.msg)
			}
			if err == nil && kk.rec.ID != md.KeyId {
				t.Fatalf("resolved to %s, want %s", kk.rec.ID, md.KeyId)
			}
		})
	}
}

func TestListKeysPagination(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for range 5 {
		ids = append(ids, f.newKey().KeyId)
	}
	var got []string
	marker := ""
	pages := 0
	for {
		out, err := f.api.ListKeys(f.ctx, &ListKeysInput{Limit: i32(2), Marker: marker})
		f.must(err)
		pages++
		for _, e := range out.Keys {
			if e.KeyArn != "arn:aws:kms:us-east-1:111122223333:key/"+e.KeyId {
				t.Fatalf("entry %+v: ARN does not match the id", e)
			}
			got = append(got, e.KeyId)
		}
		if out.Truncated != (out.NextMarker != "") {
			t.Fatalf("Truncated %v with NextMarker %q", out.Truncated, out.NextMarker)
		}
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	if pages != 3 || len(got) != 5 {
		t.Fatalf("%d pages, %d keys; want 3 pages of 5 keys", pages, len(got))
	}
	for _, id := range ids {
		if !strings.Contains(strings.Join(got, ","), id) {
			t.Fatalf("key %s not listed", id)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Fatalf("keys not in order: %v", got)
		}
	}
	_, err := f.api.ListKeys(f.ctx, &ListKeysInput{Marker: "not-a-marker!"})
	wantCode(t, err, CodeInvalidMarker)
	_, err = f.api.ListKeys(f.ctx, &ListKeysInput{Marker: encodeMarker("aliases", "x")})
	wantCode(t, err, CodeInvalidMarker)
	_, err = f.api.ListKeys(f.ctx, &ListKeysInput{Limit: i32(0)})
	if message(err) != "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1" {
		t.Fatalf("Limit 0: %v", err)
	}
}

func TestEnableDisableDescription(t *testing.T) {
	f := newFixture(t)
	md := f.newKey()
	_, err := f.api.DisableKey(f.ctx, &DisableKeyInput{KeyId: md.KeyId})
	f.must(err)
	d, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: md.KeyId})
	f.must(err)
	if d.KeyMetadata.Enabled || d.KeyMetadata.KeyState != KeyStateDisabled {
		t.Fatalf("after DisableKey: %+v", d.KeyMetadata)
	}
	_, err = f.api.EnableKey(f.ctx, &EnableKeyInput{KeyId: md.Arn})
	f.must(err)
	_, err = f.api.UpdateKeyDescription(f.ctx, &UpdateKeyDescriptionInput{KeyId: md.KeyId, Description: str("")})
	f.must(err)
	d, err = f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: md.KeyId})
	f.must(err)
	if !d.KeyMetadata.Enabled || d.KeyMetadata.Description != "" {
		t.Fatalf("after EnableKey and an empty description: %+v", d.KeyMetadata)
	}
	_, err = f.api.UpdateKeyDescription(f.ctx, &UpdateKeyDescriptionInput{KeyId: md.KeyId})
	if message(err) != "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null" {
		t.Fatalf("missing description: %v", err)
	}
}

func TestValidationMessages(t *testing.T) {
	f := newFixture(t)
	md := f.newKey()
	cases := []struct {
		name string
		call func() error
		msg  string
	}{
		{"missing key id", func() error { _, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{}); return err },
			"1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
		{"nil input", func() error { _, err := f.api.EnableKey(f.ctx, nil); return err },
			"1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
		{"plaintext too long", func() error {
			_, err := f.api.Encrypt(f.ctx, &EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 4097)})
			return err
		}, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"empty plaintext", func() error {
			_, err := f.api.Encrypt(f.ctx, &EncryptInput{KeyId: md.KeyId, Plaintext: []byte{}})
			return err
		}, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"too many random bytes", func() error {
			_, err := f.api.GenerateRandom(f.ctx, &GenerateRandomInput{NumberOfBytes: i32(1025)})
			return err
		},
			"1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"},
		{"random without a size", func() error { _, err := f.api.GenerateRandom(f.ctx, &GenerateRandomInput{}); return err },
			"NumberOfBytes is required."},
		{"data key spec and size", func() error {
			_, err := f.api.GenerateDataKey(f.ctx, &GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: DataKeyAES256, NumberOfBytes: i32(32)})
			return err
		}, "Please specify either number of bytes or key spec."},
		{"data key without spec or size", func() error {
			_, err := f.api.GenerateDataKey(f.ctx, &GenerateDataKeyInput{KeyId: md.KeyId})
			return err
		}, "Please specify either number of bytes or key spec."},
		{"too many grant tokens", func() error {
			_, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: md.KeyId, GrantTokens: strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")})
			return err
		}, "1 validation error detected: Value '[a, b, c, d, e, f, g, h, i, j, k]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{"blob too long", func() error {
			_, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: make([]byte, 6145)})
			return err
		},
			"1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to 6144"},
		{"long key id is clipped", func() error {
			_, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: strings.Repeat("k", 2049)})
			return err
		},
			"1 validation error detected: Value '" + strings.Repeat("k", 256) + "...' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"bad algorithm", func() error {
			_, err := f.api.Encrypt(f.ctx, &EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: "ROT13"})
			return err
		}, "1 validation error detected: Value 'ROT13' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, CodeValidation)
			if message(err) != tc.msg {
				t.Fatalf("message =\n%q\nwant\n%q", message(err), tc.msg)
			}
		})
	}
}
