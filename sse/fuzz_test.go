package sse

import (
	"bytes"
	"testing"

	"github.com/cofferlabs/coffer"
)

// FuzzOpenDataKey feeds arbitrary blobs to the sealed data key parser: it
// must never panic, and only the genuine blob may open.
func FuzzOpenDataKey(f *testing.F) {
	master, _ := newGCM(ramp(0x20, 32))
	b := keyBinding{Type: coffer.SSES3, Bucket: "bucket", Key: "photos/cat.jpg"}
	genuine := sealDataKey(master, 1, b, ramp(0x60, 32), ramp(0x80, 12))
	f.Add(genuine)
	f.Add(genuine[:dataKeyHeaderSize])
	f.Add([]byte{})
	f.Add(append(bytes.Clone(genuine), 0))
	f.Fuzz(func(t *testing.T, blob []byte) {
		key, err := openDataKey(master, b, blob)
		if bytes.Equal(blob, genuine) {
			if err != nil || !bytes.Equal(key, ramp(0x60, 32)) {
				t.Fatalf("genuine blob: %v", err)
			}
			return
		}
		if err == nil {
			t.Fatalf("opened a forged blob %x", blob)
		}
		if v, err := dataKeyMasterVersion(blob); err == nil && len(blob) != dataKeyBlobSize {
			t.Fatalf("version %d read from a blob of %d bytes", v, len(blob))
		}
	})
}

// FuzzOpenMasterKey does the same for master key envelopes.
func FuzzOpenMasterKey(f *testing.F) {
	kek, _ := rootKEK(ramp(0x00, 32))
	genuine := sealMasterKey(kek, 1, vectorCreated, ramp(0x20, 32), ramp(0x40, 12))
	f.Add(genuine)
	f.Add(genuine[:13])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, envelope []byte) {
		_, key, err := openMasterKey(kek, 1, envelope)
		if bytes.Equal(envelope, genuine) {
			if err != nil || !bytes.Equal(key, ramp(0x20, 32)) {
				t.Fatalf("genuine envelope: %v", err)
			}
			return
		}
		if err == nil {
			t.Fatalf("opened a forged envelope %x", envelope)
		}
	})
}

// FuzzDecodeCheckpoint checks that any checkpoint that decodes re-encodes
// to the same bytes.
func FuzzDecodeCheckpoint(f *testing.F) {
	f.Add(encodeCheckpoint(1, rewrapPosition{Phase: phaseObjects}))
	f.Add(encodeCheckpoint(7, rewrapPosition{Phase: phaseObjects, Bucket: "bucket", Key: "a/b"}))
	f.Add(encodeCheckpoint(7, rewrapPosition{Phase: phaseUploads, Bucket: "bucket", Key: "a/b", UploadID: "upload-1"}))
	f.Add([]byte{2, 0, 0, 0, 1, 1, 0, 0, 0, 9, 'a'})
	f.Add([]byte{1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		version, at, err := decodeCheckpoint(b)
		if err != nil {
			return
		}
		if again := encodeCheckpoint(version, at); !bytes.Equal(again, b) {
			t.Fatalf("decode(%x) re-encodes as %x", b, again)
		}
	})
}

// FuzzParseMasterKeyName checks the name parser against its inverse.
func FuzzParseMasterKeyName(f *testing.F) {
	f.Add("sse/master/00000001")
	f.Add("sse/master/99999999")
	f.Add("sse/master/-0000001")
	f.Add("sse/master/+0000001")
	f.Fuzz(func(t *testing.T, name string) {
		v, err := parseMasterKeyName(name)
		if err != nil {
			return
		}
		if masterKeyName(v) != name {
			t.Fatalf("%q parses as version %d, which is named %q", name, v, masterKeyName(v))
		}
	})
}
