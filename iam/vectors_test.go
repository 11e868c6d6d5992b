package iam

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"
)

// Known-answer vectors, computed independently (Python "cryptography") and
// frozen: a change here is a format change and needs a new format version.
// FORMAT.md §5 lists the same vectors.
const (
	vectorRecordKey     = "ff785c3767b3e8796b1521b718e575417e38679c59a4f832f2e606bab176127b"
	vectorKeyName       = "iam/key/AKIAIOSFODNN7EXAMPLE"
	vectorKeyAAD        = "01636f666665722f69616d2f7265636f72642f76310000001c69616d2f6b65792f414b4941494f53464f444e4e374558414d504c45"
	vectorKeyRecord     = `{"id":"AKIAIOSFODNN7EXAMPLE","userName":"alice","userId":"AIDAJQABLZS4A3QDU576Q","secret":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","status":"Active","created":"2026-03-04T05:06:07Z"}`
	vectorKeyEnvelope   = "01606162636465666768696a6b91f9f231997aa12e375fb8623dde870c623bc7bec13c7394f3edc54e50d0827bd7eb7699c96e379c1940879c7db6bf86a75ddbda5b3496eb5cb4fd34a025c701fb53459c494e5bcabb360ed29b25b02f0a9d1e8522fa27893255285cd11c16343c38e86e90232f84a9e1b8f57798b88e51811c3f4db05c908f941f5ae20b9d807174aa179effa36dc81a6caec6e94a67221d049c1084bafd10bb3a710d25339cc6e58905c3ca291eceab80659667e47ed8c65209ba421212e17e83f6f16aa35a6bea793069c258cb"
	vectorUserName      = "iam/user/alice"
	vectorPolicy        = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	vectorUserRecord    = `{"name":"alice","path":"/","id":"AIDAJQABLZS4A3QDU576Q","created":"2026-03-04T05:06:07Z","policies":[{"name":"read","document":"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}"}]}`
	vectorUserEnvelope  = "01606162636465666768696a6b91f9f534d625a1555e77954211e8e36f0405e8fdec4608fb8c83ac4e1596d53290d871bce54144e7796db1a62a92aefbc17d9d881f2cd0e544f5ce188510e834982b2bf42a482cd4da4176d79847d1381c8f5bda71bf18df3c4d7a44f714192f011ebe3a8d1d40a3e7c7ea9a09ff84ac1f876e6b3db25ab0a3bc2275db79ebe7416dd163d7afa370c60045ffde8f4a1471585fc74496bbee44957d3c256204ca9db3de5894927072dfbccb0de012b7228d931c65af226c4d1d16b087bee8c0ab52d1b72dd7f4d5573aac47c79e153ac3118a13f573a02183efb8484aab987d972ec6c156ee29183e0e34cd6f06064845ee4ebf93fd864331dc77d532a74a0c5592058da4"
	vectorSecret        = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	vectorUserID        = "AIDAJQABLZS4A3QDU576Q"
	vectorRecordKeyText = "coffer/iam/record-key/v1"
)

var vectorCreated = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func ramp(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

// TestVectorRecordKey pins the derivation FORMAT.md prescribes to the
// caller (cmd/coffer), so that the label cannot drift unnoticed.
func TestVectorRecordKey(t *testing.T) {
	mac := hmac.New(sha256.New, ramp(0, 32))
	mac.Write([]byte(vectorRecordKeyText))
	if got := hex.EncodeToString(mac.Sum(nil)); got != vectorRecordKey {
		t.Fatalf("record key = %s, want %s", got, vectorRecordKey)
	}
}

func TestVectorAAD(t *testing.T) {
	if got := hex.EncodeToString(recordAAD(vectorKeyName)); got != vectorKeyAAD {
		t.Fatalf("aad = %s, want %s", got, vectorKeyAAD)
	}
}

// TestVectorRecords checks, for each record kind, that this version
// encodes the record to the frozen JSON, seals it to the frozen envelope,
// and opens and decodes the frozen envelope back.
func TestVectorRecords(t *testing.T) {
	aead, err := newAEAD(ramp(0, 32))
	if err != nil {
		t.Fatal(err)
	}
	u := &user{name: "alice", path: "/", id: vectorUserID, created: vectorCreated,
		policies: []policyRecord{{Name: "read", Document: vectorPolicy}}}
	k := &accessKey{id: "AKIAIOSFODNN7EXAMPLE", user: "alice", userID: vectorUserID, secret: vectorSecret, status: StatusActive, created: vectorCreated}
	for _, tt := range []struct {
		name, storeName, json, envelope string
		record                          any
	}{
		{"access key", vectorKeyName, vectorKeyRecord, vectorKeyEnvelope, k.record(u)},
		{"user", vectorUserName, vectorUserRecord, vectorUserEnvelope, u.record()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := json.Marshal(tt.record)
			if err != nil {
				t.Fatal(err)
			}
			if string(encoded) != tt.json {
				t.Fatalf("record JSON\n%s\nwant\n%s", encoded, tt.json)
			}
			sealed := sealWithNonce(aead, ramp(0x60, 12), tt.storeName, encoded)
			if got := hex.EncodeToString(sealed); got != tt.envelope {
				t.Fatalf("envelope\n%s\nwant\n%s", got, tt.envelope)
			}
			frozen, _ := hex.DecodeString(tt.envelope)
			opened, err := open(aead, tt.storeName, frozen)
			if err != nil || !bytes.Equal(opened, []byte(tt.json)) {
				t.Fatalf("open = %q, %v", opened, err)
			}
		})
	}
	gotUser, err := decodeUser(vectorUserName, []byte(vectorUserRecord), "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	if gotUser.public() != (User{Name: "alice", Path: "/", ID: vectorUserID, ARN: "arn:aws:iam::111122223333:user/alice", Created: vectorCreated}) ||
		len(gotUser.policies) != 1 || gotUser.policies[0].Document != vectorPolicy {
		t.Fatalf("decoded user = %+v", gotUser)
	}
	gotKey, owner, err := decodeKey(vectorKeyName, []byte(vectorKeyRecord))
	if err != nil || owner != "alice" || *gotKey != *k {
		t.Fatalf("decoded key = %v of %s, %v", gotKey, owner, err)
	}
}

// TestEnvelopeRefusals: a record opens only under its own name, with its
// own key, unaltered.
func TestEnvelopeRefusals(t *testing.T) {
	frozen, _ := hex.DecodeString(vectorKeyEnvelope)
	flip := func(i int) []byte {
		b := bytes.Clone(frozen)
		b[i] ^= 0x01
		return b
	}
	for _, tt := range []struct {
		name     string
		key      []byte
		store    string
		envelope []byte
	}{
		{"another access key id", ramp(0, 32), "iam/key/AKIAIOSFODNN7EXAMPLF", frozen},
		{"a user's name", ramp(0, 32), "iam/user/alice", frozen},
		{"another record key", ramp(1, 32), vectorKeyName, frozen},
		{"version byte", ramp(0, 32), vectorKeyName, flip(0)},
		{"nonce", ramp(0, 32), vectorKeyName, flip(5)},
		{"ciphertext", ramp(0, 32), vectorKeyName, flip(40)},
		{"tag", ramp(0, 32), vectorKeyName, flip(len(frozen) - 1)},
		{"truncated", ramp(0, 32), vectorKeyName, frozen[:envelopeHeader+tagSize-1]},
		{"empty", ramp(0, 32), vectorKeyName, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			aead, err := newAEAD(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if plaintext, err := open(aead, tt.store, tt.envelope); err == nil {
				t.Fatalf("opened: %q", plaintext)
			}
		})
	}
}
