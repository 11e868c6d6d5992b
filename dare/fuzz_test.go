package dare

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the reader: it must never panic, must
// fail with ErrAuthentication, and may succeed only on a stream the writer
// produces from that plaintext with testKey (re-encrypting it with the
// stream nonce it carries gives back the same bytes).
func FuzzReader(f *testing.F) {
	for _, size := range []int{0, 1, 100, PackageSize, PackageSize + 1} {
		f.Add(encrypt(f, patterned(size)))
	}
	stream := encrypt(f, tamperPlaintext)
	for _, c := range tamperCases(f) {
		f.Add(c.mutate(bytes.Clone(stream)))
	}
	f.Add([]byte{})
	f.Add([]byte{1, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), testKey)
		if err != nil {
			t.Fatal(err)
		}
		plaintext, err := readAllChecked(r)
		if err != nil {
			if !errors.Is(err, ErrAuthentication) {
				t.Fatalf("err = %v, want ErrAuthentication", err)
			}
			return
		}
		var nonce [streamNonceSize]byte
		copy(nonce[:], data[6:headerSize])
		if !bytes.Equal(encryptWith(t, testKey, nonce, plaintext), data) {
			t.Fatal("the reader accepted a stream the writer does not produce")
		}
	})
}

// FuzzRoundTrip writes random plaintext in random chunks and reads it back.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(""), uint32(0), uint32(0))
	f.Add([]byte("hello"), uint32(1), uint32(0))
	f.Add([]byte("x"), uint32(PackageSize-1), uint32(PackageSize))
	f.Add(bytes.Repeat([]byte{7}, 300), uint32(1000), uint32(2*PackageSize+5))
	f.Fuzz(func(t *testing.T, head []byte, chunk, extra uint32) {
		plaintext := append(bytes.Clone(head), patterned(int(extra%(3*PackageSize)))...)
		chunkSizes := []int{1 + int(chunk%(2*PackageSize+2)), 1 + int(chunk/7)%PackageSize}
		var out bytes.Buffer
		w, err := NewWriter(&out, testKey)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := 0, plaintext; len(p) > 0; i++ {
			n := min(chunkSizes[i%2], len(p))
			if _, err := w.Write(p[:n]); err != nil {
				t.Fatal(err)
			}
			p = p[n:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if int64(out.Len()) != EncryptedSize(int64(len(plaintext))) {
			t.Fatalf("stream is %d bytes, EncryptedSize says %d", out.Len(), EncryptedSize(int64(len(plaintext))))
		}
		r, err := NewReader(&out, testKey)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plaintext) {
			t.Fatal("round trip changed the plaintext")
		}
	})
}

// FuzzRangeReader checks that any range of any stream reads back as the
// same slice of the plaintext.
func FuzzRangeReader(f *testing.F) {
	f.Add(uint32(0), uint32(0), uint32(0))
	f.Add(uint32(1), uint32(0), uint32(1))
	f.Add(uint32(150<<10), uint32(PackageSize-1), uint32(2))
	f.Add(uint32(2*PackageSize), uint32(2*PackageSize-1), uint32(1))
	f.Add(uint32(3*PackageSize+7), uint32(5), uint32(3*PackageSize))
	f.Fuzz(func(t *testing.T, size, offset, length uint32) {
		n := int64(size % (4*PackageSize + 3))
		off := int64(offset) % (n + 1)
		length64 := int64(length) % (n - off + 1)
		plaintext := patterned(int(n))
		stream := encrypt(t, plaintext)
		got, _, err := rangeRead(t, stream, n, off, length64, readAllChecked)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plaintext[off:off+length64]) {
			t.Fatalf("range [%d,+%d) of %d bytes reads wrong", off, length64, n)
		}
	})
}
