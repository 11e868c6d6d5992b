package kms

import (
	"context"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/policy"
)

// The benchmarks measure one operation end to end as the API runs it:
// validation, key lookup, key policy evaluation (the real policy engine,
// the default policy, parsed once and cached as the server does), state check, quota, cryptography and an audit
// event (in-memory recorder). b.N calls run on GOMAXPROCS goroutines.

func benchFixture(b *testing.B) (*fixture, *KeyMetadata) {
	f := newFixture(b, func(o *Options) { o.Auditor, o.Policy = discard{}, policy.NewKeyPolicies() })
	return f, f.newKey()
}

type discard struct{}

func (discard) Record(context.Context, coffer.AuditEvent) {}

func BenchmarkEncrypt(b *testing.B) {
	f, key := benchFixture(b)
	in := &EncryptInput{KeyId: key.KeyId, Plaintext: make([]byte, 32), EncryptionContext: vectorS3Context}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.api.Encrypt(f.ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkDecrypt(b *testing.B) {
	f, key := benchFixture(b)
	blob := f.encrypt(key.KeyId, make([]byte, 32), vectorS3Context)
	in := &DecryptInput{CiphertextBlob: blob, EncryptionContext: vectorS3Context}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.api.Decrypt(f.ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkGenerateDataKey(b *testing.B) {
	f, key := benchFixture(b)
	in := &GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: DataKeyAES256, EncryptionContext: vectorS3Context}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.api.GenerateDataKey(f.ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkSealOpen is the cryptography alone: derive the blob key, seal
// and open a 32-byte data key.
func BenchmarkSealOpen(b *testing.B) {
	m := vectorMaterial()
	h := vectorHeader(b)
	ec, _ := canonicalContext(vectorS3Context)
	plaintext := make([]byte, 32)
	b.ReportAllocs()
	for b.Loop() {
		blob, err := sealBlob(h, m, plaintext, ec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := openBlob(blob, m, ec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
