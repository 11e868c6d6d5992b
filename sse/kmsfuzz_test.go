package sse

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/cofferlabs/coffer"
)

// FuzzParseKMSSealed feeds arbitrary blobs to the SSE-KMS sealed key
// parser: it must never panic, whatever parses must re-encode to the same
// bytes, and only the genuine blob may open.
func FuzzParseKMSSealed(f *testing.F) {
	kek, _ := deriveKEK(ramp(0xa0, 32))
	b := keyBinding{Type: coffer.SSEKMS, Bucket: "bucket", Key: "photos/cat.jpg"}
	genuine, _ := hex.DecodeString(vectorKMSSealedObject)
	bucketBlob, _ := hex.DecodeString(vectorKMSSealedBucket)
	f.Add(genuine)
	f.Add(bucketBlob)
	f.Add(genuine[:len(genuine)-1])
	f.Add(append(bytes.Clone(genuine), 0))
	f.Add([]byte{2, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, blob []byte) {
		parsed, err := parseKMSSealed(blob)
		if err != nil {
			return
		}
		header, err := encodeKMSHeader(parsed.source, parsed.keyARN, parsed.context, parsed.blob)
		if err != nil || !bytes.Equal(header, parsed.header) {
			t.Fatalf("%x parses but its header re-encodes as %x (%v)", blob, header, err)
		}
		key, err := openKMSDataKey(kek, parsed, b)
		if bytes.Equal(blob, genuine) {
			if err != nil || !bytes.Equal(key, ramp(0x60, 32)) {
				t.Fatalf("genuine blob: %v", err)
			}
			return
		}
		if err == nil {
			t.Fatalf("opened a forged blob %x", blob)
		}
	})
}

// FuzzDecodeContext checks that any context that decodes re-encodes to
// the same bytes, so two encodings never name one context.
func FuzzDecodeContext(f *testing.F) {
	frozen, _ := hex.DecodeString(vectorContext)
	f.Add(frozen)
	f.Add([]byte{})
	f.Add([]byte{0, 0})
	f.Add([]byte{0, 1, 0, 1, 'a', 0, 0})
	f.Add([]byte{0, 2, 0, 1, 'b', 0, 0, 0, 1, 'a', 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ec, err := decodeContext(b)
		if err != nil {
			return
		}
		again, err := encodeContext(ec)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("decode(%x) = %v re-encodes as %x (%v)", b, ec, again, err)
		}
	})
}
