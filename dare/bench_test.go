package dare

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"
	"testing"
	"time"
)

// The Raw benchmarks are the yardstick: plain AES-256-GCM over 64 KiB
// buffers with the same key. The stream benchmarks move benchStreamSize
// bytes per operation, so MB/s compares directly.
const benchStreamSize = 4 << 20

func benchAEAD(b *testing.B) cipher.AEAD {
	block, err := aes.NewCipher(testKey)
	if err != nil {
		b.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	return aead
}

func BenchmarkRawGCMSeal(b *testing.B) {
	aead := benchAEAD(b)
	plaintext := patterned(PackageSize)
	out := make([]byte, PackageSize+tagSize)
	nonce := make([]byte, aead.NonceSize())
	b.SetBytes(PackageSize)
	b.ResetTimer()
	for b.Loop() {
		aead.Seal(out[:0], nonce, plaintext, nil)
	}
}

func BenchmarkRawGCMOpen(b *testing.B) {
	aead := benchAEAD(b)
	nonce := make([]byte, aead.NonceSize())
	sealed := aead.Seal(nil, nonce, patterned(PackageSize), nil)
	out := make([]byte, PackageSize)
	b.SetBytes(PackageSize)
	b.ResetTimer()
	for b.Loop() {
		if _, err := aead.Open(out[:0], nonce, sealed, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// readerOnly hides WriterTo so io.Copy takes the writer's ReadFrom path.
type readerOnly struct{ io.Reader }

func BenchmarkWriter(b *testing.B) {
	plaintext := patterned(benchStreamSize)
	cases := []struct {
		name  string
		write func(w io.Writer) error
	}{
		{"Write", func(w io.Writer) error { _, err := w.Write(plaintext); return err }},
		{"ReadFrom", func(w io.Writer) error {
			_, err := io.Copy(w, readerOnly{bytes.NewReader(plaintext)})
			return err
		}},
		{"Write64KiB", func(w io.Writer) error {
			for p := plaintext; len(p) > 0; p = p[PackageSize:] {
				if _, err := w.Write(p[:PackageSize]); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(benchStreamSize)
			b.ReportAllocs()
			for b.Loop() {
				w, err := NewWriter(io.Discard, testKey)
				if err != nil {
					b.Fatal(err)
				}
				if err := c.write(w); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkReader(b *testing.B) {
	stream := encrypt(b, patterned(benchStreamSize))
	cases := []struct {
		name string
		read func(r io.Reader) error
	}{
		{"WriteTo", func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }},
		{"Read64KiB", func(r io.Reader) error {
			_, err := io.CopyBuffer(io.Discard, readerOnly{r}, make([]byte, PackageSize))
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			src := bytes.NewReader(stream)
			b.SetBytes(benchStreamSize)
			b.ReportAllocs()
			for b.Loop() {
				src.Reset(stream)
				r, err := NewReader(src, testKey)
				if err != nil {
					b.Fatal(err)
				}
				if err := c.read(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRangeReader1Byte reads one byte from the middle of a 1 GiB
// stream: one package is read and decrypted, whatever the stream size.
func BenchmarkRangeReader1Byte(b *testing.B) {
	const size = 1 << 30
	offset := int64(size/2 + 12345)
	stream := syntheticStream{key: testKey, nonce: testNonce, size: size}
	start, n := CiphertextRange(size, offset, 1)
	stored := make([]byte, n)
	if _, err := stream.ReadAt(stored, start); err != nil {
		b.Fatal(err)
	}
	src := bytes.NewReader(stored)
	var out [1]byte
	b.SetBytes(1)
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(stored)
		r, err := NewRangeReader(src, testKey, size, offset, 1)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(r, out[:]); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Read(out[:]); err != io.EOF {
			b.Fatalf("read after the range: %v, want EOF", err)
		}
	}
}

// BenchmarkVersusRaw times raw GCM and the dare stream alternately, one
// stream at a time, so load from other processes hits both alike; it
// reports each one's MB/s and dare's throughput as a percentage of raw GCM.
// Raw GCM works on ciphertext already in memory, while the dare reader must
// first copy it out of its source; the two sizes show that copy's cost when
// the source fits in L2 (1 MiB) and when it does not (8 MiB).
func BenchmarkVersusRaw(b *testing.B) {
	for _, size := range []int{1 << 20, 8 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) { benchVersusRaw(b, size) })
	}
}

func benchVersusRaw(b *testing.B, size int) {
	aead := benchAEAD(b)
	nonce := make([]byte, aead.NonceSize())
	plaintext := patterned(size)
	sealed := make([]byte, 0, size+size/PackageSize*tagSize)
	for p := plaintext; len(p) > 0; p = p[PackageSize:] {
		sealed = aead.Seal(sealed, nonce, p[:PackageSize], nil)
	}
	stream := encrypt(b, plaintext)
	out := make([]byte, PackageSize+tagSize)

	rawSeal := func() {
		for p := plaintext; len(p) > 0; p = p[PackageSize:] {
			aead.Seal(out[:0], nonce, p[:PackageSize], nil)
		}
	}
	rawOpen := func() {
		for c := sealed; len(c) > 0; c = c[PackageSize+tagSize:] {
			if _, err := aead.Open(out[:0], nonce, c[:PackageSize+tagSize], nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	dareWrite := func() {
		w, err := NewWriter(io.Discard, testKey)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Write(plaintext); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	src := bytes.NewReader(stream)
	dareRead := func() {
		src.Reset(stream)
		r, err := NewReader(src, testKey)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
	cases := []struct {
		name      string
		raw, dare func()
	}{
		{"Seal", rawSeal, dareWrite},
		{"Open", rawOpen, dareRead},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var rawTime, dareTime time.Duration
			for b.Loop() {
				start := time.Now()
				c.raw()
				mid := time.Now()
				c.dare()
				rawTime += mid.Sub(start)
				dareTime += time.Since(mid)
			}
			mb := float64(b.N) * float64(size) / 1e6
			b.ReportMetric(mb/rawTime.Seconds(), "raw-MB/s")
			b.ReportMetric(mb/dareTime.Seconds(), "dare-MB/s")
			b.ReportMetric(100*rawTime.Seconds()/dareTime.Seconds(), "%of-raw")
		})
	}
}
