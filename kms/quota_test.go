package kms

import (
	"testing"
	"time"
)

func TestQuotaSharedByCryptographicOperations(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.QuotaPerSecond = 4 })
	key := f.newKey()
	blob := f.encrypt(key.KeyId, []byte("x"), nil) // 1 of 4
	ops := []struct {
		name string
		call func() error
	}{
		{"Decrypt", func() error { _, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: blob}); return err }},
		{"GenerateDataKey", func() error {
			_, err := f.api.GenerateDataKey(f.ctx, &GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: DataKeyAES256})
			return err
		}},
		{"GenerateRandom", func() error {
			_, err := f.api.GenerateRandom(f.ctx, &GenerateRandomInput{NumberOfBytes: i32(1)})
			return err
		}},
	}
	for _, op := range ops {
		if err := op.call(); err != nil {
			t.Fatalf("%s within the quota: %v", op.name, err)
		}
	}
	for _, op := range ops {
		err := op.call()
		wantCode(t, err, CodeThrottling)
		if message(err) != "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls." {
			t.Fatalf("message %q", message(err))
		}
	}
	// Management operations do not count.
	_, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: key.KeyId})
	f.must(err)
	if e := f.audit.named("GenerateRandom"); e[len(e)-1].ErrorCode != CodeThrottling {
		t.Fatalf("throttled call audited as %+v", e[len(e)-1])
	}
	// A quarter second refills one request.
	f.clock.Advance(250 * time.Millisecond)
	f.must(ops[0].call())
	wantCode(t, ops[0].call(), CodeThrottling)
	// Idle time refills at most one second's worth.
	f.clock.Advance(time.Hour)
	for range 4 {
		f.must(ops[2].call())
	}
	wantCode(t, ops[2].call(), CodeThrottling)
}

func TestTokenBucket(t *testing.T) {
	if b := newTokenBucket(0, testEpoch); !b.take(testEpoch) || b != nil {
		t.Fatal("quota 0 must be unlimited")
	}
	b := newTokenBucket(1000, testEpoch)
	n := 0
	for b.take(testEpoch) {
		n++
	}
	if n != 1000 {
		t.Fatalf("burst of %d, want 1000", n)
	}
	if b.take(testEpoch.Add(-time.Second)) {
		t.Fatal("a clock going backwards refilled the bucket")
	}
	if !b.take(testEpoch.Add(time.Millisecond)) || b.take(testEpoch.Add(time.Millisecond)) {
		t.Fatal("one millisecond at 1000/s must refill exactly one request")
	}
}
