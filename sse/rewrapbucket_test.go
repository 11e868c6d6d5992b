package sse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/mem"
)

// bucketRecords returns the object records of bucket by key.
func bucketRecords(e *env, bucket string) map[string]coffer.ObjectRecord {
	e.t.Helper()
	out := map[string]coffer.ObjectRecord{}
	err := e.svc.walkBucket(e.ctx, bucket, "", func(rec coffer.ObjectRecord) error {
		out[rec.Key] = rec
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// checkRekeyedOnly fails unless after differs from before in nothing but
// the encryption and sealed key: same data, ETag, checksums, dates, size,
// metadata and parts.
func checkRekeyedOnly(t testing.TB, key string, before, after coffer.ObjectRecord) {
	t.Helper()
	after.Encryption, after.SealedKey = before.Encryption, before.SealedKey
	if !reflect.DeepEqual(after, before) {
		t.Fatalf("%s changed more than its key:\nbefore %+v\nafter  %+v", key, before, after)
	}
}

// bucketCheckpoints lists the bucket rewrap checkpoints in the key store.
func bucketCheckpoints(e *env) []string {
	e.t.Helper()
	names, err := e.keys.ListKeys(e.ctx, bucketCheckpointPrefix)
	if err != nil {
		e.t.Fatal(err)
	}
	return names
}

// TestRewrapBucket re-keys a bucket holding SSE-S3 objects (single-part
// and multipart), an SSE-KMS object under another key with its own
// context, one already done and one under the key with the other
// bucket-key setting; a pending upload and another bucket stay as they
// are. Then a second run finds nothing to do and calls the KMS once.
func TestRewrapBucket(t *testing.T) {
	for _, bucketKey := range []bool{false, true} {
		t.Run(fmt.Sprintf("bucket key %v", bucketKey), func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, b backend) {
				auditor := &recordingAuditor{}
				e := newKMSEnv(t, b, Options{Auditor: auditor})
				target, other := e.kms.createKey(), e.kms.createKey()
				e.kms.alias("alias/target", target)
				bodies := map[string][]byte{}
				for i := range 5 {
					key := fmt.Sprintf("s3/%d", i)
					bodies[key] = patterned(1000*i+1, byte(i))
					_, err := e.svc.PutObject(e.ctx, testBucket, key, bytes.NewReader(bodies[key]), coffer.PutOptions{
						Check: coffer.BodyCheck{Size: int64(len(bodies[key])), Checksum: coffer.ChecksumCRC32C},
						Meta:  coffer.ObjectMeta{ContentType: "text/x-test", User: map[string]string{"n": fmt.Sprint(i)}},
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				part1 := patterned(coffer.MinPartSize, 9)
				e.multipartUpload("multi", coffer.UploadOptions{}, part1, []byte("tail"))
				bodies["multi"] = append(bytes.Clone(part1), "tail"...)
				withContext := kmsRequestFor(other)
				withContext.KMSContext = map[string]string{"case": "42"}
				put := func(key string, req coffer.EncryptionRequest) {
					bodies[key] = []byte("body of " + key)
					if _, err := e.putKMS(key, bodies[key], req); err != nil {
						t.Fatal(err)
					}
				}
				put("kms-other", withContext)
				done := kmsRequestFor(target)
				done.BucketKeyEnabled = boolPtr(bucketKey)
				put("done", done)
				otherSetting := kmsRequestFor(target)
				otherSetting.BucketKeyEnabled = boolPtr(!bucketKey)
				put("other-setting", otherSetting)
				up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "pending", coffer.UploadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				pendingBefore, _ := e.store.GetUpload(e.ctx, testBucket, "pending", up.UploadID)
				ensureSecondBucket(e.env)
				if _, err := e.svc.PutObject(e.ctx, secondBucket, "untouched", bytes.NewReader([]byte("x")), coffer.PutOptions{Check: coffer.BodyCheck{Size: 1}}); err != nil {
					t.Fatal(err)
				}
				secondBefore := bucketRecords(e.env, secondBucket)
				before := bucketRecords(e.env, testBucket)
				// Bucket keys the writes above cached expire, so the run's
				// own KMS calls show.
				e.clock.Advance(DefaultBucketKeyTTL + time.Second)

				firstCall := e.kms.count("")
				var log progressLog
				res, err := e.svc.RewrapBucket(e.ctx, BucketRewrap{Bucket: testBucket, KMSKeyID: "alias/target", BucketKey: bucketKey}, log.record)
				if err != nil {
					t.Fatal(err)
				}
				want := BucketRewrapResult{KeyARN: target, Rewrapped: 8, Current: 1}
				if res != want {
					t.Fatalf("result %+v, want %+v", res, want)
				}
				log.wantSteady(t, 9)
				// One ResolveKey; Decrypt for the two SSE-KMS sources; one
				// GenerateDataKey per object, or per context with a bucket key.
				wantCalls := map[string]int{"ResolveKey": 1, "Decrypt": 2, "GenerateDataKey": 8}
				if bucketKey {
					wantCalls["GenerateDataKey"] = 2
				}
				gotCalls := map[string]int{}
				e.kms.mu.Lock()
				for _, call := range e.kms.calls[firstCall:] {
					gotCalls[call.Op]++
					if call.Principal.ARN != rootPrincipal.ARN || call.Via != s3ServicePrincipal {
						t.Errorf("KMS call %+v not made as the caller via S3", call)
					}
				}
				e.kms.mu.Unlock()
				if !reflect.DeepEqual(gotCalls, wantCalls) {
					t.Fatalf("KMS calls %v, want %v", gotCalls, wantCalls)
				}
				if n := auditor.countNamed("UpdateObjectEncryption"); n != 8 {
					t.Fatalf("%d UpdateObjectEncryption events, want 8", n)
				}

				after := bucketRecords(e.env, testBucket)
				wantEnc := coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: target, BucketKeyEnabled: bucketKey}
				for key, rec := range after {
					if rec.Encryption != wantEnc {
						t.Fatalf("%s encrypted %+v, want %+v", key, rec.Encryption, wantEnc)
					}
					checkRekeyedOnly(t, key, before[key], rec)
					mustEqualBytes(t, e.mustRead(key), bodies[key])
				}
				if len(after) != 9 {
					t.Fatalf("%d objects after the run, want 9", len(after))
				}
				if md5Hex(bodies["s3/3"]) != after["s3/3"].ETag {
					t.Fatal("an object re-keyed from SSE-S3 keeps its MD5 ETag")
				}
				parsed, err := parseKMSSealed(after["kms-other"].SealedKey)
				if ctx, _ := decodeContext(parsed.context); err != nil || ctx["case"] != "42" {
					t.Fatalf("kms-other lost its encryption context: %v, %v", ctx, err)
				}
				pendingAfter, _ := e.store.GetUpload(e.ctx, testBucket, "pending", up.UploadID)
				if !reflect.DeepEqual(pendingAfter, pendingBefore) {
					t.Fatalf("the pending upload changed: %+v", pendingAfter)
				}
				if got := bucketRecords(e.env, secondBucket); !reflect.DeepEqual(got, secondBefore) {
					t.Fatalf("another bucket changed: %+v", got)
				}
				if names := bucketCheckpoints(e.env); len(names) != 0 {
					t.Fatalf("a finished run left checkpoints %v", names)
				}

				calls := e.kms.count("")
				var again progressLog
				res, err = e.svc.RewrapBucket(e.ctx, BucketRewrap{Bucket: testBucket, KMSKeyID: target, BucketKey: bucketKey}, again.record)
				if err != nil {
					t.Fatal(err)
				}
				if want := (BucketRewrapResult{KeyARN: target, Current: 9}); res != want {
					t.Fatalf("second run %+v, want %+v", res, want)
				}
				again.wantSteady(t, 9)
				if n := e.kms.count("") - calls; n != 1 {
					t.Fatalf("a run with nothing to do made %d KMS calls, want 1 (ResolveKey)", n)
				}
			})
		})
	}
}

func (a *recordingAuditor) countNamed(name string) int {
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

// hookStore runs test hooks before reads and updates of object records,
// to change objects at the worst moment, or to fail.
type hookStore struct {
	coffer.Store
	beforeGet    func(key string) error
	beforeUpdate func(rec coffer.ObjectRecord)
}

func (s *hookStore) GetObject(ctx context.Context, bucket, key string) (coffer.ObjectRecord, error) {
	if s.beforeGet != nil {
		if err := s.beforeGet(key); err != nil {
			return coffer.ObjectRecord{}, err
		}
	}
	return s.Store.GetObject(ctx, bucket, key)
}

func (s *hookStore) UpdateObject(ctx context.Context, rec coffer.ObjectRecord) error {
	if s.beforeUpdate != nil {
		s.beforeUpdate(rec)
	}
	return s.Store.UpdateObject(ctx, rec)
}

// newHookedKMSEnv is a kmsEnv over mem behind a hookStore.
func newHookedKMSEnv(t *testing.T) (*kmsEnv, *hookStore) {
	hooked := &hookStore{}
	e := newKMSEnv(t, backend{"hooked", func(testing.TB) (coffer.Store, coffer.KeyStore) {
		m := mem.New()
		hooked.Store = m
		return hooked, m
	}}, Options{})
	return e, hooked
}

func putObjects(e *env, n int) {
	e.t.Helper()
	for i := range n {
		e.put(fmt.Sprintf("obj/%04d", i), []byte(fmt.Sprintf("object %d", i)))
	}
}

// countUnder counts the objects of the test bucket under keyARN.
func countUnder(e *env, keyARN string) int {
	e.t.Helper()
	n := 0
	for _, rec := range bucketRecords(e, testBucket) {
		if rec.Encryption.KMSKeyARN == keyARN {
			n++
		}
	}
	return n
}

// TestRewrapBucketResumes stops a run midway, by cancellation or a store
// failure; it keeps a checkpoint, and the next run visits only the rest.
func TestRewrapBucketResumes(t *testing.T) {
	const objects, stopAfter = 250, 150
	stopKey := fmt.Sprintf("obj/%04d", stopAfter)
	storeDown := errors.New("store unavailable")
	tests := []struct {
		name    string
		stop    func(cancel context.CancelFunc, hooked *hookStore) func(done, total int)
		wantErr error
	}{
		{"cancelled", func(cancel context.CancelFunc, _ *hookStore) func(int, int) {
			return func(done, _ int) {
				if done == stopAfter {
					cancel()
				}
			}
		}, context.Canceled},
		{"store failure", func(_ context.CancelFunc, hooked *hookStore) func(int, int) {
			hooked.beforeGet = func(key string) error {
				if key == stopKey {
					return storeDown
				}
				return nil
			}
			return nil
		}, storeDown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, hooked := newHookedKMSEnv(t)
			target := e.kms.createKey()
			putObjects(e.env, objects)
			ctx, cancel := context.WithCancel(e.ctx)
			defer cancel()
			req := BucketRewrap{Bucket: testBucket, KMSKeyID: target}
			res, err := e.svc.RewrapBucket(ctx, req, tc.stop(cancel, hooked))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("interrupted run = %v, want %v", err, tc.wantErr)
			}
			if res.Rewrapped != stopAfter {
				t.Fatalf("interrupted run re-keyed %d, want %d", res.Rewrapped, stopAfter)
			}
			hooked.beforeGet = nil
			names := bucketCheckpoints(e.env)
			if len(names) != 1 {
				t.Fatalf("checkpoints %v, want one", names)
			}
			raw, _ := e.keys.GetKey(e.ctx, names[0])
			cp, err := decodeBucketCheckpoint(raw)
			want := bucketCheckpoint{Bucket: testBucket, KeyARN: target, LastKey: fmt.Sprintf("obj/%04d", stopAfter-1)}
			if err != nil || cp != want || names[0] != want.name() {
				t.Fatalf("checkpoint %s = %+v, %v; want %+v", names[0], cp, err, want)
			}
			if n := countUnder(e.env, target); n != stopAfter {
				t.Fatalf("%d objects under the key after the interrupted run, want %d", n, stopAfter)
			}

			generated := e.kms.count("GenerateDataKey")
			var log progressLog
			res, err = e.svc.RewrapBucket(e.ctx, req, log.record)
			if err != nil {
				t.Fatal(err)
			}
			log.wantSteady(t, objects-stopAfter)
			if res.Rewrapped != objects-stopAfter || res.Current != 0 {
				t.Fatalf("resumed run %+v: it must visit only the rest", res)
			}
			if n := e.kms.count("GenerateDataKey") - generated; n != objects-stopAfter {
				t.Fatalf("resumed run made %d GenerateDataKey calls, want %d", n, objects-stopAfter)
			}
			if n := countUnder(e.env, target); n != objects {
				t.Fatalf("%d objects under the key, want all %d", n, objects)
			}
			if names := bucketCheckpoints(e.env); len(names) != 0 {
				t.Fatalf("a finished run left checkpoints %v", names)
			}
		})
	}
}

// TestRewrapBucketIgnoresOtherCheckpoints: a checkpoint for the other
// bucket-key setting, or one that does not decode, makes a run start from
// the beginning.
func TestRewrapBucketIgnoresOtherCheckpoints(t *testing.T) {
	tests := []struct {
		name       string
		checkpoint func(target string) []byte
	}{
		{"the other bucket-key setting", func(target string) []byte {
			return encodeBucketCheckpoint(bucketCheckpoint{Bucket: testBucket, KeyARN: target, BucketKey: true, LastKey: "obj/0005"})
		}},
		{"unreadable", func(string) []byte { return []byte("not a checkpoint") }},
		{"an unknown version", func(target string) []byte {
			b := encodeBucketCheckpoint(bucketCheckpoint{Bucket: testBucket, KeyARN: target, LastKey: "obj/0005"})
			b[0] = 9
			return b
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newKMSEnv(t, backends[0], Options{})
			target := e.kms.createKey()
			putObjects(e.env, 8)
			name := bucketCheckpoint{Bucket: testBucket, KeyARN: target}.name()
			putKey(t, e.keys, name, tc.checkpoint(target))
			var log progressLog
			res, err := e.svc.RewrapBucket(e.ctx, BucketRewrap{Bucket: testBucket, KMSKeyID: target}, log.record)
			if err != nil {
				t.Fatal(err)
			}
			log.wantSteady(t, 8)
			if res.Rewrapped != 8 {
				t.Fatalf("result %+v, want all 8 re-keyed", res)
			}
			if names := bucketCheckpoints(e.env); len(names) != 0 {
				t.Fatalf("checkpoints %v left", names)
			}
		})
	}
}

// TestRewrapBucketSkipsConcurrentChanges: objects deleted or replaced
// between the listing and the re-key are left as their writers made them,
// and the run goes on.
func TestRewrapBucketSkipsConcurrentChanges(t *testing.T) {
	e, hooked := newHookedKMSEnv(t)
	target := e.kms.createKey()
	for _, key := range []string{"a", "deleted-before-read", "replaced", "deleted-before-update", "z"} {
		e.put(key, []byte("old "+key))
	}
	var once sync.Map
	firstTime := func(key string) bool { _, seen := once.LoadOrStore(key, true); return !seen }
	hooked.beforeGet = func(key string) error {
		if key == "deleted-before-read" && firstTime(key) {
			if err := hooked.Store.DeleteObject(e.ctx, testBucket, key); err != nil {
				t.Error(err)
			}
		}
		return nil
	}
	hooked.beforeUpdate = func(rec coffer.ObjectRecord) {
		switch {
		case rec.Key == "replaced" && firstTime(rec.Key):
			e.put(rec.Key, []byte("new replaced"))
		case rec.Key == "deleted-before-update" && firstTime(rec.Key):
			if err := hooked.Store.DeleteObject(e.ctx, testBucket, rec.Key); err != nil {
				t.Error(err)
			}
		}
	}
	var log progressLog
	res, err := e.svc.RewrapBucket(e.ctx, BucketRewrap{Bucket: testBucket, KMSKeyID: target}, log.record)
	if err != nil {
		t.Fatalf("run = %v, want concurrent changes skipped", err)
	}
	if want := (BucketRewrapResult{KeyARN: target, Rewrapped: 2, Changed: 3}); res != want {
		t.Fatalf("result %+v, want %+v", res, want)
	}
	log.wantSteady(t, 5)
	after := bucketRecords(e.env, testBucket)
	if len(after) != 3 || after["a"].Encryption.KMSKeyARN != target || after["z"].Encryption.KMSKeyARN != target {
		t.Fatalf("objects after the run: %+v", after)
	}
	if after["replaced"].Encryption.Type != coffer.SSES3 || string(e.mustRead("replaced")) != "new replaced" {
		t.Fatalf("the replacement was not left as its writer made it: %+v", after["replaced"].Encryption)
	}
}

// TestRewrapBucketRefuses: what is wrong with the request is found before
// the first progress report, before any object changes.
func TestRewrapBucketRefuses(t *testing.T) {
	tests := []struct {
		name    string
		caller  coffer.Principal
		keyID   func(e *kmsEnv, target string) string
		bucket  string
		check   func(t *testing.T, err error)
		wantKMS int // KMS calls made (the ResolveKey that failed)
	}{
		{name: "unknown bucket", bucket: "no-such-bucket", check: wantIs(coffer.ErrNoSuchBucket)},
		{name: "no key", keyID: func(*kmsEnv, string) string { return "" }, check: wantArgument("KMSKeyId")},
		{name: "key id too long", keyID: func(*kmsEnv, string) string { return string(make([]byte, maxKeyARNBytes+1)) }, check: wantArgument("KMSKeyId")},
		{name: "unknown alias", keyID: func(*kmsEnv, string) string { return "alias/none" }, check: wantKMS("NotFoundException"), wantKMS: 1},
		{name: "unknown key id", keyID: func(*kmsEnv, string) string { return "00000000-0000-4000-8000-000000000999" }, check: wantKMS("NotFoundException"), wantKMS: 1},
		{name: "disabled key", keyID: func(e *kmsEnv, target string) string { e.kms.setState(target, "Disabled"); return target },
			check: wantKMS("DisabledException"), wantKMS: 1},
		{name: "key pending deletion", keyID: func(e *kmsEnv, target string) string { e.kms.setState(target, "PendingDeletion"); return target },
			check: wantKMS("KMSInvalidStateException"), wantKMS: 1},
		{name: "caller the key policy denies", keyID: func(e *kmsEnv, target string) string {
			e.kms.allowOnly(target, "arn:aws:iam::"+testAccount+":user/alice")
			return target
		}, check: wantKMS("AccessDeniedException"), wantKMS: 1},
		{name: "anonymous caller", caller: coffer.Principal{Anonymous: true}, check: wantArgument("Authorization")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newKMSEnv(t, backends[0], Options{})
			target := e.kms.createKey()
			putObjects(e.env, 3)
			before := bucketRecords(e.env, testBucket)
			req := BucketRewrap{Bucket: testBucket, KMSKeyID: target}
			if tc.keyID != nil {
				req.KMSKeyID = tc.keyID(e, target)
			}
			if tc.bucket != "" {
				req.Bucket = tc.bucket
			}
			ctx := e.ctx
			if tc.caller.Anonymous {
				ctx = callerContext(tc.caller)
			}
			calls := e.kms.count("")
			reported := false
			_, err := e.svc.RewrapBucket(ctx, req, func(int, int) { reported = true })
			tc.check(t, err)
			if reported {
				t.Fatal("progress was reported for a refused request")
			}
			if n := e.kms.count("") - calls; n != tc.wantKMS {
				t.Fatalf("%d KMS calls, want %d", n, tc.wantKMS)
			}
			if after := bucketRecords(e.env, testBucket); !reflect.DeepEqual(after, before) {
				t.Fatal("a refused request changed objects")
			}
			if names := bucketCheckpoints(e.env); len(names) != 0 {
				t.Fatalf("a refused request left checkpoints %v", names)
			}
		})
	}
	t.Run("no KMS", func(t *testing.T) {
		e := newEnv(t, backends[0])
		_, err := e.svc.RewrapBucket(e.ctx, BucketRewrap{Bucket: testBucket, KMSKeyID: "alias/any"}, nil)
		wantIs(coffer.ErrNotImplemented)(t, err)
	})
}

func wantIs(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Fatalf("err = %v, want %v", err, target)
		}
	}
}

func wantKMS(code string) func(*testing.T, error) {
	return func(t *testing.T, err error) { t.Helper(); checkKMSFailure(t, err, code, "") }
}

func wantArgument(name string) func(*testing.T, error) {
	return func(t *testing.T, err error) { t.Helper(); checkKMSFailure(t, err, "", name) }
}

// TestRewrapBucketStopsWhenTheTargetKeyFails: the key disabled midway
// stops the run with the KMS's error, keeping its checkpoint; once the key
// is enabled again the next run finishes the rest.
func TestRewrapBucketStopsWhenTheTargetKeyFails(t *testing.T) {
	const objects, disableAfter = 10, 4
	auditor := &recordingAuditor{}
	e := newKMSEnv(t, backends[0], Options{Auditor: auditor})
	target := e.kms.createKey()
	putObjects(e.env, objects)
	req := BucketRewrap{Bucket: testBucket, KMSKeyID: target}
	res, err := e.svc.RewrapBucket(e.ctx, req, func(done, _ int) {
		if done == disableAfter {
			e.kms.setState(target, "Disabled")
		}
	})
	checkKMSFailure(t, err, "DisabledException", "")
	if res.Rewrapped != disableAfter {
		t.Fatalf("result %+v, want %d re-keyed", res, disableAfter)
	}
	if ev := auditor.last(); ev.EventName != "UpdateObjectEncryption" || ev.ErrorCode != "KMS.DisabledException" {
		t.Fatalf("last audit event %+v", ev)
	}
	if names := bucketCheckpoints(e.env); len(names) != 1 {
		t.Fatalf("checkpoints %v, want one", names)
	}
	e.kms.setState(target, "Enabled")
	var log progressLog
	if res, err = e.svc.RewrapBucket(e.ctx, req, log.record); err != nil {
		t.Fatal(err)
	}
	log.wantSteady(t, objects-disableAfter)
	if countUnder(e.env, target) != objects || res.Rewrapped != objects-disableAfter {
		t.Fatalf("after resuming: %+v", res)
	}
}

// TestRewrapBucketPassesOverObjectsThatDoNotOpen: an object whose sealed
// key is damaged, or whose own KMS key is disabled, is counted as failed
// and the others are re-keyed; the walk ends, so a rerun retries them.
func TestRewrapBucketPassesOverObjectsThatDoNotOpen(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	target, source := e.kms.createKey(), e.kms.createKey()
	putObjects(e.env, 4)
	e.put("broken", []byte("damaged record"))
	broken := e.record("broken")
	broken.SealedKey = bytes.Clone(broken.SealedKey)
	broken.SealedKey[len(broken.SealedKey)-1] ^= 1
	mustUpdate(e.env, broken)
	if _, err := e.putKMS("under-disabled", []byte("x"), kmsRequestFor(source)); err != nil {
		t.Fatal(err)
	}
	e.kms.setState(source, "Disabled")
	req := BucketRewrap{Bucket: testBucket, KMSKeyID: target}
	var log progressLog
	res, err := e.svc.RewrapBucket(e.ctx, req, log.record)
	if err != nil {
		t.Fatalf("run = %v, want objects that do not open passed over", err)
	}
	want := BucketRewrapResult{KeyARN: target, Rewrapped: 4, Failed: 2, FailedKey: "broken", FailedCode: "SealedKeyInvalid",
		FailedMessage: "the object's sealed data key does not open: its record is damaged"}
	if res != want {
		t.Fatalf("result %+v\nwant   %+v", res, want)
	}
	log.wantSteady(t, 6)
	if names := bucketCheckpoints(e.env); len(names) != 0 {
		t.Fatalf("checkpoints %v left: a rerun must retry the failures", names)
	}
	e.kms.setState(source, "Enabled")
	res, err = e.svc.RewrapBucket(e.ctx, req, nil)
	if err != nil || res.Rewrapped != 1 || res.Current != 4 || res.Failed != 1 {
		t.Fatalf("rerun = %+v, %v; want the re-enabled key's object re-keyed", res, err)
	}
	if got := e.mustRead("under-disabled"); string(got) != "x" {
		t.Fatalf("re-keyed object reads %q", got)
	}
}

// throttlingKMS answers ThrottlingException to its first `left`
// GenerateDataKey calls.
type throttlingKMS struct {
	coffer.KeyManager
	mu        sync.Mutex
	left      int
	throttled int
}

func (k *throttlingKMS) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) ([]byte, []byte, string, error) {
	k.mu.Lock()
	if k.left > 0 {
		k.left--
		k.throttled++
		k.mu.Unlock()
		return nil, nil, "", &coffer.KMSError{Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	k.mu.Unlock()
	return k.KeyManager.GenerateDataKey(ctx, keyID, ec)
}

// TestRewrapBucketWaitsOutThrottling: a throttled object is retried, not
// failed, and audited once.
func TestRewrapBucketWaitsOutThrottling(t *testing.T) {
	store := mem.New()
	km := newTestKMS()
	throttling := &throttlingKMS{KeyManager: km, left: 3}
	auditor := &recordingAuditor{}
	ring := newTestKeyring(t, store)
	e := &env{t: t, ctx: callerContext(rootPrincipal), store: store, keys: store, ring: ring, clock: newFakeClock(),
		svc: New(store, ring, Options{Region: testRegion, AccountID: testAccount, KeyManager: throttling, Auditor: auditor})}
	if err := e.svc.CreateBucket(e.ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	target := km.createKey()
	putObjects(e, 5)
	res, err := e.svc.RewrapBucket(e.ctx, BucketRewrap{Bucket: testBucket, KMSKeyID: target}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rewrapped != 5 || res.Failed != 0 || throttling.throttled != 3 {
		t.Fatalf("result %+v after %d throttled calls", res, throttling.throttled)
	}
	if n := auditor.countNamed("UpdateObjectEncryption"); n != 5 {
		t.Fatalf("%d audit events, want one per object", n)
	}
}

// TestRewrapBucketCountsTheUpdateThatLandsAsItIsCancelled: a cancel that
// comes while an object's new record is being stored still counts and
// audits that object, and the checkpoint covers it, so no re-key goes
// unrecorded and the next run starts after it.
func TestRewrapBucketCountsTheUpdateThatLandsAsItIsCancelled(t *testing.T) {
	const objects = 8
	auditor := &recordingAuditor{}
	hooked := &hookStore{}
	e := newKMSEnv(t, backend{"hooked", func(testing.TB) (coffer.Store, coffer.KeyStore) {
		m := mem.New()
		hooked.Store = m
		return hooked, m
	}}, Options{Auditor: auditor})
	target := e.kms.createKey()
	putObjects(e.env, objects)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	hooked.beforeUpdate = func(rec coffer.ObjectRecord) {
		if rec.Key == "obj/0003" {
			cancel() // mem stores the record all the same
		}
	}
	req := BucketRewrap{Bucket: testBucket, KMSKeyID: target}
	res, err := e.svc.RewrapBucket(ctx, req, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run = %v, want context.Canceled", err)
	}
	if res.Rewrapped != 4 || countUnder(e.env, target) != 4 || auditor.countNamed("UpdateObjectEncryption") != 4 {
		t.Fatalf("result %+v, %d under the key, %d audited: all must be 4", res, countUnder(e.env, target), auditor.countNamed("UpdateObjectEncryption"))
	}
	hooked.beforeUpdate = nil
	var log progressLog
	if res, err = e.svc.RewrapBucket(e.ctx, req, log.record); err != nil {
		t.Fatal(err)
	}
	log.wantSteady(t, objects-4)
	if res.Rewrapped != objects-4 || res.Current != 0 {
		t.Fatalf("resumed run %+v", res)
	}
}
