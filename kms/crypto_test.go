package kms

import (
	"bytes"
	"testing"
)

func TestEncryptDecrypt(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	other := f.newKey()
	_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/app", TargetKeyId: key.KeyId})
	f.must(err)
	s3 := map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/key"}
	cases := []struct {
		name      string
		encryptID string
		encryptEC map[string]string
		decryptID string
		decryptEC map[string]string
		code      string
	}{
		{name: "no context", encryptID: key.KeyId},
		{name: "context", encryptID: key.KeyId, encryptEC: s3, decryptEC: s3},
		{name: "context in another map order", encryptID: key.KeyId,
			encryptEC: map[string]string{"a": "1", "b": "2", "c": "3"}, decryptEC: map[string]string{"c": "3", "a": "1", "b": "2"}},
		{name: "by alias", encryptID: "alias/app", decryptID: "alias/app"},
		{name: "by ARN, decrypt naming the alias ARN", encryptID: key.Arn, decryptID: "arn:aws:kms:us-east-1:111122223333:alias/app"},
		{name: "decrypt naming the key id", encryptID: key.KeyId, decryptID: key.KeyId},
		{name: "context missing at decrypt", encryptID: key.KeyId, encryptEC: s3, code: CodeInvalidCiphertext},
		{name: "context added at decrypt", encryptID: key.KeyId, decryptEC: s3, code: CodeInvalidCiphertext},
		{name: "context value differs", encryptID: key.KeyId, encryptEC: s3, decryptEC: map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/other"}, code: CodeInvalidCiphertext},
		{name: "context key case differs", encryptID: key.KeyId, encryptEC: map[string]string{"Purpose": "x"}, decryptEC: map[string]string{"purpose": "x"}, code: CodeInvalidCiphertext},
		{name: "colliding concatenation ab=c vs a=bc", encryptID: key.KeyId, encryptEC: map[string]string{"ab": "c"}, decryptEC: map[string]string{"a": "bc"}, code: CodeInvalidCiphertext},
		{name: "colliding concatenation two pairs", encryptID: key.KeyId,
			encryptEC: map[string]string{"a": "b", "c": "d"}, decryptEC: map[string]string{"a": "bc", "": "d"}, code: CodeInvalidCiphertext},
		{name: "empty value vs no pair", encryptID: key.KeyId, encryptEC: map[string]string{"k": ""}, code: CodeInvalidCiphertext},
		{name: "decrypt naming another key", encryptID: key.KeyId, decryptID: other.KeyId, code: CodeIncorrectKey},
		{name: "decrypt naming a missing alias", encryptID: key.KeyId, decryptID: "alias/none", code: CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plaintext := []byte("attack at dawn: " + tc.name)
			enc, err := f.api.Encrypt(f.ctx, &EncryptInput{KeyId: tc.encryptID, Plaintext: plaintext, EncryptionContext: tc.encryptEC})
			f.must(err)
			if enc.KeyId != key.Arn || enc.EncryptionAlgorithm != EncryptionSymmetricDefault {
				t.Fatalf("Encrypt answered key %q, algorithm %q", enc.KeyId, enc.EncryptionAlgorithm)
			}
			if len(enc.CiphertextBlob) != blobOverhead+len(plaintext) {
				t.Fatalf("blob of %d bytes for %d plaintext bytes", len(enc.CiphertextBlob), len(plaintext))
			}
			dec, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: tc.decryptID, EncryptionContext: tc.decryptEC})
			wantCode(t, err, tc.code)
			if tc.code == CodeInvalidCiphertext && message(err) != "" {
				t.Fatalf("InvalidCiphertextException with message %q, want none", message(err))
			}
			if tc.code == CodeIncorrectKey && message(err) != "The key ID in the request does not identify a CMK that can perform this operation." {
				t.Fatalf("IncorrectKeyException message %q", message(err))
			}
			if err == nil && (!bytes.Equal(dec.Plaintext, plaintext) || dec.KeyId != key.Arn || dec.KeyMaterialId != key.CurrentKeyMaterialId) {
				t.Fatalf("Decrypt = %q under %s (material %s)", dec.Plaintext, dec.KeyId, dec.KeyMaterialId)
			}
		})
	}
}

func TestTamperedBlobs(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	ec := map[string]string{"purpose": "tamper"}
	blob := f.encrypt(key.KeyId, []byte("0123456789"), ec)
	// Every single flipped bit of the blob is detected; a flip in the
	// key id points at a key that does not exist.
	for i := range blob {
		for bit := range 8 {
			bad := bytes.Clone(blob)
			bad[i] ^= 1 << bit
			_, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: bad, EncryptionContext: ec})
			want := CodeInvalidCiphertext
			if 1 <= i && i < 17 {
				want = CodeAccessDenied
			}
			if code(err) != want {
				t.Fatalf("bit %d of byte %d flipped: %v, want %s", bit, i, err, want)
			}
		}
	}
	cases := []struct {
		name string
		blob []byte
		code string
	}{
		{"truncated tag", blob[:len(blob)-1], CodeInvalidCiphertext},
		{"header only", blob[:blobHeaderSize], CodeInvalidCiphertext},
		{"one byte", blob[:1], CodeInvalidCiphertext},
		{"extended", append(bytes.Clone(blob), 0), CodeInvalidCiphertext},
		{"unknown version", append([]byte{0x02}, blob[1:]...), CodeInvalidCiphertext},
		{"random bytes", ramp(0x30, 200), CodeInvalidCiphertext},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: tc.blob, EncryptionContext: ec})
			wantCode(t, err, tc.code)
		})
	}
}

func TestBlobUnderUnknownMaterial(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	blob := f.encrypt(key.KeyId, []byte("x"), nil)
	// Re-label the blob with material the key never had: the header is
	// authenticated, and the material lookup fails first anyway.
	copy(blob[17:49], ramp(0xee, 32))
	_, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: blob})
	wantCode(t, err, CodeInvalidCiphertext)
}

func TestGenerateDataKey(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k"}
	cases := []struct {
		name  string
		spec  DataKeySpec
		bytes *int32
		want  int
	}{
		{"AES_256", DataKeyAES256, nil, 32},
		{"AES_128", DataKeyAES128, nil, 16},
		{"1 byte", "", i32(1), 1},
		{"1024 bytes", "", i32(1024), 1024},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.api.GenerateDataKey(f.ctx, &GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: tc.spec, NumberOfBytes: tc.bytes, EncryptionContext: ec})
			f.must(err)
			if len(out.Plaintext) != tc.want || out.KeyId != key.Arn || out.KeyMaterialId != key.CurrentKeyMaterialId {
				t.Fatalf("%d plaintext bytes under %s / %s", len(out.Plaintext), out.KeyId, out.KeyMaterialId)
			}
			dec, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ec})
			f.must(err)
			if !bytes.Equal(dec.Plaintext, out.Plaintext) {
				t.Fatal("the blob does not decrypt to the data key")
			}
			wp, err := f.api.GenerateDataKeyWithoutPlaintext(f.ctx, &GenerateDataKeyWithoutPlaintextInput{KeyId: key.KeyId, KeySpec: tc.spec, NumberOfBytes: tc.bytes, EncryptionContext: ec})
			f.must(err)
			dec, err = f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: wp.CiphertextBlob, EncryptionContext: ec})
			f.must(err)
			if len(dec.Plaintext) != tc.want || bytes.Equal(dec.Plaintext, out.Plaintext) {
				t.Fatal("GenerateDataKeyWithoutPlaintext did not make a fresh key of the asked size")
			}
		})
	}
	_, err := f.api.GenerateDataKey(f.ctx, &GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: DataKeyAES256, Recipient: &RecipientInfo{}})
	wantCode(t, err, CodeUnsupportedOperation)
}

func TestReEncrypt(t *testing.T) {
	f := newFixture(t)
	source, destination := f.newKey(), f.newKey()
	sourceEC := map[string]string{"step": "1"}
	destinationEC := map[string]string{"step": "2"}
	blob := f.encrypt(source.KeyId, []byte("moving"), sourceEC)
	out, err := f.api.ReEncrypt(f.ctx, &ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: sourceEC, DestinationKeyId: destination.Arn, DestinationEncryptionContext: destinationEC})
	f.must(err)
	if out.SourceKeyId != source.Arn || out.KeyId != destination.Arn || out.SourceKeyMaterialId != source.CurrentKeyMaterialId || out.DestinationKeyMaterialId != destination.CurrentKeyMaterialId {
		t.Fatalf("ReEncrypt = %+v", out)
	}
	dec, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: destinationEC})
	f.must(err)
	if string(dec.Plaintext) != "moving" || dec.KeyId != destination.Arn {
		t.Fatalf("re-encrypted blob decrypts to %q under %s", dec.Plaintext, dec.KeyId)
	}
	cases := []struct {
		name string
		in   ReEncryptInput
		code string
	}{
		{"wrong source context", ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: destination.KeyId}, CodeInvalidCiphertext},
		{"source key mismatch", ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: sourceEC, SourceKeyId: destination.KeyId, DestinationKeyId: destination.KeyId}, CodeIncorrectKey},
		{"missing destination", ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: sourceEC}, CodeValidation},
		{"dry run", ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: sourceEC, DestinationKeyId: destination.KeyId, DryRun: true}, CodeDryRunOperation},
		{"dry run ignoring the ciphertext", ReEncryptInput{SourceKeyId: source.KeyId, DestinationKeyId: destination.KeyId, DryRun: true, DryRunModifiers: []DryRunModifier{IgnoreCiphertext}}, CodeDryRunOperation},
		{"asymmetric algorithm", ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: sourceEC, DestinationKeyId: destination.KeyId, DestinationEncryptionAlgorithm: "RSAES_OAEP_SHA_1"}, CodeInvalidKeyUsage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.api.ReEncrypt(f.ctx, &tc.in)
			wantCode(t, err, tc.code)
		})
	}
}

func TestDryRun(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	blob := f.encrypt(key.KeyId, []byte("x"), nil)
	cases := []struct {
		name string
		call func() error
	}{
		{"Encrypt", func() error {
			_, err := f.api.Encrypt(f.ctx, &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), DryRun: true})
			return err
		}},
		{"Decrypt", func() error {
			_, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: blob, DryRun: true})
			return err
		}},
		{"Decrypt ignoring the ciphertext", func() error {
			_, err := f.api.Decrypt(f.ctx, &DecryptInput{KeyId: key.KeyId, DryRun: true, DryRunModifiers: []DryRunModifier{IgnoreCiphertext}})
			return err
		}},
		{"GenerateDataKey", func() error {
			_, err := f.api.GenerateDataKey(f.ctx, &GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: DataKeyAES256, DryRun: true})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, CodeDryRunOperation)
			if message(err) != "The request would have succeeded, but the DryRun option is set." {
				t.Fatalf("message %q", message(err))
			}
		})
	}
	// A dry run that would fail reports the failure.
	_, err := f.api.DisableKey(f.ctx, &DisableKeyInput{KeyId: key.KeyId})
	f.must(err)
	_, err = f.api.Encrypt(f.ctx, &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), DryRun: true})
	wantCode(t, err, CodeDisabled)
}

func TestGenerateRandom(t *testing.T) {
	f := newFixture(t)
	a, err := f.api.GenerateRandom(f.ctx, &GenerateRandomInput{NumberOfBytes: i32(64)})
	f.must(err)
	b, err := f.api.GenerateRandom(f.ctx, &GenerateRandomInput{NumberOfBytes: i32(64)})
	f.must(err)
	if len(a.Plaintext) != 64 || bytes.Equal(a.Plaintext, b.Plaintext) {
		t.Fatalf("GenerateRandom gave %x then %x", a.Plaintext, b.Plaintext)
	}
	_, err = f.api.GenerateRandom(f.ctx, &GenerateRandomInput{NumberOfBytes: i32(8), CustomKeyStoreId: "cks-1234"})
	wantCode(t, err, CodeCustomKeyStoreNotFound)
}
