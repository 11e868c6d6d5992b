package sse

import (
	"bytes"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// TestBucketKeyKMSCalls: with a bucket key, 10,000 PUTs by one caller make
// one GenerateDataKey, bound to the bucket's ARN; the key is fetched again
// once its TTL passes, and separately for every other caller, so the KMS
// still authorizes (and audits) each caller's first use.
func TestBucketKeyKMSCalls(t *testing.T) {
	const puts = 10_000
	e := newKMSEnv(t, backends[0], Options{BucketKeyTTL: 5 * time.Minute})
	arn := e.kms.createKey()
	req := kmsRequestFor(arn)
	req.BucketKeyEnabled = boolPtr(true)
	for i := 0; i < puts; i++ {
		info, err := e.putKMS(fmt.Sprintf("obj/%05d", i), []byte{byte(i)}, req)
		if err != nil {
			t.Fatal(err)
		}
		if !info.Encryption.BucketKeyEnabled || info.Encryption.KMSKeyARN != arn {
			t.Fatalf("encryption %+v", info.Encryption)
		}
	}
	calls := e.kms.count("")
	t.Logf("KMS calls for %d PUTs with a bucket key: %d", puts, calls)
	if calls != 1 {
		t.Fatalf("%d KMS calls for %d PUTs, want 1", calls, puts)
	}
	call := e.kms.lastCall()
	if want := map[string]string{"aws:s3:arn": "arn:aws:s3:::" + testBucket}; call.Op != "GenerateDataKey" || !maps.Equal(call.Context, want) || call.Via != "s3.amazonaws.com" {
		t.Fatalf("bucket key call %+v, want GenerateDataKey via S3 with %v", call, want)
	}

	for i := 0; i < 1000; i++ {
		got := e.mustRead(fmt.Sprintf("obj/%05d", i))
		if !bytes.Equal(got, []byte{byte(i)}) {
			t.Fatalf("object %d reads %x", i, got)
		}
	}
	if n := e.kms.count("Decrypt"); n != 1 {
		t.Fatalf("%d Decrypt calls for 1000 GETs, want 1", n)
	}

	eve := callerContext(coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/eve", UserName: "eve"})
	if _, _, err := e.svc.GetObject(eve, testBucket, "obj/00001", coffer.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PutObject(eve, testBucket, "eve", bytes.NewReader(nil), coffer.PutOptions{Encryption: req}); err != nil {
		t.Fatal(err)
	}
	if d, g := e.kms.count("Decrypt"), e.kms.count("GenerateDataKey"); d != 2 || g != 2 {
		t.Fatalf("another caller: %d Decrypt, %d GenerateDataKey; want 2 and 2", d, g)
	}

	e.clock.Advance(5*time.Minute + time.Second)
	if _, err := e.putKMS("after-ttl", nil, req); err != nil {
		t.Fatal(err)
	}
	e.mustRead("obj/00002")
	if d, g := e.kms.count("Decrypt"), e.kms.count("GenerateDataKey"); d != 3 || g != 3 {
		t.Fatalf("after the TTL: %d Decrypt, %d GenerateDataKey; want 3 and 3", d, g)
	}
}

// TestBucketKeyRevocation: a disabled key stops new bucket keys at once
// and cached ones when their TTL ends, the tradeoff FORMAT.md §7 states.
func TestBucketKeyRevocation(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{BucketKeyTTL: time.Minute})
	arn := e.kms.createKey()
	req := kmsRequestFor(arn)
	req.BucketKeyEnabled = boolPtr(true)
	if _, err := e.putKMS("a", []byte("a"), req); err != nil {
		t.Fatal(err)
	}
	e.mustRead("a")
	e.kms.setState(arn, "Disabled")
	if _, err := e.putKMS("b", []byte("b"), req); err != nil {
		t.Fatalf("within the TTL the cached bucket key still serves: %v", err)
	}
	e.clock.Advance(time.Minute)
	_, err := e.putKMS("c", []byte("c"), req)
	checkKMSFailure(t, err, "DisabledException", "")
	_, _, err = e.read("a", coffer.GetOptions{})
	checkKMSFailure(t, err, "DisabledException", "")
}

// TestBucketKeyContexts: the caller's context goes to the KMS merged with
// the bucket's ARN, is replayed on GET, and objects with different
// contexts never share a bucket key.
func TestBucketKeyContexts(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	arn := e.kms.createKey()
	for i, team := range []string{"red", "blue", "red"} {
		req := coffer.EncryptionRequest{Type: coffer.SSEKMS, KMSKeyID: arn, KMSContext: map[string]string{"team": team}, BucketKeyEnabled: boolPtr(true)}
		if _, err := e.putKMS(fmt.Sprint(i), []byte(team), req); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.kms.count("GenerateDataKey"); n != 2 {
		t.Fatalf("%d bucket keys for two contexts", n)
	}
	if got := string(e.mustRead("1")); got != "blue" {
		t.Fatalf("read %q", got)
	}
	want := map[string]string{"aws:s3:arn": "arn:aws:s3:::" + testBucket, "team": "blue"}
	if call := e.kms.lastCall(); call.Op != "Decrypt" || !maps.Equal(call.Context, want) {
		t.Fatalf("GET replayed %+v, want %v", call, want)
	}
}

// TestBucketKeyConcurrentMiss: many PUTs racing for an uncached bucket key
// make one KMS call between them.
func TestBucketKeyConcurrentMiss(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	req := kmsRequestFor(e.kms.createKey())
	req.BucketKeyEnabled = boolPtr(true)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.putKMS(fmt.Sprint(i), []byte("x"), req)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.kms.count(""); n != 1 {
		t.Fatalf("%d KMS calls for 32 concurrent PUTs", n)
	}
}

// BenchmarkSSEKMSPut measures 4 KiB PUTs under SSE-S3 and SSE-KMS with and
// without a bucket key, against the test KMS (in-process AES-GCM): the
// figures show sse's own cost per KMS round trip, not a real KMS's.
func BenchmarkSSEKMSPut(b *testing.B) {
	data := patterned(4<<10, 1)
	for _, bc := range []struct {
		name string
		req  func(arn string) coffer.EncryptionRequest
	}{
		{"SSE-S3", func(string) coffer.EncryptionRequest { return coffer.EncryptionRequest{} }},
		{"SSE-KMS", kmsRequestFor},
		{"SSE-KMS+bucket-key", func(arn string) coffer.EncryptionRequest {
			r := kmsRequestFor(arn)
			r.BucketKeyEnabled = boolPtr(true)
			return r
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newKMSEnv(b, backends[0], Options{})
			req := bc.req(e.kms.createKey())
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := e.putKMS("k", data, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(e.kms.count(""))/float64(b.N), "kms-calls/op")
		})
	}
}
