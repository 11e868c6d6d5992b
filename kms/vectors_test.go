package kms

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// Known-answer vectors, computed independently (Python "cryptography") and
// frozen: a change here is a format change and needs a new format version.
// FORMAT.md lists the same vectors.
const (
	vectorRecordKEK     = "0df87dc58fe43aac7cff8b77d58156db4f3e9f837f0590ad272d1da4a9bcbffa"
	vectorMaterialID    = "de9faed05c05f7b2f56c9467b52c89fa6a234cb9ac723e37877b70c8c2ce8706"
	vectorContext       = "0002000161000131000a6177733a73333a61726e001761726e3a6177733a73333a3a3a6275636b65742f6b6579"
	vectorBlob          = "010f0e0d0c0b0a49088706050403020100de9faed05c05f7b2f56c9467b52c89fa6a234cb9ac723e37877b70c8c2ce8706404142434445464748494a4b4c4d4e4f505152535455565758595a5b2bba0a6da20ae9581fe1bf11a8bbcfcf38080484a2da67eab924"
	vectorBlobNoContext = "010f0e0d0c0b0a49088706050403020100de9faed05c05f7b2f56c9467b52c89fa6a234cb9ac723e37877b70c8c2ce8706404142434445464748494a4b4c4d4e4f505152535455565758595a5b2bba0a6da20ae9581fe1357301e8d0762f1a303b190454b5d0b9"
	vectorEnvelope      = "01606162636465666768696a6bd1431f61cfa73b821862d63e243e9101c465ca503240c935b62e"
	vectorKeyID         = "0f0e0d0c-0b0a-4908-8706-050403020100"
)

var vectorS3Context = map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/key"}

func TestVectorRecordKEK(t *testing.T) {
	if got := hex.EncodeToString(hmacSHA256(ramp(0x00, 32), []byte(recordKEKLabel))); got != vectorRecordKEK {
		t.Fatalf("record KEK = %s, want %s", got, vectorRecordKEK)
	}
}

func TestVectorMaterialID(t *testing.T) {
	if got := deriveMaterialID(ramp(0x20, 32)).String(); got != vectorMaterialID {
		t.Fatalf("material id = %s, want %s", got, vectorMaterialID)
	}
}

func TestVectorContext(t *testing.T) {
	got, ok := canonicalContext(map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/key", "a": "1"})
	if !ok || hex.EncodeToString(got) != vectorContext {
		t.Fatalf("canonical context = %x, want %s", got, vectorContext)
	}
	if empty, ok := canonicalContext(nil); !ok || len(empty) != 0 {
		t.Fatalf("empty context = %x", empty)
	}
}

func vectorMaterial() *material {
	secret := ramp(0x20, 32)
	return &material{id: deriveMaterialID(secret), secret: secret}
}

func vectorHeader(t testing.TB) blobHeader {
	id, err := uuidBytes(vectorKeyID)
	if err != nil {
		t.Fatal(err)
	}
	h := blobHeader{keyID: id, materialID: vectorMaterial().id}
	copy(h.salt[:], ramp(0x40, 16))
	copy(h.nonce[:], ramp(0x50, 12))
	return h
}

func TestVectorBlobs(t *testing.T) {
	cases := []struct {
		name string
		ec   map[string]string
		want string
	}{
		{"S3 context", vectorS3Context, vectorBlob},
		{"no context", nil, vectorBlobNoContext},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ec, _ := canonicalContext(tc.ec)
			got, err := sealBlob(vectorHeader(t), vectorMaterial(), []byte("hello, kms"), ec)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != tc.want {
				t.Fatalf("blob = %x, want %s", got, tc.want)
			}
			frozen, _ := hex.DecodeString(tc.want)
			h, err := parseBlob(frozen)
			if err != nil || uuidString(h.keyID) != vectorKeyID || h.materialID != vectorMaterial().id {
				t.Fatalf("parsing the frozen blob: %+v, %v", h, err)
			}
			plaintext, err := openBlob(frozen, vectorMaterial(), ec)
			if err != nil || string(plaintext) != "hello, kms" {
				t.Fatalf("opening the frozen blob: %q, %v", plaintext, err)
			}
		})
	}
}

func TestVectorEnvelope(t *testing.T) {
	kek, err := deriveRecordKEK(ramp(0x00, 32))
	if err != nil {
		t.Fatal(err)
	}
	name := keyStoreName(vectorKeyID)
	got := sealRecord(kek, name, []byte(`{"id":"x"}`), ramp(0x60, 12))
	if hex.EncodeToString(got) != vectorEnvelope {
		t.Fatalf("envelope = %x, want %s", got, vectorEnvelope)
	}
	frozen, _ := hex.DecodeString(vectorEnvelope)
	plaintext, err := openRecord(kek, name, frozen)
	if err != nil || !bytes.Equal(plaintext, []byte(`{"id":"x"}`)) {
		t.Fatalf("opening the frozen envelope: %q, %v", plaintext, err)
	}
	if _, err := openRecord(kek, keyStoreName("00000000-0000-4000-8000-000000000000"), frozen); err == nil {
		t.Fatal("the envelope opened under another name")
	}
}
