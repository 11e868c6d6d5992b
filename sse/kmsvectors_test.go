package sse

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/cofferlabs/coffer"
)

// Known-answer vectors of the SSE-KMS formats (FORMAT.md §6, §9, §10), computed
// independently (Python "cryptography") and frozen like vectors_test.go.
const (
	vectorContext         = "0002000a6177733a73333a61726e002261726e3a6177733a73333a3a3a6275636b65742f70686f746f732f6361742e6a7067000a6465706172746d656e74000766696e616e6365"
	vectorKMSKEK          = "6853478462e7dbf63ed3ff73524c681c8b4cc7e7d6721824fe5617e1e24621ee"
	vectorKMSSealedObject = "0201004b61726e3a6177733a6b6d733a65752d746573742d313a3132333435363738393031323a6b65792f30303030303030302d303030302d343030302d383030302d30303030303030303030303100170001000a6465706172746d656e74000766696e616e63650028c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7808182838485868788898a8b5463b963d1885de773f72fe1ccd4b5f299af442d8ec9863937e9e841dba9ff65dfd8f60659768daf68cfbf70829b3405"
	vectorKMSSealedBucket = "0202004b61726e3a6177733a6b6d733a65752d746573742d313a3132333435363738393031323a6b65792f30303030303030302d303030302d343030302d383030302d30303030303030303030303100000028c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7808182838485868788898a8b5463b963d1885de773f72fe1ccd4b5f299af442d8ec9863937e9e841dba9ff657737995c2dbfec738a17418fe70c67c3"
	vectorKMSETag         = "b426cbb416e7fa14f45205183f26620b"
	vectorKMSKeyARN       = "arn:aws:kms:eu-test-1:123456789012:key/00000000-0000-4000-8000-000000000001"
)

func TestVectorContextEncoding(t *testing.T) {
	ec := map[string]string{"department": "finance", "aws:s3:arn": "arn:aws:s3:::bucket/photos/cat.jpg"}
	got, err := encodeContext(ec)
	if err != nil || hex.EncodeToString(got) != vectorContext {
		t.Fatalf("context = %x, %v; want %s", got, err, vectorContext)
	}
	frozen, _ := hex.DecodeString(vectorContext)
	back, err := decodeContext(frozen)
	if err != nil || len(back) != 2 || back["department"] != "finance" || back["aws:s3:arn"] != ec["aws:s3:arn"] {
		t.Fatalf("decoding the frozen context: %v %v", back, err)
	}
}

func TestVectorKMSKEK(t *testing.T) {
	mac := hmac.New(sha256.New, ramp(0xa0, 32))
	mac.Write([]byte(kmsKEKLabel))
	if got := hex.EncodeToString(mac.Sum(nil)); got != vectorKMSKEK {
		t.Fatalf("KEK = %s, want %s", got, vectorKMSKEK)
	}
}

func TestVectorKMSSealedKey(t *testing.T) {
	kek, err := deriveKEK(ramp(0xa0, 32))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		source  byte
		context map[string]string
		binding keyBinding
		want    string
	}{
		{"object key with context", keySourceObject, map[string]string{"department": "finance"},
			keyBinding{Type: coffer.SSEKMS, Bucket: "bucket", Key: "photos/cat.jpg"}, vectorKMSSealedObject},
		{"bucket key, multipart", keySourceBucket, nil,
			keyBinding{Type: coffer.SSEKMS, Bucket: "bucket", Key: "photos/cat.jpg", UploadID: "upload-1"}, vectorKMSSealedBucket},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctxBytes, _ := encodeContext(tc.context)
			header, err := encodeKMSHeader(tc.source, vectorKMSKeyARN, ctxBytes, ramp(0xc0, 40))
			if err != nil {
				t.Fatal(err)
			}
			got := sealKMSDataKey(kek, header, tc.binding, ramp(0x60, 32), ramp(0x80, 12))
			if hex.EncodeToString(got) != tc.want {
				t.Fatalf("sealed = %x\nwant      %s", got, tc.want)
			}
			frozen, _ := hex.DecodeString(tc.want)
			parsed, err := parseKMSSealed(frozen)
			if err != nil || parsed.source != tc.source || parsed.keyARN != vectorKMSKeyARN || !bytes.Equal(parsed.blob, ramp(0xc0, 40)) {
				t.Fatalf("parsing the frozen blob: %+v %v", parsed, err)
			}
			key, err := openKMSDataKey(kek, parsed, tc.binding)
			if err != nil || !bytes.Equal(key, ramp(0x60, 32)) {
				t.Fatalf("opening the frozen blob: %x %v", key, err)
			}
		})
	}
}

func TestVectorKMSETag(t *testing.T) {
	if got := objectETag(coffer.SSEKMS, ramp(0x60, 32), md5Raw([]byte("hello"))); got != vectorKMSETag {
		t.Fatalf("ETag = %s, want %s", got, vectorKMSETag)
	}
	if got := objectETag(coffer.SSES3, ramp(0x60, 32), md5Raw([]byte("hello"))); got != md5Hex([]byte("hello")) {
		t.Fatalf("SSE-S3 ETag = %s, want the MD5", got)
	}
}
