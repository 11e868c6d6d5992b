package dare

import (
	"errors"
	"testing"
)

const stored = PackageSize + PackageOverhead

func TestEncryptedSize(t *testing.T) {
	cases := []struct {
		name      string
		plaintext int64
		want      int64
	}{
		{"empty", 0, PackageOverhead},
		{"one byte", 1, 1 + PackageOverhead},
		{"one package short of a byte", PackageSize - 1, PackageSize - 1 + PackageOverhead},
		{"one full package", PackageSize, stored},
		{"one package and a byte", PackageSize + 1, PackageSize + 1 + 2*PackageOverhead},
		{"1 GiB", 1 << 30, 1<<30 + (1<<14)*PackageOverhead},
		{"5 TiB", 5 << 40, 5<<40 + (5<<24)*PackageOverhead},
		{"largest stream", maxPackages * PackageSize, maxPackages*PackageSize + maxPackages*PackageOverhead},
		{"one byte too many", maxPackages*PackageSize + 1, -1},
		{"negative", -1, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := EncryptedSize(c.plaintext); got != c.want {
				t.Fatalf("EncryptedSize(%d) = %d, want %d", c.plaintext, got, c.want)
			}
		})
	}
}

func TestCiphertextRange(t *testing.T) {
	const gib = 1 << 30
	cases := []struct {
		name                  string
		size, offset, length  int64
		wantStart, wantStored int64
	}{
		{"first byte", 3 * PackageSize, 0, 1, 0, stored},
		{"last byte of the first package", 3 * PackageSize, PackageSize - 1, 1, 0, stored},
		{"first byte of the second package", 3 * PackageSize, PackageSize, 1, stored, stored},
		{"straddling two packages", 3 * PackageSize, PackageSize - 1, 2, 0, 2 * stored},
		{"whole stream", 3 * PackageSize, 0, 3 * PackageSize, 0, 3 * stored},
		{"short final package", 2*PackageSize + 10, 2 * PackageSize, 10, 2 * stored, 10 + PackageOverhead},
		{"last byte of a short stream", 5, 4, 1, 0, 5 + PackageOverhead},
		{"one byte in the middle of 1 GiB", gib, gib/2 + 12345, 1, (gib / 2 / PackageSize) * stored, stored},
		{"last byte of 1 GiB", gib, gib - 1, 1, (gib/PackageSize - 1) * stored, stored},
		{"empty range", 100, 50, 0, 0, 0},
		{"empty stream, empty range", 0, 0, 0, 0, 0},
		{"past the end", 100, 99, 2, 0, 0},
		{"negative offset", 100, -1, 1, 0, 0},
		{"negative length", 100, 1, -1, 0, 0},
		{"negative size", -1, 0, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start, n := CiphertextRange(c.size, c.offset, c.length)
			if start != c.wantStart || n != c.wantStored {
				t.Fatalf("CiphertextRange(%d, %d, %d) = %d, %d; want %d, %d",
					c.size, c.offset, c.length, start, n, c.wantStart, c.wantStored)
			}
		})
	}
}

func TestParseHeader(t *testing.T) {
	valid := func(mutate func(b []byte)) []byte {
		b := make([]byte, headerSize)
		h := packageHeader{flags: notFinal, length: PackageSize, streamNonce: testNonce}
		h.put(b)
		mutate(b)
		return b
	}
	cases := []struct {
		name      string
		header    []byte
		wantErr   bool
		wantFinal bool
		wantLen   int
	}{
		{"full non-final", valid(func([]byte) {}), false, false, PackageSize},
		{"full final", valid(func(b []byte) { b[1] = 1 }), false, true, PackageSize},
		{"empty final", valid(func(b []byte) { b[1] = 1; b[2], b[3], b[4], b[5] = 0, 0, 0, 0 }), false, true, 0},
		{"version 0", valid(func(b []byte) { b[0] = 0 }), true, false, 0},
		{"version 2", valid(func(b []byte) { b[0] = 2 }), true, false, 0},
		{"unknown flag", valid(func(b []byte) { b[1] = 0x02 }), true, false, 0},
		{"final and unknown flag", valid(func(b []byte) { b[1] = 0x81 }), true, false, 0},
		{"length over a package", valid(func(b []byte) { b[1] = 1; b[5] = 1 }), true, false, 0},
		{"huge length", valid(func(b []byte) { b[1] = 1; b[2] = 0xff }), true, false, 0},
		{"short non-final", valid(func(b []byte) { b[4] = 0; b[5] = 5 }), true, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := parseHeader(c.header)
			if c.wantErr {
				if !errors.Is(err, ErrAuthentication) {
					t.Fatalf("err = %v, want ErrAuthentication", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.final() != c.wantFinal || h.length != c.wantLen || h.streamNonce != testNonce {
				t.Fatalf("parsed %+v", h)
			}
		})
	}
}

func TestPackageNonce(t *testing.T) {
	cases := []struct {
		name string
		seq  uint64
		want string
	}{
		{"first", 0, "a0a1a2a3a4a5a6a7a8a9aaab"},
		{"second", 1, "a0a1a2a3a4a5a6a7a8a9aaaa"},
		{"256th", 255, "a0a1a2a3a4a5a6a7a8a9aa54"},
		{"last", maxPackages - 1, "a0a1a2a3a4a5a6a757565554"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got [streamNonceSize]byte
			packageNonce(&got, &testNonce, c.seq)
			if want := mustHex(c.want); string(got[:]) != string(want) {
				t.Fatalf("nonce %x, want %s", got, c.want)
			}
		})
	}
}

func TestSealerStopsAtMaxPackages(t *testing.T) {
	aead, err := newAEAD(testKey)
	if err != nil {
		t.Fatal(err)
	}
	s := sealer{aead: aead, streamNonce: testNonce, seq: maxPackages - 1}
	buf := make([]byte, maxStoredPackage)
	if _, err := s.seal(buf, nil, notFinal); err != nil {
		t.Fatalf("package 2^32-1: %v", err)
	}
	if _, err := s.seal(buf, nil, flagFinal); !errors.Is(err, errStreamTooLong) {
		t.Fatalf("package 2^32: err = %v, want errStreamTooLong", err)
	}
	o := opener{aead: aead}
	if _, _, err := o.open(nil, buf[:PackageOverhead], maxPackages); !errors.Is(err, ErrAuthentication) {
		t.Fatalf("opening package 2^32: err = %v, want ErrAuthentication", err)
	}
}
