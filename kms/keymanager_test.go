package kms

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestKeyManager(t *testing.T) {
	f := newFixture(t)
	alice := viaS3(userPrincipal("alice"))
	managedARN, err := f.kms.ResolveKey(alice, "")
	f.must(err)
	if !strings.HasPrefix(managedARN, "arn:aws:kms:us-east-1:111122223333:key/") {
		t.Fatalf("ResolveKey(\"\") = %s", managedARN)
	}
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/object"}
	plaintext, blob, arn, err := f.kms.GenerateDataKey(alice, "", ec)
	f.must(err)
	if len(plaintext) != 32 || arn != managedARN {
		t.Fatalf("GenerateDataKey gave %d bytes under %s", len(plaintext), arn)
	}
	got, arn, err := f.kms.Decrypt(alice, blob, ec)
	f.must(err)
	if !bytes.Equal(got, plaintext) || arn != managedARN {
		t.Fatal("Decrypt does not return the data key")
	}
	_, _, err = f.kms.Decrypt(alice, blob, map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/other"})
	wantCode(t, err, CodeInvalidCiphertext)

	key := f.newKey()
	_, err = f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/s3", TargetKeyId: key.KeyId})
	f.must(err)
	for _, id := range []string{key.KeyId, key.Arn, "alias/s3", "arn:aws:kms:us-east-1:111122223333:alias/s3"} {
		got, err := f.kms.ResolveKey(f.ctx, id)
		f.must(err)
		if got != key.Arn {
			t.Fatalf("ResolveKey(%s) = %s", id, got)
		}
	}
	_, err = f.kms.ResolveKey(f.ctx, "alias/none")
	wantCode(t, err, CodeNotFound)
	_, err = f.api.DisableKey(f.ctx, &DisableKeyInput{KeyId: key.KeyId})
	f.must(err)
	_, err = f.kms.ResolveKey(f.ctx, key.KeyId)
	wantCode(t, err, CodeDisabled)
	_, _, _, err = f.kms.GenerateDataKey(f.ctx, key.KeyId, ec)
	wantCode(t, err, CodeDisabled)
	_, err = f.api.ScheduleKeyDeletion(f.ctx, &ScheduleKeyDeletionInput{KeyId: key.KeyId})
	f.must(err)
	_, err = f.kms.ResolveKey(f.ctx, key.KeyId)
	wantCode(t, err, CodeInvalidState)
	// Each wrapper call is one audited operation.
	if n := len(f.audit.named("GenerateDataKey")); n != 2 {
		t.Fatalf("%d GenerateDataKey events, want 2", n)
	}
}

// TestConcurrentUse runs cryptographic operations while keys rotate and
// change; run with -race.
func TestConcurrentUse(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				ec := map[string]string{"worker": string(rune('a' + w))}
				out, err := f.api.Encrypt(f.ctx, &EncryptInput{KeyId: key.KeyId, Plaintext: []byte{byte(i)}, EncryptionContext: ec})
				if err != nil {
					errs <- err
					return
				}
				dec, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ec})
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(dec.Plaintext, []byte{byte(i)}) {
					errs <- fmt.Errorf("decrypted %x, want %x", dec.Plaintext, i)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			if _, err := f.api.RotateKeyOnDemand(f.ctx, &RotateKeyOnDemandInput{KeyId: key.KeyId}); err != nil {
				errs <- err
				return
			}
			if _, err := f.api.TagResource(f.ctx, &TagResourceInput{KeyId: key.KeyId, Tags: []Tag{{TagKey: "t", TagValue: "v"}}}); err != nil {
				errs <- err
				return
			}
			f.newKey()
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
