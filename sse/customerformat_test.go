package sse

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/cofferlabs/coffer"
)

// SSE-C sealed data key vectors (format 0x03), computed independently with
// Python "cryptography" (HKDF-SHA256, HMAC-SHA256, AES-256-GCM) and frozen.
// Customer key ramp(0xe0, 32), salt ramp(0x10, 32), nonce ramp(0x80, 12),
// data key ramp(0x60, 32), SSE-C / bucket / photos/cat.jpg.
const (
	vectorCustomerSealed      = "03101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2fbb2c86627c34b0f4b5412c444be107c1ca4c83987911e26164cb280d1371b2dc808182838485868788898a8b808de03c7636e1aa34e43113a9048a5cf3b71cd06f9c900c4576c1642f97d715f5cdacb7f6a762b1e29dd2380e4fb677"
	vectorCustomerSealedParts = "03101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f25312ad61e65a88ea355a4d8b4bef8d9c3eaa613eabb30c30be9b87a832608af808182838485868788898a8bbdaba5b4cf692961f8848dd27948485ca2e591d8dd44c5fb7942439f88cc143fd65a43338bc22478c006978c20815298"
)

func vectorCustomerKey() *coffer.CustomerKey {
	ck := &coffer.CustomerKey{MD5: "unused"}
	copy(ck.Key[:], ramp(0xe0, 32))
	return ck
}

func TestVectorCustomerSealedKey(t *testing.T) {
	tests := []struct {
		name    string
		binding keyBinding
		want    string
	}{
		{"single part", keyBinding{Type: coffer.SSEC, Bucket: "bucket", Key: "photos/cat.jpg"}, vectorCustomerSealed},
		{"multipart", keyBinding{Type: coffer.SSEC, Bucket: "bucket", Key: "photos/cat.jpg", UploadID: "upload-1"}, vectorCustomerSealedParts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sealCustomerDataKey(vectorCustomerKey(), tc.binding, ramp(0x60, 32), ramp(0x10, 32), ramp(0x80, 12))
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != tc.want {
				t.Fatalf("sealed = %x\nwant     %s", got, tc.want)
			}
			frozen, _ := hex.DecodeString(tc.want)
			key, err := openCustomerDataKey(vectorCustomerKey(), tc.binding, frozen)
			if err != nil || !bytes.Equal(key, ramp(0x60, 32)) {
				t.Fatalf("opening the frozen blob: %x, %v", key, err)
			}
		})
	}
}

// Every way of presenting a sealed key that is not the genuine pair (key,
// binding) fails with the error that says why, never with a data key.
func TestCustomerSealedKeyRefusals(t *testing.T) {
	b := keyBinding{Type: coffer.SSEC, Bucket: "bucket", Key: "photos/cat.jpg"}
	genuine, _ := hex.DecodeString(vectorCustomerSealed)
	otherKey := vectorCustomerKey()
	otherKey.Key[31] ^= 1
	flip := func(i int) []byte {
		blob := bytes.Clone(genuine)
		blob[i] ^= 0x80
		return blob
	}
	tests := []struct {
		name    string
		ck      *coffer.CustomerKey
		binding keyBinding
		blob    []byte
		want    error
	}{
		{"another customer key", otherKey, b, genuine, coffer.ErrCustomerKeyMismatch},
		{"another object", vectorCustomerKey(), keyBinding{Type: coffer.SSEC, Bucket: "bucket", Key: "photos/dog.jpg"}, genuine, coffer.ErrCustomerKeyMismatch},
		{"another bucket", vectorCustomerKey(), keyBinding{Type: coffer.SSEC, Bucket: "other", Key: "photos/cat.jpg"}, genuine, coffer.ErrCustomerKeyMismatch},
		{"an upload's binding", vectorCustomerKey(), keyBinding{Type: coffer.SSEC, Bucket: "bucket", Key: "photos/cat.jpg", UploadID: "u"}, genuine, coffer.ErrCustomerKeyMismatch},
		{"salt flipped", vectorCustomerKey(), b, flip(5), coffer.ErrCustomerKeyMismatch},
		{"verifier flipped", vectorCustomerKey(), b, flip(40), coffer.ErrCustomerKeyMismatch},
		{"nonce flipped", vectorCustomerKey(), b, flip(70), coffer.ErrSealedKeyInvalid},
		{"ciphertext flipped", vectorCustomerKey(), b, flip(90), coffer.ErrSealedKeyInvalid},
		{"tag flipped", vectorCustomerKey(), b, flip(customerBlobSize - 1), coffer.ErrSealedKeyInvalid},
		{"version changed", vectorCustomerKey(), b, append([]byte{dataKeyBlobV1}, genuine[1:]...), coffer.ErrSealedKeyInvalid},
		{"truncated", vectorCustomerKey(), b, genuine[:customerBlobSize-1], coffer.ErrSealedKeyInvalid},
		{"extended", vectorCustomerKey(), b, append(bytes.Clone(genuine), 0), coffer.ErrSealedKeyInvalid},
		{"empty", vectorCustomerKey(), b, nil, coffer.ErrSealedKeyInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, err := openCustomerDataKey(tc.ck, tc.binding, tc.blob)
			if !errors.Is(err, tc.want) || key != nil {
				t.Fatalf("open: %x, %v; want %v", key, err, tc.want)
			}
			if verr := verifyCustomerKey(tc.ck, tc.binding, tc.blob); errors.Is(tc.want, coffer.ErrCustomerKeyMismatch) != errors.Is(verr, coffer.ErrCustomerKeyMismatch) {
				t.Fatalf("verify: %v; open said %v", verr, err)
			}
		})
	}
}

// The blob keeps neither the key nor anything an observer could match
// against it: two seals of the same key differ everywhere but the version.
func TestCustomerSealedKeyHidesTheKey(t *testing.T) {
	ck := vectorCustomerKey()
	b := keyBinding{Type: coffer.SSEC, Bucket: "bucket", Key: "k"}
	svc := &Service{random: rand.Reader}
	first, err := svc.sealForCustomer(b, ck, ramp(0x60, 32))
	if err != nil {
		t.Fatal(err)
	}
	second, err := svc.sealForCustomer(b, ck, ramp(0x60, 32))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(first, ck.Key[:]) || bytes.Contains(first, md5Raw(ck.Key[:])) {
		t.Fatal("the sealed blob contains the key or its MD5")
	}
	if bytes.Equal(first[1:customerSealedOffset], second[1:customerSealedOffset]) {
		t.Fatal("two seals share salt or verifier")
	}
}

// FuzzOpenCustomerDataKey: arbitrary blobs never panic, and only the
// genuine one opens.
func FuzzOpenCustomerDataKey(f *testing.F) {
	b := keyBinding{Type: coffer.SSEC, Bucket: "bucket", Key: "photos/cat.jpg"}
	genuine, _ := hex.DecodeString(vectorCustomerSealed)
	f.Add(genuine)
	f.Add(genuine[:customerHeaderSize])
	f.Add([]byte{customerBlobV3})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, blob []byte) {
		key, err := openCustomerDataKey(vectorCustomerKey(), b, blob)
		if bytes.Equal(blob, genuine) {
			if err != nil || !bytes.Equal(key, ramp(0x60, 32)) {
				t.Fatalf("genuine blob: %v", err)
			}
			return
		}
		if err == nil {
			t.Fatalf("opened a forged blob %x", blob)
		}
		if !errors.Is(err, coffer.ErrCustomerKeyMismatch) && !errors.Is(err, coffer.ErrSealedKeyInvalid) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
