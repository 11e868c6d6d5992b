package sse

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/cofferlabs/coffer"
)

// recordingAuditor keeps the events it is given.
type recordingAuditor struct {
	mu     sync.Mutex
	events []coffer.AuditEvent
}

func (a *recordingAuditor) Record(_ context.Context, e coffer.AuditEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
}

func (a *recordingAuditor) last() coffer.AuditEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.events[len(a.events)-1]
}

// TestUpdateObjectEncryption re-keys objects without touching their data:
// SSE-S3 to SSE-KMS, to another KMS key, onto a bucket key, single-part
// and multipart; ETag, checksum, size, metadata and dates stay.
func TestUpdateObjectEncryption(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		auditor := &recordingAuditor{}
		e := newKMSEnv(t, b, Options{Auditor: auditor})
		first, second := e.kms.createKey(), e.kms.createKey()
		data := patterned(150_000, 4)
		_, err := e.svc.PutObject(e.ctx, testBucket, "single", bytes.NewReader(data), coffer.PutOptions{
			Check: coffer.BodyCheck{Size: int64(len(data)), Checksum: coffer.ChecksumCRC32C},
			Meta:  coffer.ObjectMeta{ContentType: "text/plain", User: map[string]string{"a": "b"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		part1 := patterned(coffer.MinPartSize, 6)
		e.multipartUpload("multi", coffer.UploadOptions{}, part1, []byte("tail"))
		e.clock.Advance(3600e9)

		steps := []struct {
			name      string
			keyARN    string
			bucketKey bool
			// calls are the KMS calls each object's step makes: open the
			// old key (none for SSE-S3), seal the new one. "multi" comes
			// second and finds the bucket key "single" generated (to seal)
			// and opened (to re-key off it) in the cache.
			calls map[string]int
		}{
			{"SSE-S3 to SSE-KMS", first, false, map[string]int{"single": 1, "multi": 1}},
			{"to another KMS key", second, false, map[string]int{"single": 2, "multi": 2}},
			{"onto a bucket key", second, true, map[string]int{"single": 2, "multi": 1}},
			{"back off the bucket key", first, false, map[string]int{"single": 2, "multi": 1}},
		}
		for _, key := range []string{"single", "multi"} {
			before := e.record(key)
			for _, step := range steps {
				calls := e.kms.count("")
				info, err := e.svc.UpdateObjectEncryption(e.ctx, testBucket, key, coffer.EncryptionRequest{
					Type: coffer.SSEKMS, KMSKeyID: step.keyARN, BucketKeyEnabled: &step.bucketKey,
				})
				if err != nil {
					t.Fatalf("%s %s: %v", key, step.name, err)
				}
				want := coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: step.keyARN, BucketKeyEnabled: step.bucketKey}
				if info.Encryption != want {
					t.Fatalf("%s %s: %+v, want %+v", key, step.name, info.Encryption, want)
				}
				wantCalls := step.calls["single"]
				if key == "multi" {
					wantCalls = step.calls["multi"]
				}
				if n := e.kms.count("") - calls; n != wantCalls {
					t.Fatalf("%s %s: %d KMS calls, want %d", key, step.name, n, wantCalls)
				}
				after := e.record(key)
				if after.DataID != before.DataID || after.ETag != before.ETag || after.Checksum != before.Checksum ||
					!after.Modified.Equal(before.Modified) || after.Size != before.Size || after.Meta.ContentType != before.Meta.ContentType {
					t.Fatalf("%s %s changed more than the key:\nbefore %+v\nafter  %+v", key, step.name, before, after)
				}
				if ev := auditor.last(); ev.EventName != "UpdateObjectEncryption" || ev.ErrorCode != "" || len(ev.Resources) != 2 || ev.Resources[1].ARN != step.keyARN {
					t.Fatalf("audit event %+v", ev)
				}
			}
		}
		mustEqualBytes(t, e.mustRead("single"), data)
		mustEqualBytes(t, e.mustRead("multi"), append(bytes.Clone(part1), "tail"...))
		if e.record("single").ETag != md5Hex(data) {
			t.Fatal("an object re-keyed from SSE-S3 keeps its MD5 ETag")
		}
	})
}

// TestUpdateObjectEncryptionKeepsContext: an SSE-KMS object keeps its own
// encryption context when re-keyed, since its GETs replay it.
func TestUpdateObjectEncryptionKeepsContext(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	first, second := e.kms.createKey(), e.kms.createKey()
	req := kmsRequestFor(first)
	req.KMSContext = map[string]string{"case": "42"}
	if _, err := e.putKMS("k", []byte("v"), req); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UpdateObjectEncryption(e.ctx, testBucket, "k", kmsRequestFor(second)); err != nil {
		t.Fatal(err)
	}
	if call := e.kms.lastCall(); call.Op != "GenerateDataKey" || call.Context["case"] != "42" || call.KeyARN != second {
		t.Fatalf("re-key call %+v", call)
	}
	if got := string(e.mustRead("k")); got != "v" {
		t.Fatalf("read %q", got)
	}
}

func TestUpdateObjectEncryptionErrors(t *testing.T) {
	auditor := &recordingAuditor{}
	e := newKMSEnv(t, backends[0], Options{Auditor: auditor})
	arn := e.kms.createKey()
	e.put("obj", []byte("data"))
	foreign := "arn:aws:kms:" + testRegion + ":999999999999:key/00000000-0000-4000-8000-000000000001"
	missing := "arn:aws:kms:" + testRegion + ":" + testAccount + ":key/00000000-0000-4000-8000-000000000999"
	cases := []struct {
		name    string
		key     string
		req     coffer.EncryptionRequest
		want    error  // a sentinel, or nil for an argument or KMS error
		code    string // argument error code or KMS code
		kmsCode bool
	}{
		{"to SSE-S3", "obj", coffer.EncryptionRequest{Type: coffer.SSES3}, nil, "InvalidRequest", false},
		{"to SSE-C", "obj", coffer.EncryptionRequest{Type: coffer.SSEC}, nil, "InvalidRequest", false},
		{"no key", "obj", kmsRequestFor(""), nil, "InvalidRequest", false},
		{"alias instead of ARN", "obj", kmsRequestFor("alias/x"), nil, "InvalidRequest", false},
		{"key id instead of ARN", "obj", kmsRequestFor(arn[len(arn)-36:]), nil, "InvalidRequest", false},
		{"another account's key", "obj", kmsRequestFor(foreign), nil, "AccessDenied", false},
		{"missing key", "obj", kmsRequestFor(missing), nil, "NotFoundException", true},
		{"missing object", "nope", kmsRequestFor(arn), coffer.ErrNoSuchKey, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.record("obj")
			_, err := e.svc.UpdateObjectEncryption(e.ctx, testBucket, tc.key, tc.req)
			var arg *coffer.ArgumentError
			var kmsErr *coffer.KMSError
			switch {
			case tc.want != nil:
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
			case tc.kmsCode:
				if !errors.As(err, &kmsErr) || kmsErr.Code != tc.code {
					t.Fatalf("err = %v, want KMS %s", err, tc.code)
				}
			case !errors.As(err, &arg) || arg.Code != tc.code:
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if after := e.record("obj"); !bytes.Equal(after.SealedKey, before.SealedKey) || after.Encryption != before.Encryption {
				t.Fatal("a failed update changed the object")
			}
			if ev := auditor.last(); ev.ErrorCode == "" {
				t.Fatalf("failure not audited: %+v", ev)
			}
		})
	}
	if _, err := e.svc.UpdateObjectEncryption(e.ctx, "nobucket", "obj", kmsRequestFor(arn)); !errors.Is(err, coffer.ErrNoSuchBucket) {
		t.Fatalf("missing bucket: %v", err)
	}
}

// TestRewrapLeavesKMSObjectsAlone: rotating the master key re-seals SSE-S3
// keys only; SSE-KMS keys belong to the KMS, and no KMS call is made.
func TestRewrapLeavesKMSObjectsAlone(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	if _, err := e.putKMS("kms", []byte("k"), kmsRequestFor(e.kms.createKey())); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "pending", coffer.UploadOptions{Encryption: kmsRequestFor("")}); err != nil {
		t.Fatal(err)
	}
	e.put("s3", []byte("s"))
	sealed := e.record("kms").SealedKey
	if _, err := e.ring.Rotate(e.ctx); err != nil {
		t.Fatal(err)
	}
	calls := e.kms.count("")
	if err := e.svc.Rewrap(e.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.record("kms").SealedKey, sealed) || e.kms.count("") != calls {
		t.Fatal("rewrap touched an SSE-KMS key")
	}
	if !e.svc.masterSealer.isCurrent(e.record("s3").SealedKey) {
		t.Fatal("rewrap skipped an SSE-S3 key")
	}
	if string(e.mustRead("kms")) != "k" {
		t.Fatal("SSE-KMS object unreadable after rewrap")
	}
}
