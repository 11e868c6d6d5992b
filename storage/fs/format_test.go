package fs

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// TestRecordFormat freezes the encoding of records on disk. If it fails,
// the format changed: bump formatVersion and migrate, never edit the
// expected bytes.
func TestRecordFormat(t *testing.T) {
	when := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	cases := []struct {
		name string
		rec  any
		want string
	}{
		{"Object", coffer.ObjectRecord{
			Bucket: "b", Key: "k", DataID: "00112233445566778899aabbccddeeff", Size: 3, StoredSize: 35,
			ETag: "e", Modified: when, Meta: coffer.ObjectMeta{ContentType: "text/plain", User: map[string]string{"a": "1"}},
			Encryption: coffer.EncryptionInfo{Type: coffer.SSES3}, SealedKey: []byte{1, 2, 3},
		}, "01" + hex.EncodeToString([]byte(`{"b":"b","k":"k","d":"00112233445566778899aabbccddeeff","s":3,"ss":35,"e":"e","m":"2025-01-02T03:04:05.000000006Z","meta":{"ct":"text/plain","um":{"a":"1"}},"ck":{},"enc":{"type":"AES256"},"sk":"AQID"}`))},
		{"Part", coffer.PartRecord{Number: 7, DataID: "ff", Size: 1, StoredSize: 33, ETag: "p", Modified: when, Nonce: []byte{9}},
			"01" + hex.EncodeToString([]byte(`{"n":7,"d":"ff","s":1,"ss":33,"e":"p","m":"2025-01-02T03:04:05.000000006Z","ck":{},"nc":"CQ=="}`))},
		{"Bucket", coffer.BucketRecord{Name: "b", Created: when, Config: map[string][]byte{"x": []byte("y")}},
			"01" + hex.EncodeToString([]byte(`{"name":"b","created":"2025-01-02T03:04:05.000000006Z","config":{"x":"eQ=="}}`))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encode(tc.rec)
			noErr(t, err)
			if hex.EncodeToString(got) != tc.want {
				t.Fatalf("encoding changed:\n got %x\nwant %s", got, tc.want)
			}
		})
	}
}

// FuzzDecode: no stored bytes, however damaged, make decode panic, and
// whatever decodes re-encodes to a record that decodes the same.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, '{', '}'})
	f.Add(append([]byte{1}, `{"b":"b","k":"k","d":"00","p":[{"n":1,"d":"ff"}],"sk":"AQID"}`...))
	f.Add(append([]byte{2}, `{}`...))
	f.Fuzz(func(t *testing.T, b []byte) {
		var rec coffer.ObjectRecord
		if decode(b, &rec) != nil {
			return
		}
		again, err := encode(rec)
		if err != nil {
			t.Fatalf("re-encoding a decoded record: %v", err)
		}
		var back coffer.ObjectRecord
		if err := decode(again, &back); err != nil {
			t.Fatalf("decoding a re-encoded record: %v", err)
		}
	})
}

func TestDecodeRejects(t *testing.T) {
	cases := map[string][]byte{
		"Empty":          nil,
		"UnknownVersion": append([]byte{2}, `{}`...),
		"NotJSON":        []byte{1, '{'},
	}
	for name, b := range cases {
		var rec coffer.ObjectRecord
		if err := decode(b, &rec); err == nil {
			t.Errorf("%s: decode succeeded", name)
		}
	}
}
