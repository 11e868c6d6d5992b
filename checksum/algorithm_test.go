package checksum

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/cofferlabs/coffer"
)

// kiB is bytes 0..255 four times.
var kiB = bytes.Repeat(func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}(), 4)

// Known answers, computed independently (Python: zlib.crc32, hashlib, and a
// bitwise reflected CRC for CRC32C and CRC64NVME checked against the
// catalogue check value 0xae8b14860a799888 of "123456789"). "hello world"
// matches the AWS SDK for Go v2 test vectors, and "Hello world" the
// CRC64NVME example of the AWS documentation.
var vectors = []struct {
	name  string
	input []byte
	want  map[coffer.ChecksumAlgorithm]string
}{
	{"empty", nil, map[coffer.ChecksumAlgorithm]string{
		coffer.ChecksumCRC32: "AAAAAA==", coffer.ChecksumCRC32C: "AAAAAA==", coffer.ChecksumCRC64NVME: "AAAAAAAAAAA=",
		coffer.ChecksumSHA1:   "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
		coffer.ChecksumSHA256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	}},
	{"a", []byte("a"), map[coffer.ChecksumAlgorithm]string{
		coffer.ChecksumCRC32: "6Le+Qw==", coffer.ChecksumCRC32C: "wdBDMA==", coffer.ChecksumCRC64NVME: "jC+ERbTL/Dw=",
		coffer.ChecksumSHA1:   "hvfkN/qlp/zhXR3cuerq6jd2Z7g=",
		coffer.ChecksumSHA256: "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=",
	}},
	{"hello", []byte("hello"), map[coffer.ChecksumAlgorithm]string{
		coffer.ChecksumCRC32: "NhCmhg==", coffer.ChecksumCRC32C: "mnG7TA==", coffer.ChecksumCRC64NVME: "M3eFcAZSQlc=",
		coffer.ChecksumSHA1:   "qvTGHdzF6KLavt4PO0gs2a6pQ00=",
		coffer.ChecksumSHA256: "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
	}},
	{"hello world", []byte("hello world"), map[coffer.ChecksumAlgorithm]string{
		coffer.ChecksumCRC32: "DUoRhQ==", coffer.ChecksumCRC32C: "yZRlqg==", coffer.ChecksumCRC64NVME: "jSnVw/bqjr4=",
		coffer.ChecksumSHA1:   "Kq5sNclPz7QV2+lfQIuc6R7oRu0=",
		coffer.ChecksumSHA256: "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
	}},
	{"Hello world", []byte("Hello world"), map[coffer.ChecksumAlgorithm]string{
		coffer.ChecksumCRC32: "i9aeUg==", coffer.ChecksumCRC32C: "crUfeA==", coffer.ChecksumCRC64NVME: "OOJZ0D8xKts=",
		coffer.ChecksumSHA1:   "e1AsOh9IyGCa4hLN+2Od7jlnP14=",
		coffer.ChecksumSHA256: "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=",
	}},
	{"123456789", []byte("123456789"), map[coffer.ChecksumAlgorithm]string{
		coffer.ChecksumCRC32: "y/Q5Jg==", coffer.ChecksumCRC32C: "4waSgw==", coffer.ChecksumCRC64NVME: "rosUhgp5mIg=",
		coffer.ChecksumSHA1:   "98O8HYCOBHMq32eZZczDTKeuNEE=",
		coffer.ChecksumSHA256: "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=",
	}},
	{"1 KiB", kiB, map[coffer.ChecksumAlgorithm]string{
		coffer.ChecksumCRC32: "twtMJg==", coffer.ChecksumCRC32C: "LN9ujw==", coffer.ChecksumCRC64NVME: "iI2NLxjQFEc=",
		coffer.ChecksumSHA1:   "WwBmnEgNXP+9+ovbqZVhFg8tG3c=",
		coffer.ChecksumSHA256: "eFsHUfwsU9wUpM49gA5p75zhAJ6zJ8z0WK/gnCQsJsk=",
	}},
}

var md5Vectors = []struct {
	name  string
	input []byte
	want  string
}{
	{"empty", nil, "d41d8cd98f00b204e9800998ecf8427e"},
	{"hello", []byte("hello"), "5d41402abc4b2a76b9719d911017c592"},
	{"hello world", []byte("hello world"), "5eb63bbbe01eeed093cb22bb8f5acdc3"},
	{"1 KiB", kiB, "b2ea9f7fcea831a4a63b213f41a8855b"},
}

var algorithms = []coffer.ChecksumAlgorithm{
	coffer.ChecksumCRC32, coffer.ChecksumCRC32C, coffer.ChecksumCRC64NVME, coffer.ChecksumSHA1, coffer.ChecksumSHA256,
}

func sumOf(alg coffer.ChecksumAlgorithm, data []byte) string {
	h := New(alg)
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func TestNew(t *testing.T) {
	for _, v := range vectors {
		for _, alg := range algorithms {
			t.Run(v.name+"/"+string(alg), func(t *testing.T) {
				if got := sumOf(alg, v.input); got != v.want[alg] {
					t.Fatalf("%s(%q) = %s, want %s", alg, v.input, got, v.want[alg])
				}
				// The same bytes written in pieces give the same sum.
				h := New(alg)
				for _, b := range v.input {
					h.Write([]byte{b})
				}
				if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != v.want[alg] {
					t.Fatalf("byte-wise %s = %s, want %s", alg, got, v.want[alg])
				}
			})
		}
	}
}

func TestNewUnknown(t *testing.T) {
	for _, alg := range []coffer.ChecksumAlgorithm{coffer.ChecksumNone, "MD5", "crc32", "CRC64", "SHA512"} {
		t.Run(string(alg), func(t *testing.T) {
			if h := New(alg); h != nil {
				t.Fatalf("New(%q) = %T, want nil", alg, h)
			}
		})
	}
}

func TestValidValue(t *testing.T) {
	cases := []struct {
		name  string
		alg   coffer.ChecksumAlgorithm
		value string
		want  bool
	}{
		{"CRC32", coffer.ChecksumCRC32, "DUoRhQ==", true},
		{"CRC32C", coffer.ChecksumCRC32C, "yZRlqg==", true},
		{"CRC64NVME", coffer.ChecksumCRC64NVME, "jSnVw/bqjr4=", true},
		{"SHA1", coffer.ChecksumSHA1, "Kq5sNclPz7QV2+lfQIuc6R7oRu0=", true},
		{"SHA256", coffer.ChecksumSHA256, "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=", true},
		{"CRC32 value for CRC64NVME", coffer.ChecksumCRC64NVME, "DUoRhQ==", false},
		{"CRC64NVME value for CRC32", coffer.ChecksumCRC32, "jSnVw/bqjr4=", false},
		{"SHA1 value for SHA256", coffer.ChecksumSHA256, "Kq5sNclPz7QV2+lfQIuc6R7oRu0=", false},
		{"missing padding", coffer.ChecksumCRC32, "DUoRhQ", false},
		{"non-canonical padding bits", coffer.ChecksumCRC32, "DUoRhR==", false},
		{"URL alphabet", coffer.ChecksumSHA256, "uU0nuZNNPgilLlLX2n2r-sSE7-N6U4DukIj3rOLvzek=", false},
		{"inner space", coffer.ChecksumCRC32, "DUoR hQ=", false},
		{"trailing newline", coffer.ChecksumCRC32, "DUoRhQ==\n", false},
		{"hex instead of base64", coffer.ChecksumCRC32, "0d4a1185", false},
		{"empty", coffer.ChecksumCRC32, "", false},
		{"composite suffix", coffer.ChecksumCRC32, "DUoRhQ==-2", false},
		{"no algorithm", coffer.ChecksumNone, "DUoRhQ==", false},
		{"unknown algorithm", "MD5", "XrY7u+Ae7tCTyyK7j1rNww==", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ValidValue(c.alg, c.value); got != c.want {
				t.Fatalf("ValidValue(%s, %q) = %v, want %v", c.alg, c.value, got, c.want)
			}
		})
	}
}
