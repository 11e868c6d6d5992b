package checksum

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

// fuzzAlgorithms adds the empty and an unknown name to the real ones.
var fuzzAlgorithms = append([]coffer.ChecksumAlgorithm{coffer.ChecksumNone, "MD5"}, algorithms...)

func fuzzAlgorithm(i uint8) coffer.ChecksumAlgorithm {
	return fuzzAlgorithms[int(i)%len(fuzzAlgorithms)]
}

func algorithmIndex(alg coffer.ChecksumAlgorithm) uint8 {
	for i, a := range fuzzAlgorithms {
		if a == alg {
			return uint8(i)
		}
	}
	return 0
}

func isCRC(alg coffer.ChecksumAlgorithm) bool {
	return alg == coffer.ChecksumCRC32 || alg == coffer.ChecksumCRC32C || alg == coffer.ChecksumCRC64NVME
}

// FuzzValidValue: a value that passes is canonical and usable as a part.
func FuzzValidValue(f *testing.F) {
	for _, v := range vectors {
		for alg, value := range v.want {
			f.Add(algorithmIndex(alg), value)
		}
	}
	f.Add(algorithmIndex(coffer.ChecksumCRC32), "DUoRhR==")
	f.Add(algorithmIndex(coffer.ChecksumCRC32), "DUoRhQ")
	f.Add(uint8(0), "")
	f.Fuzz(func(t *testing.T, algIndex uint8, value string) {
		alg := fuzzAlgorithm(algIndex)
		if !ValidValue(alg, value) {
			return
		}
		raw, ok := decodeValue(alg, value)
		if !ok || encodeValue(raw) != value {
			t.Fatalf("%q passed but is not canonical", value)
		}
		composite, err := Composite(alg, []string{value})
		if err != nil || !strings.HasSuffix(composite, "-1") {
			t.Fatalf("Composite of a valid value = %q, %v", composite, err)
		}
		if isCRC(alg) {
			full, err := CombineFullObject(alg, []string{value}, []int64{12345})
			if err != nil || full != value {
				t.Fatalf("one part combines to %q, %v; want %q", full, err, value)
			}
		}
	})
}

// FuzzComposite: Composite succeeds exactly when every part is valid.
func FuzzComposite(f *testing.F) {
	for _, v := range multipartVectors {
		f.Add(algorithmIndex(v.alg), strings.Join(v.partValues, ","))
	}
	f.Add(algorithmIndex(coffer.ChecksumCRC32), "DUoRhQ==,,x")
	f.Add(uint8(1), "DUoRhQ==")
	f.Fuzz(func(t *testing.T, algIndex uint8, joined string) {
		alg := fuzzAlgorithm(algIndex)
		values := strings.Split(joined, ",")
		allValid := true
		for _, v := range values {
			allValid = allValid && ValidValue(alg, v)
		}
		got, err := Composite(alg, values)
		if (err == nil) != allValid {
			t.Fatalf("Composite(%s, %q) = %q, %v; all parts valid: %v", alg, values, got, err, allValid)
		}
		if err == nil && !strings.HasSuffix(got, "-"+strconv.Itoa(len(values))) {
			t.Fatalf("Composite = %q lacks the part count", got)
		}
	})
}

// FuzzCombineFullObject: combining part CRCs equals hashing the whole.
func FuzzCombineFullObject(f *testing.F) {
	f.Add(uint8(2), []byte("hello"), []byte(" world"), []byte("!"))
	f.Add(uint8(3), []byte{}, []byte{0}, []byte{})
	f.Add(uint8(4), bytes.Repeat([]byte{0xff}, 300), []byte("x"), []byte("yz"))
	f.Fuzz(func(t *testing.T, algIndex uint8, a, b, c []byte) {
		alg := []coffer.ChecksumAlgorithm{coffer.ChecksumCRC32, coffer.ChecksumCRC32C, coffer.ChecksumCRC64NVME}[algIndex%3]
		parts := [][]byte{a, b, c}
		values := []string{sumOf(alg, a), sumOf(alg, b), sumOf(alg, c)}
		got, err := CombineFullObject(alg, values, partSizes(parts))
		if err != nil {
			t.Fatal(err)
		}
		if want := sumOf(alg, bytes.Join(parts, nil)); got != want {
			t.Fatalf("combined %s, want %s", got, want)
		}
	})
}

// FuzzReader: the body passes through unchanged and the result is exactly
// what the declared size and checksum call for.
func FuzzReader(f *testing.F) {
	f.Add([]byte("hello world"), algorithmIndex(coffer.ChecksumCRC32), "DUoRhQ==", int8(0))
	f.Add([]byte("hello world"), algorithmIndex(coffer.ChecksumCRC64NVME), "OOJZ0D8xKts=", int8(0))
	f.Add([]byte(""), algorithmIndex(coffer.ChecksumNone), "", int8(1))
	f.Add([]byte("abc"), algorithmIndex(coffer.ChecksumSHA1), "", int8(-1))
	f.Fuzz(func(t *testing.T, data []byte, algIndex uint8, value string, sizeDelta int8) {
		alg := fuzzAlgorithm(algIndex)
		if alg == "MD5" {
			alg = coffer.ChecksumNone
		}
		size := int64(len(data)) + int64(sizeDelta)
		if sizeDelta == -128 {
			size = -1 // unknown length
		}
		check := coffer.BodyCheck{Size: size, Checksum: alg, ChecksumValue: value}
		for _, m := range modes {
			got, err := io.ReadAll(newReader(bytes.NewReader(data), check, m.mode))
			var argErr *coffer.ArgumentError
			switch {
			case size >= 0 && size != int64(len(data)):
				if !errors.Is(err, coffer.ErrIncompleteBody) {
					t.Fatalf("%s: declared %d for %d bytes: err = %v", m.name, size, len(data), err)
				}
			case alg == coffer.ChecksumNone || value == "" || value == sumOf(alg, data):
				if err != nil {
					t.Fatalf("%s: err = %v", m.name, err)
				}
			case !ValidValue(alg, value):
				if !errors.As(err, &argErr) {
					t.Fatalf("%s: malformed value %q: err = %v", m.name, value, err)
				}
			default:
				if !errors.Is(err, coffer.ErrChecksumMismatch) {
					t.Fatalf("%s: err = %v, want ErrChecksumMismatch", m.name, err)
				}
			}
			if !bytes.HasPrefix(data, got) {
				t.Fatalf("%s: body changed on the way through", m.name)
			}
		}
	})
}
