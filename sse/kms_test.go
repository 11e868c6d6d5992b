package sse

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"regexp"
	"testing"

	"github.com/cofferlabs/coffer"
)

var hexETag = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TestKMSRoundTrip writes and reads SSE-KMS objects with every way of
// naming a key, and checks what the KMS saw: one GenerateDataKey per PUT
// and one Decrypt per GET, made via S3 as the caller, with the object's
// ARN merged into the caller's context; nothing for HEAD or LIST.
func TestKMSRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newKMSEnv(t, b, Options{})
		arn := e.kms.createKey()
		e.kms.alias("alias/photos", arn)
		id := arn[len(arn)-36:]
		cases := []struct {
			name    string
			keyID   string
			context map[string]string
		}{
			{"key id", id, nil},
			{"key ARN", arn, nil},
			{"alias", "alias/photos", nil},
			{"alias ARN", "arn:aws:kms:" + testRegion + ":" + testAccount + ":alias/photos", nil},
			{"default aws/s3 key", "", nil},
			{"with context", arn, map[string]string{"department": "finance", "project": "coffer"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				data := patterned(100_000, 3)
				before := e.kms.count("")
				req := kmsRequestFor(tc.keyID)
				req.KMSContext = tc.context
				info, err := e.putKMS("obj", data, req)
				if err != nil {
					t.Fatal(err)
				}
				wantARN := arn
				if tc.keyID == "" {
					wantARN = e.kms.aliases["alias/aws/s3"]
				}
				if info.Encryption != (coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: wantARN}) {
					t.Fatalf("encryption %+v, want aws:kms under %s", info.Encryption, wantARN)
				}
				if !hexETag.MatchString(info.ETag) || info.ETag == md5Hex(data) {
					t.Fatalf("ETag %q must be 32 hex digits and not the MD5 (spec §3.9)", info.ETag)
				}
				wantEC := kmsContext(tc.context, "arn:aws:s3:::"+testBucket+"/obj")
				call := e.kms.lastCall()
				if e.kms.count("") != before+1 || call.Op != "GenerateDataKey" || !maps.Equal(call.Context, wantEC) ||
					call.Via != "s3.amazonaws.com" || call.Principal.ARN != rootPrincipal.ARN {
					t.Fatalf("PUT: %d KMS calls, last %+v; want one GenerateDataKey via S3 as root with %v", e.kms.count("")-before, call, wantEC)
				}

				if _, err := e.svc.HeadObject(e.ctx, testBucket, "obj", coffer.GetOptions{}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.svc.ListObjects(e.ctx, testBucket, coffer.ListQuery{}); err != nil {
					t.Fatal(err)
				}
				if n := e.kms.count("") - before; n != 1 {
					t.Fatalf("HEAD and LIST called the KMS: %d calls", n-1)
				}

				got, r, err := e.read("obj", coffer.GetOptions{Range: &coffer.Range{Start: 70_000, End: 99_999}})
				if err != nil {
					t.Fatal(err)
				}
				mustEqualBytes(t, got, data[70_000:])
				if r.Offset != 70_000 {
					t.Fatalf("offset %d", r.Offset)
				}
				call = e.kms.lastCall()
				if e.kms.count("") != before+2 || call.Op != "Decrypt" || !maps.Equal(call.Context, wantEC) || call.Via != "s3.amazonaws.com" {
					t.Fatalf("GET: last call %+v; want one Decrypt with %v", call, wantEC)
				}
				head, _ := e.svc.HeadObject(e.ctx, testBucket, "obj", coffer.GetOptions{})
				if head.ETag != info.ETag || head.Encryption != info.Encryption {
					t.Fatalf("HEAD reports %+v %s, PUT reported %+v %s", head.Encryption, head.ETag, info.Encryption, info.ETag)
				}
			})
		}
	})
}

// TestKMSEmptyObject: an empty SSE-KMS object still has an authenticated
// (empty) stream and a stable, non-MD5 ETag.
func TestKMSEmptyObject(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	info, err := e.putKMS("empty", nil, kmsRequestFor(""))
	if err != nil {
		t.Fatal(err)
	}
	if info.ETag == md5Hex(nil) || len(e.mustRead("empty")) != 0 {
		t.Fatalf("ETag %s", info.ETag)
	}
}

// TestKMSErrors: KMS failures reach the caller as the KMS's own error and
// leave nothing written; a broken record is the server's problem.
func TestKMSErrors(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	arn := e.kms.createKey()
	disabled := e.kms.createKey()
	pending := e.kms.createKey()
	e.kms.setState(disabled, "Disabled")
	e.kms.setState(pending, "PendingDeletion")
	other := coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/eve", UserName: "eve"}
	restricted := e.kms.createKey()
	e.kms.allowOnly(restricted, rootPrincipal.ARN)

	cases := []struct {
		name    string
		req     coffer.EncryptionRequest
		caller  coffer.Principal
		inject  string // KMS error to inject into GenerateDataKey
		kmsCode string
		argName string
	}{
		{name: "missing key id", req: kmsRequestFor("11111111-2222-3333-4444-555555555555"), kmsCode: "NotFoundException"},
		{name: "missing alias", req: kmsRequestFor("alias/none"), kmsCode: "NotFoundException"},
		{name: "disabled key", req: kmsRequestFor(disabled), kmsCode: "DisabledException"},
		{name: "key pending deletion", req: kmsRequestFor(pending), kmsCode: "KMSInvalidStateException"},
		{name: "caller not allowed", req: kmsRequestFor(restricted), caller: other, kmsCode: "AccessDeniedException"},
		{name: "throttled", req: kmsRequestFor(arn), inject: "ThrottlingException", kmsCode: "ThrottlingException"},
		{name: "reserved context key", req: coffer.EncryptionRequest{Type: coffer.SSEKMS, KMSContext: map[string]string{"aws:s3:arn": "x"}}, argName: sseHeader + "-context"},
		{name: "bucket key and reserved context", req: coffer.EncryptionRequest{Type: coffer.SSEKMS, BucketKeyEnabled: boolPtr(true), KMSContext: map[string]string{"AWS:thing": "x"}}, argName: sseHeader + "-context"},
		{name: "key id with AES256", req: coffer.EncryptionRequest{Type: coffer.SSES3, KMSKeyID: arn}, argName: sseHeader},
		{name: "unknown type", req: coffer.EncryptionRequest{Type: "aes:kms"}, argName: sseHeader},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.kms.failWith("GenerateDataKey", tc.inject)
			defer e.kms.failWith("GenerateDataKey", "")
			ctx := e.ctx
			if tc.caller.ARN != "" {
				ctx = callerContext(tc.caller)
			}
			body := &bodyCounter{r: bytes.NewReader([]byte("data"))}
			_, err := e.svc.PutObject(ctx, testBucket, "failed", body, coffer.PutOptions{Check: coffer.BodyCheck{Size: 4}, Encryption: tc.req})
			checkKMSFailure(t, err, tc.kmsCode, tc.argName)
			if body.n != 0 {
				t.Fatalf("the body was read (%d bytes) before the key was settled", body.n)
			}
			if _, err := e.store.GetObject(e.ctx, testBucket, "failed"); !errors.Is(err, coffer.ErrNoSuchKey) {
				t.Fatalf("a failed PUT left %v", err)
			}
		})
	}

	t.Run("reads", func(t *testing.T) {
		key := e.kms.createKey()
		if _, err := e.putKMS("readable", []byte("secret"), kmsRequestFor(key)); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ state, code string }{{"Disabled", "DisabledException"}, {"PendingDeletion", "KMSInvalidStateException"}} {
			e.kms.setState(key, tc.state)
			_, _, err := e.read("readable", coffer.GetOptions{})
			checkKMSFailure(t, err, tc.code, "")
			_, err = e.svc.CopyObject(e.ctx, testBucket, "copy", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "readable"}})
			checkKMSFailure(t, err, tc.code, "")
		}
		e.kms.setState(key, "Enabled")
		if got := e.mustRead("readable"); string(got) != "secret" {
			t.Fatalf("re-enabled key reads %q", got)
		}
	})

	t.Run("SigV2 and anonymous callers", func(t *testing.T) {
		sigV2 := coffer.WithRequestInfo(e.ctx, coffer.RequestInfo{SignatureVersion: 2})
		_, err := e.svc.PutObject(sigV2, testBucket, "v2", bytes.NewReader(nil), coffer.PutOptions{Check: coffer.BodyCheck{Size: 0}, Encryption: kmsRequestFor("")})
		checkKMSFailure(t, err, "", "Authorization")
		_, _, err = e.svc.GetObject(sigV2, testBucket, "readable", coffer.GetOptions{})
		checkKMSFailure(t, err, "", "Authorization")
		anonymous := coffer.WithPrincipal(e.ctx, coffer.Principal{Anonymous: true})
		_, _, err = e.svc.GetObject(anonymous, testBucket, "readable", coffer.GetOptions{})
		checkKMSFailure(t, err, "", "Authorization")
		if _, err := e.svc.HeadObject(anonymous, testBucket, "readable", coffer.GetOptions{}); err != nil {
			t.Fatalf("HEAD needs no KMS: %v", err)
		}
	})
}

func checkKMSFailure(t *testing.T, err error, kmsCode, argName string) {
	t.Helper()
	var kmsErr *coffer.KMSError
	var argErr *coffer.ArgumentError
	switch {
	case kmsCode != "":
		if !errors.As(err, &kmsErr) || kmsErr.Code != kmsCode {
			t.Fatalf("err = %v, want KMS %s", err, kmsCode)
		}
	case !errors.As(err, &argErr) || argErr.Name != argName:
		t.Fatalf("err = %v, want an argument error on %s", err, argName)
	}
}

// bodyCounter counts the bytes read from it.
type bodyCounter struct {
	r io.Reader
	n int
}

func (c *bodyCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestKMSSealedKeyTamper: every byte of an SSE-KMS sealed key is
// authenticated, by the KMS (blob, context) or by the local seal (the
// rest); a flipped byte, or the key moved to another object, fails
// (ErrSealedKeyInvalid, or the KMS's refusal) and never yields a key.
func TestKMSSealedKeyTamper(t *testing.T) {
	for _, bucketKey := range []bool{false, true} {
		e := newKMSEnv(t, backends[0], Options{})
		req := kmsRequestFor(e.kms.createKey())
		req.KMSContext = map[string]string{"k": "v"}
		req.BucketKeyEnabled = &bucketKey
		if _, err := e.putKMS("a", []byte("alpha"), req); err != nil {
			t.Fatal(err)
		}
		if _, err := e.putKMS("b", []byte("bravo"), req); err != nil {
			t.Fatal(err)
		}
		rec := e.record("a")
		for i := range rec.SealedKey {
			forged := rec
			forged.SealedKey = bytes.Clone(rec.SealedKey)
			forged.SealedKey[i] ^= 0x40
			// A flip in the KMS blob's key reference reaches the KMS, which
			// cannot tell it from a key the caller may not use.
			var kmsErr *coffer.KMSError
			key, err := e.svc.openDataKeyOf(e.ctx, bindingOf(forged), forged.SealedKey, nil)
			if key != nil || !(errors.Is(err, coffer.ErrSealedKeyInvalid) || errors.As(err, &kmsErr) && kmsErr.Code == "AccessDeniedException") {
				t.Fatalf("bucket key %v: flipped byte %d: err = %v", bucketKey, i, err)
			}
		}
		moved := e.record("b")
		moved.SealedKey = rec.SealedKey
		if _, err := e.svc.openDataKeyOf(e.ctx, bindingOf(moved), moved.SealedKey, nil); !errors.Is(err, coffer.ErrSealedKeyInvalid) {
			t.Fatalf("bucket key %v: a's key opened for b: %v", bucketKey, err)
		}
	}
}

// TestKMSNoKeyManager: without a KMS, SSE-KMS is not implemented, and
// neither is a bucket default that needs it.
func TestKMSNoKeyManager(t *testing.T) {
	e := newEnv(t, backends[0])
	err := e.svc.PutBucketEncryption(e.ctx, testBucket, coffer.BucketEncryption{Algorithm: coffer.SSEKMS})
	if !errors.Is(err, coffer.ErrNotImplemented) {
		t.Fatalf("PutBucketEncryption aws:kms: %v", err)
	}
	_, err = e.svc.UpdateObjectEncryption(e.ctx, testBucket, "k", kmsRequestFor(vectorKMSKeyARN))
	if !errors.Is(err, coffer.ErrNotImplemented) {
		t.Fatalf("UpdateObjectEncryption: %v", err)
	}
}

// HEAD shows an SSE-KMS object's checksum only to a caller the KMS lets
// decrypt its key (spec §3.5); without checksum mode it calls no KMS.
func TestKMSHeadChecksumNeedsDecrypt(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	data := []byte("checksummed")
	_, err := e.svc.PutObject(e.ctx, testBucket, "sum", bytes.NewReader(data), coffer.PutOptions{
		Check: coffer.BodyCheck{Size: int64(len(data)), Checksum: coffer.ChecksumCRC32}, Encryption: kmsRequestFor(""),
	})
	if err != nil {
		t.Fatal(err)
	}
	before := e.kms.count("Decrypt")
	if head, err := e.svc.HeadObject(e.ctx, testBucket, "sum", coffer.GetOptions{}); err != nil || head.Checksum.Value != "" {
		t.Fatalf("HEAD without checksum mode: %+v, %v", head.Checksum, err)
	}
	if e.kms.count("Decrypt") != before {
		t.Fatal("HEAD without checksum mode called the KMS")
	}
	head, err := e.svc.HeadObject(e.ctx, testBucket, "sum", coffer.GetOptions{WantChecksum: true})
	if err != nil || head.Checksum.Value != checksumOf(coffer.ChecksumCRC32, data) || e.kms.count("Decrypt") != before+1 {
		t.Fatalf("HEAD with checksum mode: %+v, %v, %d Decrypt calls", head.Checksum, err, e.kms.count("Decrypt")-before)
	}
	e.kms.failWith("Decrypt", "AccessDeniedException")
	if _, err := e.svc.HeadObject(e.ctx, testBucket, "sum", coffer.GetOptions{WantChecksum: true}); err == nil {
		t.Fatal("HEAD with checksum mode showed the checksum to a caller the KMS refused")
	}
	if _, err := e.svc.HeadObject(e.ctx, testBucket, "sum", coffer.GetOptions{}); err != nil {
		t.Fatalf("plain HEAD under a refusing KMS: %v", err)
	}
}
