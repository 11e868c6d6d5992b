package checksum

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

// Multipart known answers for the parts "hello", " world" and 1000 "!",
// computed independently in Python.
var multipartParts = [][]byte{[]byte("hello"), []byte(" world"), bytes.Repeat([]byte("!"), 1000)}

var multipartVectors = []struct {
	alg        coffer.ChecksumAlgorithm
	partValues []string
	composite  string
	fullObject string // "" where the algorithm does not combine
}{
	{coffer.ChecksumCRC32, []string{"NhCmhg==", "SjtCyw==", "1ng0Rg=="}, "LBoHzA==-3", "u1Heaw=="},
	{coffer.ChecksumCRC32C, []string{"mnG7TA==", "pgadfA==", "u3CX9g=="}, "CGsLnA==-3", "2ZpS9A=="},
	{coffer.ChecksumCRC64NVME, []string{"M3eFcAZSQlc=", "NU/1twQMH4A=", "up7CFy4Hxpg="}, "iBfwBM41/jA=-3", "cn/snWXejdg="},
	{coffer.ChecksumSHA1, []string{"qvTGHdzF6KLavt4PO0gs2a6pQ00=", "P4InJqDJ+1VmGOnLl/tkL372LW8=", "/0Hsf4U2v25WIZ4ze71YNO18kmY="}, "f93xDJe/M3iRN39uzGYqeDYeubw=-3", ""},
	{coffer.ChecksumSHA256, []string{
		"LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "BF8T3YZLr6rQ3Zd6yXHeVJsJDLKDbwYdB3mybdm7j0s=", "oJZJotdQJwwyzOjgYyomvgtZqUqdcICQ0FOkAeq4cjo=",
	}, "wXKv0YS1e2B0cHuM6kaHqaJITRhlrOGO5cBRXsJR4Ec=-3", ""},
}

func partSizes(parts [][]byte) []int64 {
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		sizes[i] = int64(len(p))
	}
	return sizes
}

func TestComposite(t *testing.T) {
	for _, v := range multipartVectors {
		t.Run(string(v.alg), func(t *testing.T) {
			for i, p := range multipartParts {
				if got := sumOf(v.alg, p); got != v.partValues[i] {
					t.Fatalf("part %d = %s, want %s", i+1, got, v.partValues[i])
				}
			}
			got, err := Composite(v.alg, v.partValues)
			if err != nil {
				t.Fatal(err)
			}
			if got != v.composite {
				t.Fatalf("Composite = %s, want %s", got, v.composite)
			}
		})
	}
}

func TestCompositeErrors(t *testing.T) {
	cases := []struct {
		name   string
		alg    coffer.ChecksumAlgorithm
		values []string
	}{
		{"no parts", coffer.ChecksumCRC32, nil},
		{"no algorithm", coffer.ChecksumNone, []string{"DUoRhQ=="}},
		{"unknown algorithm", "MD5", []string{"DUoRhQ=="}},
		{"malformed part", coffer.ChecksumCRC32, []string{"DUoRhQ==", "not base64"}},
		{"part of another algorithm", coffer.ChecksumCRC32, []string{"jSnVw/bqjr4="}},
		{"composite value as a part", coffer.ChecksumCRC32, []string{"LBoHzA==-3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, err := Composite(c.alg, c.values); err == nil {
				t.Fatalf("Composite = %q, want an error", got)
			}
		})
	}
}

func TestCombineFullObject(t *testing.T) {
	for _, v := range multipartVectors {
		if v.fullObject == "" {
			continue
		}
		t.Run(string(v.alg), func(t *testing.T) {
			got, err := CombineFullObject(v.alg, v.partValues, partSizes(multipartParts))
			if err != nil {
				t.Fatal(err)
			}
			if got != v.fullObject {
				t.Fatalf("CombineFullObject = %s, want %s", got, v.fullObject)
			}
			if whole := sumOf(v.alg, bytes.Join(multipartParts, nil)); got != whole {
				t.Fatalf("combined %s, but the whole object hashes to %s", got, whole)
			}
		})
	}
}

// TestCombineFullObjectMatchesConcatenation combines random parts, empty
// and single ones included, and compares with hashing the concatenation.
func TestCombineFullObjectMatchesConcatenation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := []struct {
		name  string
		sizes []int
	}{
		{"one part", []int{100}},
		{"one empty part", []int{0}},
		{"empty parts around", []int{0, 17, 0}},
		{"two parts", []int{5 << 20, 3}},
		{"many parts", []int{1, 2, 3, 4, 5, 1000, 65536, 7}},
		{"byte-sized parts", []int{1, 1, 1, 1}},
	}
	for _, alg := range []coffer.ChecksumAlgorithm{coffer.ChecksumCRC32, coffer.ChecksumCRC32C, coffer.ChecksumCRC64NVME} {
		for _, s := range shapes {
			t.Run(string(alg)+"/"+s.name, func(t *testing.T) {
				var parts [][]byte
				var values []string
				for _, n := range s.sizes {
					p := make([]byte, n)
					for i := range p {
						p[i] = byte(rng.Uint32())
					}
					parts = append(parts, p)
					values = append(values, sumOf(alg, p))
				}
				got, err := CombineFullObject(alg, values, partSizes(parts))
				if err != nil {
					t.Fatal(err)
				}
				if want := sumOf(alg, bytes.Join(parts, nil)); got != want {
					t.Fatalf("combined %s, want %s", got, want)
				}
			})
		}
	}
}

func TestCombineFullObjectErrors(t *testing.T) {
	cases := []struct {
		name   string
		alg    coffer.ChecksumAlgorithm
		values []string
		sizes  []int64
	}{
		{"SHA256 does not combine", coffer.ChecksumSHA256, []string{"uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="}, []int64{11}},
		{"SHA1 does not combine", coffer.ChecksumSHA1, []string{"Kq5sNclPz7QV2+lfQIuc6R7oRu0="}, []int64{11}},
		{"no algorithm", coffer.ChecksumNone, []string{"DUoRhQ=="}, []int64{11}},
		{"no parts", coffer.ChecksumCRC32, nil, nil},
		{"more sizes than values", coffer.ChecksumCRC32, []string{"DUoRhQ=="}, []int64{11, 2}},
		{"more values than sizes", coffer.ChecksumCRC32, []string{"DUoRhQ==", "DUoRhQ=="}, []int64{11}},
		{"negative size", coffer.ChecksumCRC32, []string{"DUoRhQ==", "DUoRhQ=="}, []int64{11, -1}},
		{"malformed value", coffer.ChecksumCRC32C, []string{"yZRlqg", "yZRlqg=="}, []int64{11, 11}},
		{"value of another algorithm", coffer.ChecksumCRC64NVME, []string{"yZRlqg=="}, []int64{11}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, err := CombineFullObject(c.alg, c.values, c.sizes); err == nil {
				t.Fatalf("CombineFullObject = %q, want an error", got)
			}
		})
	}
}

func TestCRCField(t *testing.T) {
	fields := []struct {
		name  string
		field crcField
	}{{"CRC32", crc32Field}, {"CRC32C", crc32cField}, {"CRC64NVME", crc64nvmeField}}
	for _, f := range fields {
		t.Run(f.name, func(t *testing.T) {
			one := f.field.one()
			a, b := uint64(0x1234567890abcdef)>>(64-f.field.width), uint64(0xfedcba0987654321)>>(64-f.field.width)
			if f.field.xPow8n(0) != one {
				t.Error("x^0 is not 1")
			}
			if f.field.mul(one, a) != a || f.field.mul(a, one) != a {
				t.Error("1 is not the identity")
			}
			if f.field.mul(a, b) != f.field.mul(b, a) {
				t.Error("multiplication does not commute")
			}
			if f.field.combine(a, 0, 0) != a {
				t.Error("appending nothing changed the CRC")
			}
			x8 := one
			for range 8 {
				x8 = f.field.timesX(x8)
			}
			if f.field.xPow8n(3) != f.field.mul(x8, f.field.mul(x8, x8)) {
				t.Error("x^24 is not x^8 cubed")
			}
		})
	}
}

func TestMultipartETag(t *testing.T) {
	cases := []struct {
		name  string
		etags []string
		want  string
	}{
		{"three parts", []string{"5d41402abc4b2a76b9719d911017c592", "b7913aa15c43be7d534b4eec6e99e8a0", "8122ef1c2b2331f7986349560248cf56"},
			"c095136257b71a71ddc221fdf18ebf27-3"},
		{"quoted", []string{`"5d41402abc4b2a76b9719d911017c592"`, `"b7913aa15c43be7d534b4eec6e99e8a0"`, `"8122ef1c2b2331f7986349560248cf56"`},
			"c095136257b71a71ddc221fdf18ebf27-3"},
		{"upper-case hex", []string{strings.ToUpper("5d41402abc4b2a76b9719d911017c592"), "b7913aa15c43be7d534b4eec6e99e8a0", "8122ef1c2b2331f7986349560248cf56"},
			"c095136257b71a71ddc221fdf18ebf27-3"},
		// MD5 of the 16 bytes 5d41...c592, computed in Python.
		{"one part", []string{"5d41402abc4b2a76b9719d911017c592"}, "62109206880d38a4010a98e11243924a-1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MultipartETag(c.etags); got != c.want {
				t.Fatalf("MultipartETag = %s, want %s", got, c.want)
			}
		})
	}
}
