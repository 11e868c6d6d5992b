package checksum

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

const benchBodySize = 8 << 20

func benchHash(b *testing.B, h hash.Hash) {
	buf := body(1 << 20)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		h.Write(buf)
	}
}

func BenchmarkMD5(b *testing.B)    { benchHash(b, md5.New()) }
func BenchmarkSHA256(b *testing.B) { benchHash(b, sha256.New()) }

func BenchmarkChecksum(b *testing.B) {
	for _, alg := range algorithms {
		b.Run(string(alg), func(b *testing.B) { benchHash(b, New(alg)) })
	}
}

// threeHashes asks for MD5, SHA-256 and CRC32, as a signed PUT from a
// recent SDK does.
func threeHashes(data []byte) coffer.BodyCheck {
	sum := sha256.Sum256(data)
	return coffer.BodyCheck{Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Checksum: coffer.ChecksumCRC32}
}

func BenchmarkReader(b *testing.B) {
	data := body(benchBodySize)
	cases := []struct {
		name  string
		check coffer.BodyCheck
		mode  hashMode
	}{
		{"MD5", coffer.BodyCheck{Size: benchBodySize}, hashParallel},
		{"MD5+SHA256+CRC32/sequential", threeHashes(data), hashInline},
		{"MD5+SHA256+CRC32/parallel", threeHashes(data), hashParallel},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			src := bytes.NewReader(data)
			b.SetBytes(benchBodySize)
			b.ReportAllocs()
			for b.Loop() {
				src.Reset(data)
				if _, err := io.Copy(io.Discard, newReader(src, c.check, c.mode)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParallelSpeedup hashes the same body sequentially and in
// parallel, alternately, so load from other processes hits both alike.
func BenchmarkParallelSpeedup(b *testing.B) {
	data := body(benchBodySize)
	check := threeHashes(data)
	src := bytes.NewReader(data)
	run := func(mode hashMode) time.Duration {
		src.Reset(data)
		start := time.Now()
		if _, err := io.Copy(io.Discard, newReader(src, check, mode)); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var sequential, parallel time.Duration
	for b.Loop() {
		sequential += run(hashInline)
		parallel += run(hashParallel)
	}
	mb := float64(b.N) * benchBodySize / 1e6
	b.ReportMetric(mb/sequential.Seconds(), "sequential-MB/s")
	b.ReportMetric(mb/parallel.Seconds(), "parallel-MB/s")
	b.ReportMetric(sequential.Seconds()/parallel.Seconds(), "speedup")
}
