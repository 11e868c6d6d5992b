package sse

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/kms"
)

// TestRewrapBucketWithTheRealKMS re-keys a bucket through package kms:
// the key named by alias ARN, then by key id onto a bucket key; the KMS
// authorizes and audits every call as the root caller via S3, resolves
// the key once per run, and refuses unknown and disabled keys up front.
func TestRewrapBucketWithTheRealKMS(t *testing.T) {
	e, k, auditor := realKMSEnv(t, Options{})
	created, err := k.API().CreateKey(e.ctx, &kms.CreateKeyInput{Description: "bulk re-key"})
	if err != nil {
		t.Fatal(err)
	}
	arn, keyID := created.KeyMetadata.Arn, created.KeyMetadata.KeyId
	if _, err := k.API().CreateAlias(e.ctx, &kms.CreateAliasInput{AliasName: "alias/bulk", TargetKeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	const objects = 20
	bodies := map[string][]byte{}
	for i := range objects {
		key := fmt.Sprintf("obj/%02d", i)
		bodies[key] = patterned(100*i+1, byte(i))
		e.put(key, bodies[key])
	}
	e.multipartUpload("multi", coffer.UploadOptions{}, []byte("one small last part"))
	bodies["multi"] = []byte("one small last part")
	before := bucketRecords(e, testBucket)

	steps := []struct {
		name              string
		keyID             string
		bucketKey         bool
		describe, decrypt int
		generate          int
	}{
		{"SSE-S3 to the key by alias ARN", "arn:aws:kms:" + testRegion + ":" + testAccount + ":alias/bulk", false, 1, 0, objects + 1},
		{"onto a bucket key by key id", keyID, true, 1, objects + 1, 1},
	}
	for _, step := range steps {
		describe, decrypt, generate := auditor.count("DescribeKey"), auditor.count("Decrypt"), auditor.count("GenerateDataKey")
		res, err := e.svc.RewrapBucket(e.ctx, BucketRewrap{Bucket: testBucket, KMSKeyID: step.keyID, BucketKey: step.bucketKey}, nil)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if want := (BucketRewrapResult{KeyARN: arn, Rewrapped: objects + 1}); res != want {
			t.Fatalf("%s: %+v, want %+v", step.name, res, want)
		}
		got := [3]int{auditor.count("DescribeKey") - describe, auditor.count("Decrypt") - decrypt, auditor.count("GenerateDataKey") - generate}
		if want := [3]int{step.describe, step.decrypt, step.generate}; got != want {
			t.Fatalf("%s: KMS events (DescribeKey, Decrypt, GenerateDataKey) %v, want %v", step.name, got, want)
		}
		for _, name := range []string{"DescribeKey", "GenerateDataKey"} {
			ev := auditor.lastNamed(name)
			if ev.Principal.ARN != rootPrincipal.ARN || ev.Request.ViaService != s3ServicePrincipal || ev.Request.SourceIP != "127.0.0.1" || ev.ErrorCode != "" {
				t.Fatalf("%s: %s event %+v", step.name, name, ev)
			}
		}
		for key, rec := range bucketRecords(e, testBucket) {
			if rec.Encryption != (coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: arn, BucketKeyEnabled: step.bucketKey}) {
				t.Fatalf("%s: %s encrypted %+v", step.name, key, rec.Encryption)
			}
			checkRekeyedOnly(t, key, before[key], rec)
		}
	}
	for key, want := range bodies {
		if got := e.mustRead(key); !bytes.Equal(got, want) {
			t.Fatalf("%s reads wrong after re-keying", key)
		}
	}

	_, err = e.svc.RewrapBucket(e.ctx, BucketRewrap{Bucket: testBucket, KMSKeyID: "alias/none"}, nil)
	checkKMSFailure(t, err, "NotFoundException", "")
	if _, err := k.API().DisableKey(e.ctx, &kms.DisableKeyInput{KeyId: arn}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.RewrapBucket(e.ctx, BucketRewrap{Bucket: testBucket, KMSKeyID: "alias/bulk"}, nil)
	checkKMSFailure(t, err, "DisabledException", "")
}

// BenchmarkRewrapBucket re-keys 1,000 objects per iteration between two
// keys of the built-in KMS (in process, in-memory stores), with and
// without a bucket key, and reports objects re-keyed per second.
func BenchmarkRewrapBucket(b *testing.B) {
	const objects = 1000
	for _, bucketKey := range []bool{false, true} {
		b.Run(fmt.Sprintf("bucket-key=%v", bucketKey), func(b *testing.B) {
			e, k, _ := realKMSEnv(b, Options{})
			var keys [2]string
			for i := range keys {
				created, err := k.API().CreateKey(e.ctx, &kms.CreateKeyInput{})
				if err != nil {
					b.Fatal(err)
				}
				keys[i] = created.KeyMetadata.Arn
			}
			for i := range objects {
				e.put(fmt.Sprintf("obj/%04d", i), patterned(4<<10, byte(i)))
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := e.svc.RewrapBucket(e.ctx, BucketRewrap{Bucket: testBucket, KMSKeyID: keys[i%2], BucketKey: bucketKey}, nil)
				if err != nil || res.Rewrapped != objects {
					b.Fatalf("run %d: %+v, %v", i, res, err)
				}
			}
			b.ReportMetric(float64(b.N*objects)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}
