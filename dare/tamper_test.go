package dare

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// tamperCase changes a three-package stream (150 KiB: two full packages
// and a 22 KiB final one). Reading the result must fail with
// ErrAuthentication after releasing at most good bytes, all of them a
// prefix of the true plaintext.
type tamperCase struct {
	name   string
	mutate func(stream []byte) []byte
	good   int // plaintext bytes that may be released before the error
}

var (
	tamperPlaintext = patterned(150 << 10)
	otherNonce      = [streamNonceSize]byte{0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb}
)

// pkgAt returns package i of a stream of tamperPlaintext.
func pkgAt(stream []byte, i int) []byte {
	return stream[i*stored : min((i+1)*stored, len(stream))]
}

func joined(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func flipAt(offset int, bit uint) func([]byte) []byte {
	return func(s []byte) []byte {
		s[offset] ^= 1 << bit
		return s
	}
}

func tamperCases(tb testing.TB) []tamperCase {
	stream := encrypt(tb, tamperPlaintext)
	sameKeyOther := encryptWith(tb, testKey, otherNonce, tamperPlaintext)
	otherKeySameNonce := encryptWith(tb, otherKey, testNonce, tamperPlaintext)
	shorter := encryptWith(tb, testKey, otherNonce, tamperPlaintext[:2*PackageSize+100])
	finalLen := len(tamperPlaintext) - 2*PackageSize

	var cases []tamperCase
	regions := []struct {
		name   string
		offset func(pkgLen int) int
		bits   []uint
	}{
		{"version", func(int) int { return 0 }, []uint{0, 7}},
		{"flags", func(int) int { return 1 }, []uint{0, 1, 7}},
		{"length high byte", func(int) int { return 2 }, []uint{0, 7}},
		{"length low byte", func(int) int { return 5 }, []uint{0}},
		{"stream nonce first byte", func(int) int { return 6 }, []uint{3}},
		{"stream nonce last byte", func(int) int { return headerSize - 1 }, []uint{0}},
		{"payload first byte", func(int) int { return headerSize }, []uint{0}},
		{"payload middle", func(n int) int { return headerSize + (n-PackageOverhead)/2 }, []uint{5}},
		{"payload last byte", func(n int) int { return n - tagSize - 1 }, []uint{7}},
		{"tag first byte", func(n int) int { return n - tagSize }, []uint{0}},
		{"tag last byte", func(n int) int { return n - 1 }, []uint{7}},
	}
	for i := range 3 {
		pkgLen := len(pkgAt(stream, i))
		for _, r := range regions {
			for _, bit := range r.bits {
				cases = append(cases, tamperCase{
					name:   fmt.Sprintf("flip package %d %s bit %d", i, r.name, bit),
					mutate: flipAt(i*stored+r.offset(pkgLen), bit),
					good:   i * PackageSize,
				})
			}
		}
	}

	truncations := []struct {
		name string
		at   int
		good int
	}{
		{"to nothing", 0, 0},
		{"inside the first header", 7, 0},
		{"after the first header", headerSize, 0},
		{"inside the first payload", headerSize + 100, 0},
		{"before the first tag", stored - tagSize, 0},
		{"one byte short of the first package", stored - 1, 0},
		{"after the first package", stored, PackageSize},
		{"after the second package", 2 * stored, 2 * PackageSize},
		{"inside the final header", 2*stored + 3, 2 * PackageSize},
		{"after the final header", 2*stored + headerSize, 2 * PackageSize},
		{"before the final tag", len(stream) - tagSize, 2 * PackageSize},
		{"one byte short of the end", len(stream) - 1, 2 * PackageSize},
	}
	for _, tr := range truncations {
		cases = append(cases, tamperCase{
			name:   "truncate " + tr.name,
			mutate: func(s []byte) []byte { return s[:tr.at] },
			good:   tr.good,
		})
	}

	p0, p1, p2 := pkgAt(stream, 0), pkgAt(stream, 1), pkgAt(stream, 2)
	cases = append(cases,
		tamperCase{"drop the first package", func([]byte) []byte { return joined(p1, p2) }, 0},
		tamperCase{"drop the middle package", func([]byte) []byte { return joined(p0, p2) }, PackageSize},
		tamperCase{"drop the final package", func([]byte) []byte { return joined(p0, p1) }, 2 * PackageSize},
		tamperCase{"swap the first two packages", func([]byte) []byte { return joined(p1, p0, p2) }, 0},
		tamperCase{"move the final package first", func([]byte) []byte { return joined(p2, p0, p1) }, 0},
		tamperCase{"duplicate the first package", func([]byte) []byte { return joined(p0, p0, p1, p2) }, PackageSize},
		tamperCase{"duplicate the middle package", func([]byte) []byte { return joined(p0, p1, p1, p2) }, 2 * PackageSize},
		tamperCase{"duplicate the final package", func([]byte) []byte { return joined(p0, p1, p2, p2) }, 2*PackageSize + finalLen},
		tamperCase{"append one byte", func(s []byte) []byte { return joined(s, []byte{0}) }, 2*PackageSize + finalLen},
		tamperCase{"append garbage", func(s []byte) []byte { return joined(s, bytes.Repeat([]byte{0xee}, 1000)) }, 2*PackageSize + finalLen},
		tamperCase{"append a whole package", func(s []byte) []byte { return joined(s, p1) }, 2*PackageSize + finalLen},
		tamperCase{"splice a package from another stream", func([]byte) []byte {
			return joined(p0, pkgAt(sameKeyOther, 1), p2)
		}, PackageSize},
		tamperCase{"splice a package from another stream, nonce rewritten", func([]byte) []byte {
			foreign := bytes.Clone(pkgAt(sameKeyOther, 1))
			copy(foreign[6:headerSize], testNonce[:])
			return joined(p0, foreign, p2)
		}, PackageSize},
		tamperCase{"splice a package sealed under another key", func([]byte) []byte {
			return joined(p0, pkgAt(otherKeySameNonce, 1), p2)
		}, PackageSize},
		tamperCase{"splice the final package of a shorter stream", func([]byte) []byte {
			return joined(p0, p1, pkgAt(shorter, 2))
		}, 2 * PackageSize},
		tamperCase{"whole stream under another key", func([]byte) []byte { return bytes.Clone(otherKeySameNonce) }, 0},
		tamperCase{"mark the middle package final and cut after it", func([]byte) []byte {
			cut := joined(p0, p1)
			cut[stored+1] |= byte(flagFinal)
			return cut
		}, PackageSize},
		tamperCase{"shorten the final package and its length", func([]byte) []byte {
			short := bytes.Clone(p2[:len(p2)-tagSize-10])
			short = append(short, p2[len(p2)-tagSize:]...)
			short[5] -= 10
			return joined(p0, p1, short)
		}, 2 * PackageSize},
	)
	for i := range 3 {
		cases = append(cases, tamperCase{
			name: fmt.Sprintf("version 2 in package %d", i),
			mutate: func(s []byte) []byte {
				s[i*stored] = 2
				return s
			},
			good: i * PackageSize,
		})
	}
	return cases
}

func TestTamperedStreams(t *testing.T) {
	stream := encrypt(t, tamperPlaintext)
	for _, c := range tamperCases(t) {
		for _, rm := range readModes {
			t.Run(c.name+"/"+rm.name, func(t *testing.T) {
				tampered := c.mutate(bytes.Clone(stream))
				r, err := NewReader(bytes.NewReader(tampered), testKey)
				if err != nil {
					t.Fatal(err)
				}
				got, err := rm.read(r)
				if !errors.Is(err, ErrAuthentication) {
					t.Fatalf("err = %v, want ErrAuthentication", err)
				}
				if len(got) > c.good {
					t.Fatalf("released %d bytes, only the first %d were authentic", len(got), c.good)
				}
				if !bytes.HasPrefix(tamperPlaintext, got) {
					t.Fatal("released wrong bytes")
				}
				if _, err2 := r.Read(make([]byte, 100)); !errors.Is(err2, ErrAuthentication) {
					t.Fatalf("error is not sticky: %v", err2)
				}
			})
		}
	}
}
