package sse

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/mem"
)

// BenchmarkPutGet measures PutObject and GetObject through sse on the
// in-memory store (so the figures are sse's own cost: hashing, encryption,
// key sealing and unsealing).
func BenchmarkPutGet(b *testing.B) {
	for _, size := range []int{4 << 10, 64 << 20} {
		data := patterned(size, 1)
		m := mem.New()
		e := newEnvOn(b, m, m)
		b.Run(fmt.Sprintf("Put/%s", sizeName(size)), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := e.svc.PutObject(e.ctx, testBucket, "bench", bytes.NewReader(data), coffer.PutOptions{Check: coffer.BodyCheck{Size: int64(size)}}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("Get/%s", sizeName(size)), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				_, r, err := e.svc.GetObject(e.ctx, testBucket, "bench", coffer.GetOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.Copy(io.Discard, r); err != nil || n != int64(size) {
					b.Fatalf("read %d bytes: %v", n, err)
				}
				r.Close()
			}
		})
	}
}

// BenchmarkPutGet64MiB and BenchmarkPutGet4KiB time one put plus one get.
func BenchmarkPutGet64MiB(b *testing.B) { benchmarkRoundTrip(b, 64<<20) }
func BenchmarkPutGet4KiB(b *testing.B)  { benchmarkRoundTrip(b, 4<<10) }

func benchmarkRoundTrip(b *testing.B, size int) {
	data := patterned(size, 2)
	m := mem.New()
	e := newEnvOn(b, m, m)
	b.SetBytes(int64(size))
	for b.Loop() {
		if _, err := e.svc.PutObject(e.ctx, testBucket, "bench", bytes.NewReader(data), coffer.PutOptions{Check: coffer.BodyCheck{Size: int64(size)}}); err != nil {
			b.Fatal(err)
		}
		_, r, err := e.svc.GetObject(e.ctx, testBucket, "bench", coffer.GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

// BenchmarkEncryptInto is the write path without a store: hashing (MD5)
// and encryption of a 64 MiB body.
func BenchmarkEncryptInto(b *testing.B) {
	data := patterned(64<<20, 3)
	key := ramp(0, 32)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, err := encryptInto(b.Context(), io.Discard, bytes.NewReader(data), coffer.BodyCheck{Size: int64(len(data))}, coffer.MaxSinglePutSize, key)
		if err != nil {
			b.Fatal(err)
		}
	}
}
