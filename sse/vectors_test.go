package sse

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// Known-answer vectors, computed independently (Python "cryptography") and
// frozen: a change here is a format change and needs a new format version.
// FORMAT.md lists the same vectors.
const (
	vectorRootKEK            = "fb6b3b43a90411bd9dda1fc36dcbdbc615d2b1b4da250f332cff0c7c723e2a70"
	vectorMasterEnvelope     = "01404142434445464748494a4b47bca4d98493c7c3b778612a3d76d21aad5ee269496d5f6043eede7aad2333c08bf5ce7aafb7a848e7f657b89af9e533b16390ed2e5bb68f"
	vectorSealedDataKey      = "0100000001808182838485868788898a8bedc06bb4f6cf222ab3b4e72831e3b303e30a38cda5c5d5f37042ed223e23cbb28ca707cb13147a4eb394aeaf5522df00"
	vectorSealedDataKeyParts = "0100000007808182838485868788898a8bedc06bb4f6cf222ab3b4e72831e3b303e30a38cda5c5d5f37042ed223e23cbb2031c2398b89427a171e333105e80c96b"
	vectorStreamKeyPart0     = "9d6dbf82f9113311d7c7097401594bf0fdd15f1dc187348272b44c2acde35b8d"
	vectorStreamKeyPart3     = "322c590e88f8cf69b540e10c2a142dd7456ba41eb8aaf958fe6412576cd722b7"
)

var vectorCreated = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func TestVectorRootKEK(t *testing.T) {
	mac := hmac.New(sha256.New, ramp(0x00, 32))
	mac.Write([]byte(rootKEKLabel))
	if got := hex.EncodeToString(mac.Sum(nil)); got != vectorRootKEK {
		t.Fatalf("root KEK = %s, want %s", got, vectorRootKEK)
	}
}

func TestVectorMasterEnvelope(t *testing.T) {
	kek, err := rootKEK(ramp(0x00, 32))
	if err != nil {
		t.Fatal(err)
	}
	got := sealMasterKey(kek, 1, vectorCreated, ramp(0x20, 32), ramp(0x40, 12))
	if hex.EncodeToString(got) != vectorMasterEnvelope {
		t.Fatalf("master envelope = %x, want %s", got, vectorMasterEnvelope)
	}
	frozen, _ := hex.DecodeString(vectorMasterEnvelope)
	created, key, err := openMasterKey(kek, 1, frozen)
	if err != nil || !created.Equal(vectorCreated) || hex.EncodeToString(key) != hex.EncodeToString(ramp(0x20, 32)) {
		t.Fatalf("opening the frozen envelope: created %v, err %v", created, err)
	}
}

func TestVectorSealedDataKey(t *testing.T) {
	master, err := newGCM(ramp(0x20, 32))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		version uint32
		binding keyBinding
		want    string
	}{
		{"single part", 1, keyBinding{Type: coffer.SSES3, Bucket: "bucket", Key: "photos/cat.jpg"}, vectorSealedDataKey},
		{"multipart", 7, keyBinding{Type: coffer.SSES3, Bucket: "bucket", Key: "photos/cat.jpg", UploadID: "upload-1"}, vectorSealedDataKeyParts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sealDataKey(master, tc.version, tc.binding, ramp(0x60, 32), ramp(0x80, 12))
			if hex.EncodeToString(got) != tc.want {
				t.Fatalf("sealed data key = %x, want %s", got, tc.want)
			}
			frozen, _ := hex.DecodeString(tc.want)
			key, err := openDataKey(master, tc.binding, frozen)
			if err != nil || hex.EncodeToString(key) != hex.EncodeToString(ramp(0x60, 32)) {
				t.Fatalf("opening the frozen blob: %x, %v", key, err)
			}
		})
	}
}

func TestVectorStreamKey(t *testing.T) {
	tests := []struct {
		name  string
		part  int
		nonce []byte
		want  string
	}{
		{"single part", 0, nil, vectorStreamKeyPart0},
		{"part 3", 3, ramp(0xa0, 16), vectorStreamKeyPart3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := hex.EncodeToString(streamKey(ramp(0x60, 32), tc.part, tc.nonce)); got != tc.want {
				t.Fatalf("stream key = %s, want %s", got, tc.want)
			}
		})
	}
}
