package cse

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

// encodeMeta and decodeMeta turn metadata into fuzzer input: one
// "key: value" per line.
func encodeMeta(m map[string]string) []byte {
	var b bytes.Buffer
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString(k + ": " + m[k] + "\n")
	}
	return b.Bytes()
}

func decodeMeta(data []byte) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			m[k] = v
		}
	}
	return m
}

// envelopeSeeds are the metadata of real objects of every format.
func envelopeSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, v := range knownAnswers() {
		m := maps.Clone(v.meta)
		m[keyPlainLen] = "29"
		seeds = append(seeds, encodeMeta(m))
	}
	return seeds
}

// FuzzEnvelope feeds arbitrary object metadata, with a fixed body, to Get
// and Inspect: they must never panic, must fail only with the package's
// errors, and may decrypt authenticated content only to the plaintext
// that body holds.
func FuzzEnvelope(f *testing.F) {
	for _, s := range envelopeSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("x-amz-key-v2: AAAA\nx-amz-iv: AAAA\n"))
	f.Add([]byte("x-amz-3: AA==\nx-amz-d: AA==\nx-amz-i: AA==\nx-amz-c: 115\n"))
	f.Add([]byte("x-amz-matdesc: =?UTF-8?B?e30=?=\n"))
	aesRing, err := NewAESKeyring(vecWrapKey)
	if err != nil {
		f.Fatal(err)
	}
	body := mustHex(vecGCMBodies[1].hex)
	f.Fuzz(func(t *testing.T, data []byte) {
		meta := decodeMeta(data)
		store := newFakeS3()
		store.set("b", "k", meta, body)
		c := New(store, aesRing, Options{AllowLegacyV1: true})
		if _, err := Inspect(context.Background(), store, "b", "k"); err != nil && !isSentinel(err) {
			t.Fatalf("Inspect: %v", err)
		}
		out, err := c.Get(context.Background(), GetInput{Bucket: "b", Key: "k"})
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("Get: %v", err)
			}
			return
		}
		got, err := io.ReadAll(out.Body)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("reading: %v", err)
			}
			return
		}
		if out.Envelope.ContentAlg != cekCBC && !bytes.Equal(got, vecPlaintext(29)) {
			t.Fatalf("authenticated content decrypted to %x", got)
		}
	})
}

// FuzzInstructionFile: the parser never panics, fails only with the
// package's errors, and what it accepts survives a round trip.
func FuzzInstructionFile(f *testing.F) {
	for _, v := range knownAnswers() {
		f.Add(encodeInstructionFile(v.meta))
	}
	f.Add([]byte(`{"x-amz-tag-len":128,"x-amz-unencrypted-content-length":null}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"x-amz-iv":"a"} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseInstructionFile(data)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("parse: %v", err)
			}
			return
		}
		again, err := parseInstructionFile(encodeInstructionFile(m))
		if err != nil || !maps.Equal(again, m) {
			t.Fatalf("round trip: %v, %v != %v", err, again, m)
		}
		merged, err := mergeInstructionFile(map[string]string{}, m)
		if err != nil {
			return
		}
		if format, err := detectFormat(merged); err == nil && format != "" {
			if _, err := parseEnvelope(merged, format, LocationInstructionFile); err != nil && !isSentinel(err) {
				t.Fatalf("parseEnvelope: %v", err)
			}
		}
	})
}

// FuzzContext: material descriptions never panic the decoder, and what it
// accepts encodes back to an ASCII string that decodes to the same map.
func FuzzContext(f *testing.F) {
	f.Add(`{}`)
	f.Add(`{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","a":"b"}`)
	f.Add(`=?UTF-8?B?eyJhIjoiw4PCqSJ9?=`)
	f.Add(`{"a":"\u00e9\ud83d\ude00"}`)
	f.Add(`{"a":1}`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := decodeContext("x-amz-matdesc", s)
		if err != nil {
			if !errors.Is(err, ErrTampered) {
				t.Fatalf("decode: %v", err)
			}
			return
		}
		enc := encodeContext(m)
		for _, r := range enc {
			if r > 127 {
				t.Fatalf("encoded context %q is not ASCII", enc)
			}
		}
		if !strings.Contains(enc, "=?") {
			again, err := decodeContext("x-amz-matdesc", enc)
			if err != nil || !maps.Equal(again, m) {
				t.Fatalf("round trip of %q: %v", enc, err)
			}
		}
	})
}

// FuzzOpenReader decrypts arbitrary ciphertext: it must never panic, must
// fail with ErrTampered, and may succeed only on exactly what sealing the
// plaintext it returned produces.
func FuzzOpenReader(f *testing.F) {
	key, iv := bytes.Repeat([]byte{0x11}, 32), bytes.Repeat([]byte{0x22}, 12)
	for _, n := range []int{0, 1, 16, 100, 5000} {
		f.Add(oneShotSeal(f, key, iv, nil, testPlaintext("seed", n)), uint16(0))
		f.Add(oneShotSeal(f, key, iv, nil, testPlaintext("seed", n)), uint16(7))
	}
	f.Add([]byte{}, uint16(1))
	f.Add(make([]byte, 15), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, bufSize uint16) {
		or, err := newOpenReader(bytes.NewReader(data), key, iv, nil, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readAllWith(or, int(bufSize)+1)
		if err != nil {
			if !errors.Is(err, ErrTampered) {
				t.Fatalf("err = %v", err)
			}
			return
		}
		if !bytes.Equal(oneShotSeal(t, key, iv, nil, got), data) {
			t.Fatal("accepted a ciphertext that sealing its plaintext does not give")
		}
	})
}

// FuzzStreamingGCM compares the streaming GCM with crypto/cipher's on
// arbitrary plaintext, additional data and read sizes.
func FuzzStreamingGCM(f *testing.F) {
	f.Add([]byte(""), []byte(""), uint16(1), uint16(1))
	f.Add([]byte("hello, world"), []byte{0x00, 0x73}, uint16(5), uint16(16))
	f.Add(bytes.Repeat([]byte{1}, 70000), []byte("aad"), uint16(65535), uint16(33))
	f.Fuzz(func(t *testing.T, plaintext, aad []byte, readSize, bufSize uint16) {
		key, iv := bytes.Repeat([]byte{0x33}, 32), bytes.Repeat([]byte{0x44}, 12)
		want := oneShotSeal(t, key, iv, aad, plaintext)
		sr, err := newSealReader(&chunkedReader{r: bytes.NewReader(plaintext), sizes: []int{int(readSize) + 1}}, key, iv, aad)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readAllWith(sr, int(bufSize)+1)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("seal: %v", err)
		}
		or, err := newOpenReader(&chunkedReader{r: bytes.NewReader(want), sizes: []int{int(readSize) + 1}}, key, iv, aad, int64(len(plaintext)))
		if err != nil {
			t.Fatal(err)
		}
		back, err := readAllWith(or, int(bufSize)+1)
		if err != nil || !bytes.Equal(back, plaintext) {
			t.Fatalf("open: %v", err)
		}
	})
}
