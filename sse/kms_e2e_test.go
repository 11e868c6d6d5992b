package sse

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/kms"
	"github.com/cofferlabs/coffer/policy"
	"github.com/cofferlabs/coffer/storage/mem"
)

// realKMSEnv is an env whose SSE-KMS goes to the real built-in KMS (over
// its own in-memory key store), auditing into auditor.
func realKMSEnv(t testing.TB, opts Options) (*env, *kms.KMS, *recordingAuditor) {
	t.Helper()
	auditor := &recordingAuditor{}
	clock := newFakeClock()
	k, err := kms.New(mem.New(), ramp(0x90, 32), kms.Options{Region: testRegion, AccountID: testAccount, Policy: policy.NewKeyPolicies(), Auditor: auditor, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	store := mem.New()
	ring := newTestKeyring(t, store)
	opts.Region, opts.AccountID, opts.Now, opts.KeyManager = testRegion, testAccount, clock.Now, k
	e := &env{t: t, ctx: callerContext(rootPrincipal), store: store, keys: store, ring: ring, clock: clock, svc: New(store, ring, opts)}
	if err := e.svc.CreateBucket(e.ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	return e, k, auditor
}

// TestRealKMS runs SSE-KMS end to end against package kms: keys named by
// id, alias and default, context, bucket keys, multipart, re-keying, the
// KMS's own errors, and its audit trail of the calls S3 made as the root.
func TestRealKMS(t *testing.T) {
	e, k, auditor := realKMSEnv(t, Options{})
	created, err := k.API().CreateKey(e.ctx, &kms.CreateKeyInput{Description: "sse test"})
	if err != nil {
		t.Fatal(err)
	}
	arn := created.KeyMetadata.Arn
	if _, err := k.API().CreateAlias(e.ctx, &kms.CreateAliasInput{AliasName: "alias/sse", TargetKeyId: created.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	put := func(key string, data []byte, req coffer.EncryptionRequest) coffer.ObjectInfo {
		t.Helper()
		info, err := e.svc.PutObject(e.ctx, testBucket, key, bytes.NewReader(data), coffer.PutOptions{Check: coffer.BodyCheck{Size: int64(len(data))}, Encryption: req})
		if err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
		return info
	}

	for _, keyID := range []string{created.KeyMetadata.KeyId, arn, "alias/sse"} {
		req := kmsRequestFor(keyID)
		req.KMSContext = map[string]string{"purpose": "test"}
		info := put("by-"+strings.ReplaceAll(keyID, "/", "_"), []byte(keyID), req)
		if info.Encryption.KMSKeyARN != arn {
			t.Fatalf("%s: ARN %s, want %s", keyID, info.Encryption.KMSKeyARN, arn)
		}
		if got := e.mustRead("by-" + strings.ReplaceAll(keyID, "/", "_")); string(got) != keyID {
			t.Fatalf("%s reads %q", keyID, got)
		}
	}
	managed := put("managed", []byte("aws/s3"), kmsRequestFor(""))
	if !strings.Contains(managed.Encryption.KMSKeyARN, ":key/") || managed.Encryption.KMSKeyARN == arn {
		t.Fatalf("default key %q", managed.Encryption.KMSKeyARN)
	}
	if string(e.mustRead("managed")) != "aws/s3" {
		t.Fatal("the aws/s3 object reads wrong")
	}

	ev := auditor.lastNamed("GenerateDataKey")
	if ev == nil || ev.Principal.ARN != rootPrincipal.ARN || ev.Request.ViaService != "s3.amazonaws.com" || ev.ErrorCode != "" {
		t.Fatalf("KMS audit event %+v", ev)
	}

	bucketKey := kmsRequestFor(arn)
	bucketKey.BucketKeyEnabled = boolPtr(true)
	generated := auditor.count("GenerateDataKey")
	for i := 0; i < 200; i++ {
		put(fmt.Sprintf("bk/%03d", i), []byte{byte(i)}, bucketKey)
	}
	if n := auditor.count("GenerateDataKey") - generated; n != 1 {
		t.Fatalf("200 bucket-key PUTs made %d GenerateDataKey calls", n)
	}
	if got := e.mustRead("bk/123"); !bytes.Equal(got, []byte{123}) {
		t.Fatalf("bucket-key object reads %x", got)
	}

	up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "mpu", coffer.UploadOptions{Encryption: kmsRequestFor("alias/sse")})
	if err != nil {
		t.Fatal(err)
	}
	part := patterned(1000, 2)
	p, err := e.svc.UploadPart(e.ctx, testBucket, "mpu", up.UploadID, 1, bytes.NewReader(part), coffer.PartOptions{Check: coffer.BodyCheck{Size: int64(len(part))}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "mpu", up.UploadID, coffer.CompleteOptions{Parts: []coffer.CompletePart{{Number: 1, ETag: p.ETag}}}); err != nil {
		t.Fatal(err)
	}
	mustEqualBytes(t, e.mustRead("mpu"), part)

	e.put("plain", []byte("was SSE-S3"))
	if _, err := e.svc.UpdateObjectEncryption(e.ctx, testBucket, "plain", kmsRequestFor(arn)); err != nil {
		t.Fatal(err)
	}
	if got := e.mustRead("plain"); string(got) != "was SSE-S3" {
		t.Fatalf("re-keyed object reads %q", got)
	}

	_, err = e.svc.PutObject(e.ctx, testBucket, "missing", bytes.NewReader(nil), coffer.PutOptions{Encryption: kmsRequestFor("alias/none")})
	checkKMSFailure(t, err, "NotFoundException", "")
	if _, err := k.API().DisableKey(e.ctx, &kms.DisableKeyInput{KeyId: arn}); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.read("by-alias_sse", coffer.GetOptions{})
	checkKMSFailure(t, err, "DisabledException", "")
	_, err = e.svc.PutObject(e.ctx, testBucket, "disabled", bytes.NewReader(nil), coffer.PutOptions{Encryption: kmsRequestFor(arn)})
	checkKMSFailure(t, err, "DisabledException", "")
	if _, err := k.API().EnableKey(e.ctx, &kms.EnableKeyInput{KeyId: arn}); err != nil {
		t.Fatal(err)
	}
	if got := e.mustRead("by-alias_sse"); string(got) != "alias/sse" {
		t.Fatalf("re-enabled key reads %q", got)
	}

	// A user the key policy does not name is refused by the KMS.
	eve := callerContext(coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/eve", UserName: "eve", UserID: "AIDAEVE"})
	_, _, err = e.svc.GetObject(eve, testBucket, "by-alias_sse", coffer.GetOptions{})
	checkKMSFailure(t, err, "AccessDeniedException", "")
}

func (a *recordingAuditor) lastNamed(name string) *coffer.AuditEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.events) - 1; i >= 0; i-- {
		if a.events[i].EventName == name {
			e := a.events[i]
			return &e
		}
	}
	return nil
}

func (a *recordingAuditor) count(name string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, e := range a.events {
		if e.EventName == name {
			n++
		}
	}
	return n
}

// BenchmarkRealKMSPut measures 4 KiB PUTs with the built-in KMS behind
// SSE-KMS (in process, in-memory key store), against SSE-S3 in the same
// run.
func BenchmarkRealKMSPut(b *testing.B) {
	data := patterned(4<<10, 1)
	for _, bc := range []struct {
		name      string
		kms       bool
		bucketKey bool
	}{{"SSE-S3", false, false}, {"SSE-KMS", true, false}, {"SSE-KMS+bucket-key", true, true}} {
		b.Run(bc.name, func(b *testing.B) {
			e, k, auditor := realKMSEnv(b, Options{})
			req := coffer.EncryptionRequest{}
			if bc.kms {
				created, err := k.API().CreateKey(e.ctx, &kms.CreateKeyInput{})
				if err != nil {
					b.Fatal(err)
				}
				req = kmsRequestFor(created.KeyMetadata.Arn)
				req.BucketKeyEnabled = boolPtr(bc.bucketKey)
			}
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := e.svc.PutObject(e.ctx, testBucket, "k", bytes.NewReader(data), coffer.PutOptions{Check: coffer.BodyCheck{Size: int64(len(data))}, Encryption: req}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(auditor.count("GenerateDataKey"))/float64(b.N), "kms-calls/op")
		})
	}
}
