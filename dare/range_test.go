package dare

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

// rangeRead reads [offset, offset+length) of stream the way a store would:
// it hands NewRangeReader exactly the bytes CiphertextRange names, and
// reports how many of them were read.
func rangeRead(t *testing.T, stream []byte, size, offset, length int64, read func(io.Reader) ([]byte, error)) ([]byte, int64, error) {
	t.Helper()
	start, n := CiphertextRange(size, offset, length)
	src := &countingReader{r: bytes.NewReader(stream[start : start+n])}
	r, err := NewRangeReader(src, testKey, size, offset, length)
	if err != nil {
		t.Fatal(err)
	}
	got, err := read(r)
	return got, src.n, err
}

func TestRangeReader(t *testing.T) {
	for _, size := range roundTripSizes {
		plaintext := patterned(size.size)
		stream := encrypt(t, plaintext)
		n := int64(size.size)
		points := []int64{0, 1, PackageSize - 1, PackageSize, PackageSize + 1, 2*PackageSize - 1, 2 * PackageSize, n - 1, n}
		lengths := []int64{0, 1, 2, 1000, PackageSize, PackageSize + 1, n}
		for _, off := range points {
			for _, length := range lengths {
				length = min(length, n-off)
				if off < 0 || off > n || length < 0 {
					continue
				}
				for _, rm := range readModes {
					t.Run(fmt.Sprintf("%s/offset %d length %d/%s", size.name, off, length, rm.name), func(t *testing.T) {
						got, read, err := rangeRead(t, stream, n, off, length, rm.read)
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(got, plaintext[off:off+length]) {
							t.Fatalf("got %d bytes, not plaintext[%d:%d]", len(got), off, off+length)
						}
						if _, stored := CiphertextRange(n, off, length); read != stored {
							t.Fatalf("read %d stored bytes, want exactly the %d named", read, stored)
						}
					})
				}
			}
		}
	}
}

// TestRangeReaderReadsOnlyWhatItNeeds reads from a 1 GiB stream whose
// packages are sealed on demand; each read touches at most two packages.
func TestRangeReaderReadsOnlyWhatItNeeds(t *testing.T) {
	const size = 1 << 30
	stream := syntheticStream{key: testKey, nonce: testNonce, size: size}
	cases := []struct {
		name           string
		offset, length int64
	}{
		{"first byte", 0, 1},
		{"one byte in the middle", size/2 + 12345, 1},
		{"two bytes across a package boundary", 7*PackageSize - 1, 2},
		{"last byte", size - 1, 1},
		{"last two bytes", size - 2, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start, n := CiphertextRange(size, c.offset, c.length)
			if n > 2*stored {
				t.Fatalf("CiphertextRange names %d bytes", n)
			}
			src := &countingReader{r: io.NewSectionReader(stream, start, n)}
			r, err := NewRangeReader(src, testKey, size, c.offset, c.length)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]byte, c.length)
			patternAt(want, c.offset)
			if !bytes.Equal(got, want) {
				t.Fatalf("got %x, want %x", got, want)
			}
			if src.n > 2*stored {
				t.Fatalf("read %d stored bytes for %d plaintext bytes", src.n, c.length)
			}
		})
	}
}

func TestRangeReaderTampered(t *testing.T) {
	stream := encrypt(t, tamperPlaintext)
	other := encryptWith(t, testKey, otherNonce, tamperPlaintext)
	size := int64(len(tamperPlaintext))
	offset := int64(PackageSize + 5)
	length := size - offset // packages 1 and 2
	start, n := CiphertextRange(size, offset, length)
	cases := []struct {
		name string
		src  func() []byte
		size int64 // plaintext size the caller claims
		good int   // plaintext bytes that may be released before the error
		span [2]int64
	}{
		{"flip a payload bit in the first package", func() []byte {
			s := bytes.Clone(stream[start : start+n])
			s[headerSize+10] ^= 1
			return s
		}, size, 0, [2]int64{offset, length}},
		{"flip a tag bit in the final package", func() []byte {
			s := bytes.Clone(stream[start : start+n])
			s[len(s)-1] ^= 0x80
			return s
		}, size, PackageSize - 5, [2]int64{offset, length}},
		{"clear the final flag", func() []byte {
			s := bytes.Clone(stream[start : start+n])
			s[stored+1] = 0
			return s
		}, size, PackageSize - 5, [2]int64{offset, length}},
		{"truncated source", func() []byte { return stream[start : start+n-1] }, size, PackageSize - 5, [2]int64{offset, length}},
		{"source ends after the first package", func() []byte { return stream[start : start+stored] }, size, PackageSize - 5, [2]int64{offset, length}},
		{"bytes after the final package", func() []byte { return joined(stream[start:start+n], []byte{1}) }, size, PackageSize - 5, [2]int64{offset, length}},
		{"packages from the wrong position", func() []byte { return stream[:n] }, size, 0, [2]int64{offset, length}},
		{"package from another stream", func() []byte {
			return joined(stream[start:start+stored], other[start+stored:start+n])
		}, size, PackageSize - 5, [2]int64{offset, length}},
		{"claimed size one byte longer", func() []byte {
			s, k := CiphertextRange(size+1, offset, length+1)
			return stream[s:min(s+k, int64(len(stream)))]
		}, size + 1, PackageSize - 5, [2]int64{offset, length + 1}},
		{"claimed size one byte shorter", func() []byte {
			s, k := CiphertextRange(size-1, offset, length-1)
			return stream[s : s+k]
		}, size - 1, PackageSize - 5, [2]int64{offset, length - 1}},
		{"claimed size ends at the middle package", func() []byte {
			return stream[stored : 2*stored]
		}, 2 * PackageSize, 0, [2]int64{PackageSize, PackageSize}},
		{"claimed size goes on past the final package", func() []byte {
			return stream[2*stored:]
		}, 3 * PackageSize, 0, [2]int64{2 * PackageSize, 10}},
	}
	for _, c := range cases {
		for _, rm := range readModes {
			t.Run(c.name+"/"+rm.name, func(t *testing.T) {
				r, err := NewRangeReader(bytes.NewReader(c.src()), testKey, c.size, c.span[0], c.span[1])
				if err != nil {
					t.Fatal(err)
				}
				got, err := rm.read(r)
				if !errors.Is(err, ErrAuthentication) {
					t.Fatalf("err = %v, want ErrAuthentication", err)
				}
				if len(got) > c.good || !bytes.HasPrefix(tamperPlaintext[c.span[0]:], got) {
					t.Fatalf("released %d bytes, only %d authentic ones allowed", len(got), c.good)
				}
			})
		}
	}
	t.Run("wrong key", func(t *testing.T) {
		r, err := NewRangeReader(bytes.NewReader(stream[start:start+n]), otherKey, size, offset, length)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(r); !errors.Is(err, ErrAuthentication) {
			t.Fatalf("err = %v, want ErrAuthentication", err)
		}
	})
}

func TestRangeReaderRejectsBadRanges(t *testing.T) {
	cases := []struct {
		name                 string
		size, offset, length int64
	}{
		{"negative size", -1, 0, 0},
		{"negative offset", 100, -1, 1},
		{"negative length", 100, 0, -1},
		{"past the end", 100, 50, 51},
		{"offset past the end", 100, 101, 0},
		{"overflowing end", 100, 50, 1<<63 - 1},
		{"stream too large for the format", maxPackages*PackageSize + 1, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewRangeReader(bytes.NewReader(nil), testKey, c.size, c.offset, c.length)
			if !errors.Is(err, errRange) {
				t.Fatalf("err = %v, want errRange", err)
			}
		})
	}
}
