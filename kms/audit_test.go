package kms

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cofferlabs/coffer"
)

func TestAuditEvents(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k"}
	ctx := coffer.WithRequestInfo(asPrincipal(rootPrincipal()), coffer.RequestInfo{RequestID: "req-1", SourceIP: "192.0.2.9", UserAgent: "test", SignatureVersion: 4, ViaService: "s3.amazonaws.com"})
	gdk, err := f.api.GenerateDataKey(ctx, &GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: DataKeyAES256, EncryptionContext: ec})
	f.must(err)
	e := f.audit.last()
	if e.EventSource != "kms.amazonaws.com" || e.EventName != "GenerateDataKey" || !e.ReadOnly || e.ErrorCode != "" ||
		e.Request.RequestID != "req-1" || e.Request.ViaService != "s3.amazonaws.com" || e.Principal.ARN != rootPrincipal().ARN || !e.Time.Equal(testEpoch) {
		t.Fatalf("event = %+v", e)
	}
	if len(e.Resources) != 1 || e.Resources[0] != (coffer.AuditResource{Type: "AWS::KMS::Key", ARN: key.Arn}) {
		t.Fatalf("resources = %+v", e.Resources)
	}
	if fmt.Sprint(e.Parameters) != fmt.Sprintf("map[encryptionContext:%v keyId:%s keySpec:AES_256]", ec, key.KeyId) {
		t.Fatalf("parameters = %v", e.Parameters)
	}
	// No secret reaches an event: neither the data key nor the blob.
	for _, ev := range f.audit.events {
		dump := []byte(fmt.Sprintf("%#v", ev))
		if bytes.Contains(dump, gdk.Plaintext) || bytes.Contains(dump, gdk.CiphertextBlob) {
			t.Fatalf("event %s carries key bytes", ev.EventName)
		}
	}

	_, err = f.api.Decrypt(ctx, &DecryptInput{CiphertextBlob: gdk.CiphertextBlob})
	wantCode(t, err, CodeInvalidCiphertext)
	e = f.audit.last()
	if e.EventName != "Decrypt" || e.ErrorCode != CodeInvalidCiphertext || e.ErrorMessage != "" || len(e.Resources) != 1 {
		t.Fatalf("failed Decrypt event = %+v", e)
	}
	_, err = f.api.DisableKey(ctx, &DisableKeyInput{})
	wantCode(t, err, CodeValidation)
	if e = f.audit.last(); e.EventName != "DisableKey" || e.ReadOnly || e.ErrorCode != CodeValidation {
		t.Fatalf("refused DisableKey event = %+v", e)
	}
	// Every call of every operation is recorded, once.
	before := len(f.audit.events)
	for _, op := range stateOps {
		_ = op.call(f, key.KeyId, key.KeyId, gdk.CiphertextBlob)
	}
	calls := len(stateOps) + 2 // ReEncrypt-to encrypts first; UpdateAlias creates its alias first
	if got := len(f.audit.events) - before; got != calls {
		t.Fatalf("%d events for %d calls", got, calls)
	}
}

func TestInternalFailureIsAuditedAsInternal(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	f.kms.random = bytes.NewReader(nil) // randomness fails
	_, err := f.api.Encrypt(f.ctx, &EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
	if err == nil || code(err) == CodeInternal {
		t.Fatalf("err = %v, want an internal (non-KMSError) failure", err)
	}
	if e := f.audit.last(); e.ErrorCode != CodeInternal || e.ErrorMessage != "internal error" {
		t.Fatalf("event = %+v", e)
	}
}
