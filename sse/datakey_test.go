package sse

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"testing"

	"github.com/cofferlabs/coffer"
)

func TestDataKeyBindsTheObject(t *testing.T) {
	master, _ := newGCM(ramp(0x20, 32))
	sealedFor := keyBinding{Type: coffer.SSES3, Bucket: "bucket", Key: "a/b", UploadID: "up"}
	blob := sealDataKey(master, 3, sealedFor, ramp(0x60, 32), ramp(0x80, 12))
	if bytes.Contains(blob, ramp(0x60, 32)) {
		t.Fatal("the blob holds the data key in the clear")
	}
	if key, err := openDataKey(master, sealedFor, blob); err != nil || !bytes.Equal(key, ramp(0x60, 32)) {
		t.Fatalf("round trip: %x, %v", key, err)
	}
	other, _ := newGCM(ramp(0x21, 32))
	tests := []struct {
		name    string
		master  cipher.AEAD
		binding keyBinding
		blob    func() []byte
	}{
		{"other bucket", master, keyBinding{Type: coffer.SSES3, Bucket: "bucket2", Key: "a/b", UploadID: "up"}, nil},
		{"other key", master, keyBinding{Type: coffer.SSES3, Bucket: "bucket", Key: "a/c", UploadID: "up"}, nil},
		{"no upload", master, keyBinding{Type: coffer.SSES3, Bucket: "bucket", Key: "a/b"}, nil},
		{"other upload", master, keyBinding{Type: coffer.SSES3, Bucket: "bucket", Key: "a/b", UploadID: "up2"}, nil},
		{"other type", master, keyBinding{Type: coffer.SSEKMS, Bucket: "bucket", Key: "a/b", UploadID: "up"}, nil},
		{"field boundary moved", master, keyBinding{Type: coffer.SSES3, Bucket: "bucketa", Key: "/b", UploadID: "up"}, nil},
		{"other master key", other, sealedFor, nil},
		{"master version rewritten", master, sealedFor, func() []byte { b := bytes.Clone(blob); b[4] = 4; return b }},
		{"flipped tag bit", master, sealedFor, func() []byte { b := bytes.Clone(blob); b[len(b)-1] ^= 1; return b }},
		{"flipped nonce bit", master, sealedFor, func() []byte { b := bytes.Clone(blob); b[6] ^= 1; return b }},
		{"truncated", master, sealedFor, func() []byte { return blob[:len(blob)-1] }},
		{"extended", master, sealedFor, func() []byte { return append(bytes.Clone(blob), 0) }},
		{"unknown format", master, sealedFor, func() []byte { b := bytes.Clone(blob); b[0] = 2; return b }},
		{"empty", master, sealedFor, func() []byte { return nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := blob
			if tc.blob != nil {
				b = tc.blob()
			}
			if key, err := openDataKey(tc.master, tc.binding, b); err == nil || key != nil {
				t.Fatalf("opened: %x", key)
			}
		})
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	long := string(bytes.Repeat([]byte("k"), coffer.MaxObjectKeyLength))
	tests := []struct {
		name    string
		version uint32
		at      rewrapPosition
	}{
		{"object, empty names", 1, rewrapPosition{Phase: phaseObjects}},
		{"object", 7, rewrapPosition{Phase: phaseObjects, Bucket: "bucket", Key: "a/b/c"}},
		{"object, long key", 1 << 31, rewrapPosition{Phase: phaseObjects, Bucket: "b-b", Key: long}},
		{"upload", 3, rewrapPosition{Phase: phaseUploads, Bucket: "bucket", Key: "a/b", UploadID: "upload-1"}},
		{"upload, long key", 9, rewrapPosition{Phase: phaseUploads, Bucket: "b", Key: long, UploadID: "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, at, err := decodeCheckpoint(encodeCheckpoint(tc.version, tc.at))
			if err != nil || v != tc.version || at != tc.at {
				t.Fatalf("decode = %d, %+v, %v", v, at, err)
			}
		})
	}
	// Frozen: a change to the layout must show here and in FORMAT.md.
	got := hex.EncodeToString(encodeCheckpoint(2, rewrapPosition{Phase: phaseUploads, Bucket: "b", Key: "k", UploadID: "u1"}))
	if want := "0200000002020000000162000000016b000000027531"; got != want {
		t.Fatalf("upload checkpoint encodes as %s, want %s", got, want)
	}
	bad := map[string][]byte{
		"empty":                         nil,
		"short":                         {2, 0, 0},
		"format 1, from before uploads": {1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
		"unknown format":                {3, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"no phase":                      {2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"unknown phase":                 {2, 0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"upload ID in objects phase":    {2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'u'},
		"length too long":               {2, 0, 0, 0, 1, 1, 0, 0, 0, 9, 'a'},
		"field over the limit":          append([]byte{2, 0, 0, 0, 1, 2, 0, 0, 4, 1}, bytes.Repeat([]byte("k"), 1025)...),
		"trailing bytes":                {2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"missing upload ID":             {2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0},
	}
	for name, b := range bad {
		t.Run("bad "+name, func(t *testing.T) {
			if _, _, err := decodeCheckpoint(b); err == nil {
				t.Fatal("decoded a malformed checkpoint")
			}
		})
	}
}
