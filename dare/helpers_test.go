package dare

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

var (
	testKey   = mustHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	otherKey  = mustHex("1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100")
	testNonce = [streamNonceSize]byte{0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab}
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// patternByte is the plaintext byte at position i of every test stream.
// Two primes keep packages distinct from one another.
func patternByte(i int64) byte { return byte(i%251) ^ byte(i/65521) }

func patternAt(dst []byte, offset int64) {
	for i := range dst {
		dst[i] = patternByte(offset + int64(i))
	}
}

func patterned(n int) []byte {
	p := make([]byte, n)
	patternAt(p, 0)
	return p
}

// encrypt seals plaintext with testKey and testNonce in one Write.
func encrypt(tb testing.TB, plaintext []byte) []byte {
	tb.Helper()
	return encryptWith(tb, testKey, testNonce, plaintext)
}

func encryptWith(tb testing.TB, key []byte, nonce [streamNonceSize]byte, plaintext []byte) []byte {
	tb.Helper()
	var out bytes.Buffer
	w, err := newWriterWithNonce(&out, key, nonce)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// readAllChecked reads r to the end with small reads and returns what it
// delivered before the first error.
func readAllChecked(r io.Reader) ([]byte, error) {
	var got []byte
	buf := make([]byte, 1000)
	for {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
	}
}

// syntheticStream is a stream of patterned plaintext whose packages are
// sealed on demand, so tests can address a 1 GiB stream without storing it.
type syntheticStream struct {
	key   []byte
	nonce [streamNonceSize]byte
	size  int64 // plaintext bytes
}

func (s syntheticStream) ReadAt(p []byte, off int64) (int, error) {
	aead, err := newAEAD(s.key)
	if err != nil {
		return 0, err
	}
	total := EncryptedSize(s.size)
	pkg := make([]byte, maxStoredPackage)
	plaintext := make([]byte, PackageSize)
	n := 0
	for n < len(p) && off < total {
		seq := off / maxStoredPackage
		length := min(PackageSize, s.size-seq*PackageSize)
		flags := notFinal
		if seq == packageCount(s.size)-1 {
			flags = flagFinal
		}
		patternAt(plaintext[:length], seq*PackageSize)
		sl := sealer{aead: aead, streamNonce: s.nonce, seq: uint64(seq)}
		sealed, err := sl.seal(pkg, plaintext[:length], flags)
		if err != nil {
			return n, err
		}
		c := copy(p[n:], sealed[off-seq*maxStoredPackage:])
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
