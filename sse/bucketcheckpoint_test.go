package sse

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

const vectorKeyARN = "arn:aws:kms:eu-test-1:123456789012:key/00000000-0000-4000-8000-000000000001"

// TestBucketCheckpointVector freezes the example in FORMAT.md §11
// (computed independently with Python's struct and hashlib).
func TestBucketCheckpointVector(t *testing.T) {
	c := bucketCheckpoint{Bucket: "photos", KeyARN: vectorKeyARN, BucketKey: true, LastKey: "2024/cat.jpg"}
	const wantHex = "01010000000670686f746f730000004b61726e3a6177733a6b6d733a65752d746573742d313a3132333435363738393031323a6b65792f30303030303030302d303030302d343030302d383030302d3030303030303030303030310000000c323032342f6361742e6a7067"
	const wantName = "sse/rewrap-bucket/44d5fe9716cc364c7266d9741a64cfa24320d9779de54c99e9629b899c9deee6"
	if got := hex.EncodeToString(encodeBucketCheckpoint(c)); got != wantHex {
		t.Fatalf("encoding %s\nwant     %s", got, wantHex)
	}
	if got := c.name(); got != wantName {
		t.Fatalf("name %s, want %s", got, wantName)
	}
	raw, _ := hex.DecodeString(wantHex)
	if got, err := decodeBucketCheckpoint(raw); err != nil || got != c {
		t.Fatalf("decode = %+v, %v", got, err)
	}
}

// TestBucketCheckpointNames: the name depends on bucket and key ARN only,
// and length prefixes keep ("ab","c") and ("a","bc") apart.
func TestBucketCheckpointNames(t *testing.T) {
	base := bucketCheckpoint{Bucket: "photos", KeyARN: vectorKeyARN}
	tests := []struct {
		name  string
		other bucketCheckpoint
		same  bool
	}{
		{"other last key and bucket-key setting", bucketCheckpoint{Bucket: "photos", KeyARN: vectorKeyARN, BucketKey: true, LastKey: "x"}, true},
		{"other bucket", bucketCheckpoint{Bucket: "photos2", KeyARN: vectorKeyARN}, false},
		{"other key", bucketCheckpoint{Bucket: "photos", KeyARN: vectorKeyARN[:len(vectorKeyARN)-1] + "2"}, false},
		{"boundary moved", bucketCheckpoint{Bucket: "photosa", KeyARN: vectorKeyARN[1:]}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := base.name() == tc.other.name(); got != tc.same {
				t.Fatalf("same name = %v, want %v", got, tc.same)
			}
			if !strings.HasPrefix(tc.other.name(), bucketCheckpointPrefix) {
				t.Fatalf("name %q outside %q", tc.other.name(), bucketCheckpointPrefix)
			}
		})
	}
}

func bucketCheckpointCases() []struct {
	name string
	raw  []byte
	ok   bool
} {
	valid := encodeBucketCheckpoint(bucketCheckpoint{Bucket: "b", KeyARN: "k", LastKey: "x"})
	withFlag := func(flag byte) []byte { b := bytes.Clone(valid); b[1] = flag; return b }
	return []struct {
		name string
		raw  []byte
		ok   bool
	}{
		{"valid", valid, true},
		{"bucket key on", withFlag(1), true},
		{"nothing done yet", encodeBucketCheckpoint(bucketCheckpoint{Bucket: "b", KeyARN: "k"}), true},
		{"longest fields", encodeBucketCheckpoint(bucketCheckpoint{Bucket: strings.Repeat("b", 63), KeyARN: strings.Repeat("k", maxKeyARNBytes), LastKey: strings.Repeat("x", coffer.MaxObjectKeyLength)}), true},
		{"empty", nil, false},
		{"version only", []byte{bucketCheckpointV1}, false},
		{"unknown version", append([]byte{2}, valid[1:]...), false},
		{"bad flag", withFlag(2), false},
		{"truncated", valid[:len(valid)-1], false},
		{"trailing byte", append(bytes.Clone(valid), 0), false},
		{"no bucket", encodeBucketCheckpoint(bucketCheckpoint{KeyARN: "k"}), false},
		{"no key ARN", encodeBucketCheckpoint(bucketCheckpoint{Bucket: "b"}), false},
		{"bucket too long", encodeBucketCheckpoint(bucketCheckpoint{Bucket: strings.Repeat("b", 64), KeyARN: "k"}), false},
		{"last key too long", encodeBucketCheckpoint(bucketCheckpoint{Bucket: "b", KeyARN: "k", LastKey: strings.Repeat("x", coffer.MaxObjectKeyLength+1)}), false},
		{"length past the end", []byte{1, 0, 0xff, 0xff, 0xff, 0xff, 'b'}, false},
	}
}

func TestDecodeBucketCheckpoint(t *testing.T) {
	for _, tc := range bucketCheckpointCases() {
		t.Run(tc.name, func(t *testing.T) {
			c, err := decodeBucketCheckpoint(tc.raw)
			if tc.ok != (err == nil) {
				t.Fatalf("decode = %+v, %v; want ok %v", c, err, tc.ok)
			}
			if err != nil && !errors.Is(err, errBucketCheckpoint) {
				t.Fatalf("error %v is not errBucketCheckpoint", err)
			}
			if tc.ok && !bytes.Equal(encodeBucketCheckpoint(c), tc.raw) {
				t.Fatal("a valid checkpoint does not re-encode to its bytes")
			}
		})
	}
}

// FuzzDecodeBucketCheckpoint checks that any checkpoint that decodes
// re-encodes to the same bytes.
func FuzzDecodeBucketCheckpoint(f *testing.F) {
	for _, tc := range bucketCheckpointCases() {
		f.Add(tc.raw)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeBucketCheckpoint(b)
		if err != nil {
			return
		}
		if again := encodeBucketCheckpoint(c); !bytes.Equal(again, b) {
			t.Fatalf("decode(%x) re-encodes as %x", b, again)
		}
	})
}
