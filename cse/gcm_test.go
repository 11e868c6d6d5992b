package cse

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// oneShotSeal is the reference: crypto/cipher's GCM over the whole message.
func oneShotSeal(t testing.TB, key, iv, aad, plaintext []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return aead.Seal(nil, iv, plaintext, aad)
}

// chunkedReader returns at most the next size from sizes per Read, so the
// stream sees slices of awkward lengths.
type chunkedReader struct {
	r     io.Reader
	sizes []int
	i     int
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	n := c.sizes[c.i%len(c.sizes)]
	c.i++
	if n < len(p) {
		p = p[:n]
	}
	return c.r.Read(p)
}

// readAllWith reads r to the end with buffers of the given size.
func readAllWith(r io.Reader, bufSize int) ([]byte, error) {
	var out []byte
	buf := make([]byte, bufSize)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestFieldMultiplication(t *testing.T) {
	// H·1 = H, where 1 is the block 0x80 00..00 in GCM's bit order, and
	// multiplication is commutative and distributes over addition.
	rng := rand.New(rand.NewPCG(1, 2))
	one := fieldElement{hi: 1 << 63}
	for range 200 {
		a := fieldElement{rng.Uint64(), rng.Uint64()}
		b := fieldElement{rng.Uint64(), rng.Uint64()}
		c := fieldElement{rng.Uint64(), rng.Uint64()}
		if mul(a, one) != a || mul(one, a) != a {
			t.Fatalf("a·1 != a for %x", a)
		}
		if mul(a, b) != mul(b, a) {
			t.Fatalf("a·b != b·a")
		}
		if mul(a, b.add(c)) != mul(a, b).add(mul(a, c)) {
			t.Fatalf("a·(b+c) != a·b + a·c")
		}
		if mul(mul(a, b), c) != mul(a, mul(b, c)) {
			t.Fatalf("(a·b)·c != a·(b·c)")
		}
		table := newPowerTable(a)
		want := a
		for n := uint64(1); n <= 40; n++ {
			if got := table.pow(n); got != want {
				t.Fatalf("a^%d differs from repeated multiplication", n)
			}
			want = mul(want, a)
		}
	}
	// SP 800-38D test case 2: H = 66e94bd4ef8a2c3b884cfa59ca342b2e, and
	// GHASH of the one ciphertext block 0388dace60b6a392f328c2b971b2fe78
	// (no AAD) with its length block gives f38cbb1ad69223dcc3457ae5b6b0f885.
	h := loadElement(mustHex("66e94bd4ef8a2c3b884cfa59ca342b2e"))
	c := loadElement(mustHex("0388dace60b6a392f328c2b971b2fe78"))
	l := fieldElement{hi: 0, lo: 128}
	y := mul(mul(c, h).add(l), h)
	var got [16]byte
	y.put(got[:])
	if want := mustHex("f38cbb1ad69223dcc3457ae5b6b0f885"); !bytes.Equal(got[:], want) {
		t.Fatalf("GHASH = %x, want %x", got, want)
	}
}

// streamSizes are the plaintext sizes every stream test covers: empty,
// around one block, around the 64 KiB read size of callers, and several.
var streamSizes = []int{0, 1, 15, 16, 17, 31, 32, 33, 4095, 4096, 4097, 65535, 65536, 65537,
	3*65536 - 1, 3 * 65536, 3*65536 + 1, 1 << 20, 1<<20 + 7}

func TestStreamingGCMMatchesOneShot(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	aads := [][]byte{nil, {0x00, 0x73}, bytes.Repeat([]byte{9}, 16), bytes.Repeat([]byte{5}, 37)}
	readSizes := [][]int{{1 << 20}, {65536}, {1, 15, 16, 17, 4097}, {7}, {32}, {33, 100000}}
	for _, size := range streamSizes {
		for ai, aad := range aads {
			for ri, reads := range readSizes {
				key := randomBytes(rng, 32)
				iv := randomBytes(rng, 12)
				plaintext := randomBytes(rng, size)
				name := fmt.Sprintf("size %d aad %d reads %v", size, ai, readSizes[ri])
				want := oneShotSeal(t, key, iv, aad, plaintext)

				sr, err := newSealReader(&chunkedReader{r: bytes.NewReader(plaintext), sizes: reads}, key, iv, aad)
				if err != nil {
					t.Fatal(err)
				}
				got, err := readAllWith(sr, 1+rng.IntN(200000))
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("%s: seal differs from crypto/cipher (err %v, %d vs %d bytes)", name, err, len(got), len(want))
				}

				or, err := newOpenReader(&chunkedReader{r: bytes.NewReader(want), sizes: reads}, key, iv, aad, int64(size))
				if err != nil {
					t.Fatal(err)
				}
				back, err := readAllWith(or, 1+rng.IntN(200000))
				if err != nil || !bytes.Equal(back, plaintext) {
					t.Fatalf("%s: open: err %v, equal %v", name, err, bytes.Equal(back, plaintext))
				}
			}
		}
	}
}

func TestStreamingGCMSmallReads(t *testing.T) {
	// Buffers shorter than the held-back tag go through the reader's own
	// scratch buffer; iotest.OneByteReader drives the worst case.
	key, iv := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 12)
	plaintext := bytes.Repeat([]byte("one byte at a time "), 500)
	sealed := oneShotSeal(t, key, iv, nil, plaintext)
	sr, err := newSealReader(iotest.OneByteReader(bytes.NewReader(plaintext)), key, iv, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAllWith(iotest.OneByteReader(sr), 1)
	if err != nil || !bytes.Equal(got, sealed) {
		t.Fatalf("one-byte seal: %v", err)
	}
	for _, bufSize := range []int{1, 5, 16, 31, 32} {
		or, err := newOpenReader(iotest.OneByteReader(bytes.NewReader(sealed)), key, iv, nil, -1)
		if err != nil {
			t.Fatal(err)
		}
		back, err := readAllWith(or, bufSize)
		if err != nil || !bytes.Equal(back, plaintext) {
			t.Fatalf("open with %d-byte reads: %v", bufSize, err)
		}
	}
	if err := iotest.TestReader(mustOpen(t, sealed, key, iv), plaintext); err != nil {
		t.Fatal(err)
	}
}

func mustOpen(t *testing.T, sealed, key, iv []byte) io.Reader {
	t.Helper()
	or, err := newOpenReader(bytes.NewReader(sealed), key, iv, nil, -1)
	if err != nil {
		t.Fatal(err)
	}
	return or
}

func TestStreamingGCMRejectsTampering(t *testing.T) {
	key, iv := bytes.Repeat([]byte{3}, 32), bytes.Repeat([]byte{4}, 12)
	plaintext := bytes.Repeat([]byte("tamper evident "), 10000) // 150000 bytes
	sealed := oneShotSeal(t, key, iv, nil, plaintext)
	cases := []struct {
		name   string
		mutate func([]byte) []byte
		want   int64
	}{
		{name: "first byte flipped", mutate: func(b []byte) []byte { b[0] ^= 1; return b }, want: -1},
		{name: "middle byte flipped", mutate: func(b []byte) []byte { b[len(b)/2] ^= 0x80; return b }, want: -1},
		{name: "tag flipped", mutate: func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, want: -1},
		{name: "truncated by one", mutate: func(b []byte) []byte { return b[:len(b)-1] }, want: -1},
		{name: "truncated to the tag", mutate: func(b []byte) []byte { return b[len(b)-16:] }, want: -1},
		{name: "shorter than a tag", mutate: func(b []byte) []byte { return b[:15] }, want: -1},
		{name: "empty", mutate: func(b []byte) []byte { return b[:0] }, want: -1},
		{name: "extended", mutate: func(b []byte) []byte { return append(b, 0) }, want: -1},
		{name: "blocks swapped", mutate: func(b []byte) []byte {
			x := bytes.Clone(b[:16])
			copy(b[:16], b[16:32])
			copy(b[16:32], x)
			return b
		}, want: -1},
		{name: "wrong expected length", mutate: func(b []byte) []byte { return b }, want: int64(len(plaintext) - 1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, bufSize := range []int{7, 4096, 1 << 20} {
				or, err := newOpenReader(bytes.NewReader(tc.mutate(bytes.Clone(sealed))), key, iv, nil, tc.want)
				if err != nil {
					t.Fatal(err)
				}
				_, err = readAllWith(or, bufSize)
				if !errors.Is(err, ErrTampered) {
					t.Fatalf("reads of %d: err = %v, want ErrTampered", bufSize, err)
				}
				// The failure is sticky.
				if _, again := or.Read(make([]byte, 64)); !errors.Is(again, ErrTampered) {
					t.Fatalf("second read after failure: %v", again)
				}
			}
		})
	}
}

func TestStreamingGCMSourceErrorsPassThrough(t *testing.T) {
	boom := errors.New("connection reset")
	key, iv := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{6}, 12)
	sealed := oneShotSeal(t, key, iv, nil, make([]byte, 1000))
	or, err := newOpenReader(io.MultiReader(bytes.NewReader(sealed[:500]), iotest.ErrReader(boom)), key, iv, nil, -1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(or); !errors.Is(err, boom) || errors.Is(err, ErrTampered) {
		t.Fatalf("open: %v, want the source's error", err)
	}
	sr, err := newSealReader(io.MultiReader(bytes.NewReader(make([]byte, 100)), iotest.ErrReader(boom)), key, iv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(sr); !errors.Is(err, boom) {
		t.Fatalf("seal: %v, want the source's error", err)
	}
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// BenchmarkGCM compares the streaming GCM with crypto/cipher's one-shot
// Seal and Open on the same 64 MiB, with callers reading 1 MiB or 32 KiB
// (io.Copy's buffer) at a time, and a source returning irregular amounts.
func BenchmarkGCM(b *testing.B) {
	const size = 64 << 20
	key, iv := bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{8}, 12)
	plaintext := make([]byte, size)
	sealed := oneShotSeal(b, key, iv, nil, plaintext)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	irregular := []int{32768, 16384 + 7, 32768 - 300, 28000, 4096, 65536 - 5}

	b.Run("one-shot seal", func(b *testing.B) {
		b.SetBytes(size)
		out := make([]byte, 0, size+16)
		for b.Loop() {
			out = aead.Seal(out[:0], iv, plaintext, nil)
		}
	})
	b.Run("one-shot open", func(b *testing.B) {
		b.SetBytes(size)
		out := make([]byte, 0, size)
		for b.Loop() {
			var err error
			if out, err = aead.Open(out[:0], iv, sealed, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, bufSize := range []int{1 << 20, 32 << 10} {
		buf := make([]byte, bufSize)
		b.Run(fmt.Sprintf("stream seal %d KiB reads", bufSize>>10), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				sr, _ := newSealReader(bytes.NewReader(plaintext), key, iv, nil)
				drain(b, sr, buf)
			}
		})
		b.Run(fmt.Sprintf("stream open %d KiB reads", bufSize>>10), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				or, _ := newOpenReader(bytes.NewReader(sealed), key, iv, nil, size)
				drain(b, or, buf)
			}
		})
		b.Run(fmt.Sprintf("stream open %d KiB reads, irregular source", bufSize>>10), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				or, _ := newOpenReader(&chunkedReader{r: bytes.NewReader(sealed), sizes: irregular}, key, iv, nil, size)
				drain(b, or, buf)
			}
		})
	}
}

func drain(b *testing.B, r io.Reader, buf []byte) {
	for {
		_, err := r.Read(buf)
		if err == io.EOF {
			return
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
