package sse

import (
	"bytes"
	"maps"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

// TestKMSMultipart: CreateMultipartUpload generates the upload's key (one
// GenerateDataKey), every UploadPart and UploadPartCopy opens it (one
// Decrypt each), Complete opens it once more, and the object reads back
// with a -N ETag made of part ETags that are not the parts' MD5s.
func TestKMSMultipart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newKMSEnv(t, b, Options{})
		arn := e.kms.createKey()
		src := patterned(300_000, 9)
		if _, err := e.putKMS("source", src, kmsRequestFor(arn)); err != nil {
			t.Fatal(err)
		}
		userContext := map[string]string{"team": "storage"}
		start := e.kms.count("")
		up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "big", coffer.UploadOptions{
			Encryption: coffer.EncryptionRequest{Type: coffer.SSEKMS, KMSKeyID: arn, KMSContext: userContext},
		})
		if err != nil {
			t.Fatal(err)
		}
		if up.Encryption != (coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: arn}) {
			t.Fatalf("upload encryption %+v", up.Encryption)
		}
		wantEC := kmsContext(userContext, "arn:aws:s3:::"+testBucket+"/big")
		if call := e.kms.lastCall(); call.Op != "GenerateDataKey" || !maps.Equal(call.Context, wantEC) {
			t.Fatalf("create: %+v", call)
		}
		part1 := patterned(coffer.MinPartSize, 1)
		p1, err := e.svc.UploadPart(e.ctx, testBucket, "big", up.UploadID, 1, bytes.NewReader(part1), coffer.PartOptions{Check: coffer.BodyCheck{Size: int64(len(part1))}})
		if err != nil {
			t.Fatal(err)
		}
		if p1.ETag == md5Hex(part1) || !hexETag.MatchString(p1.ETag) || p1.Encryption.Type != coffer.SSEKMS || p1.Encryption.KMSKeyARN != arn {
			t.Fatalf("part 1: %+v", p1)
		}
		if call := e.kms.lastCall(); call.Op != "Decrypt" || !maps.Equal(call.Context, wantEC) {
			t.Fatalf("upload part: %+v", call)
		}
		p2, err := e.svc.UploadPartCopy(e.ctx, testBucket, "big", up.UploadID, 2,
			coffer.CopySource{Bucket: testBucket, Key: "source", Range: &coffer.Range{Start: 1000, End: 200_999}}, coffer.PartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		info, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "big", up.UploadID, coffer.CompleteOptions{Parts: []coffer.CompletePart{
			{Number: 1, ETag: p1.ETag}, {Number: 2, ETag: p2.ETag},
		}})
		if err != nil {
			t.Fatal(err)
		}
		// create 1 + part 1 + part copy (source and upload) 2 + complete 1
		if n := e.kms.count("") - start; n != 5 || e.kms.count("GenerateDataKey") != 2 {
			t.Fatalf("%d KMS calls for the upload, want 5", n)
		}
		if !strings.HasSuffix(info.ETag, "-2") || info.Encryption.KMSKeyARN != arn {
			t.Fatalf("completed %+v", info)
		}
		want := append(bytes.Clone(part1), src[1000:201_000]...)
		mustEqualBytes(t, e.mustRead("big"), want)
		part, _, err := e.read("big", coffer.GetOptions{PartNumber: 2})
		if err != nil {
			t.Fatal(err)
		}
		mustEqualBytes(t, part, src[1000:201_000])
	})
}

// TestKMSCompleteNeedsDecrypt: a key disabled after the parts went up
// stops completion, which leaves the upload to complete later.
func TestKMSCompleteNeedsDecrypt(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	arn := e.kms.createKey()
	up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{Encryption: kmsRequestFor(arn)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, 1, strings.NewReader("x"), coffer.PartOptions{Check: coffer.BodyCheck{Size: 1}})
	if err != nil {
		t.Fatal(err)
	}
	e.kms.setState(arn, "Disabled")
	parts := coffer.CompleteOptions{Parts: []coffer.CompletePart{{Number: 1, ETag: p.ETag}}}
	_, err = e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", up.UploadID, parts)
	checkKMSFailure(t, err, "DisabledException", "")
	e.kms.setState(arn, "Enabled")
	if _, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", up.UploadID, parts); err != nil {
		t.Fatal(err)
	}
	if got := e.mustRead("k"); string(got) != "x" {
		t.Fatalf("read %q", got)
	}
}

// TestKMSCopy covers copies between SSE-S3 and SSE-KMS: the destination
// is encrypted as the request (or its bucket) says, never as the source
// was, and the source's context is not carried over (spec §3.5).
func TestKMSCopy(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	arn := e.kms.createKey()
	other := e.kms.createKey()
	data := patterned(70_000, 5)
	e.put("plain", data)
	req := kmsRequestFor(arn)
	req.KMSContext = map[string]string{"source": "only"}
	if _, err := e.putKMS("secret", data, req); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		source  string
		enc     coffer.EncryptionRequest
		want    coffer.EncryptionInfo
		wantEC  map[string]string // of the destination's GenerateDataKey; nil: no KMS call for it
		decrypt bool              // the source needs a Decrypt
	}{
		{"SSE-S3 to SSE-KMS", "plain", kmsRequestFor(arn), coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: arn},
			map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/dst"}, false},
		{"SSE-KMS to SSE-S3", "secret", coffer.EncryptionRequest{}, coffer.EncryptionInfo{Type: coffer.SSES3}, nil, true},
		{"SSE-KMS to another key, context not copied", "secret", kmsRequestFor(other), coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: other},
			map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/dst"}, true},
		{"SSE-KMS with a new context", "secret", coffer.EncryptionRequest{Type: coffer.SSEKMS, KMSKeyID: arn, KMSContext: map[string]string{"new": "yes"}},
			coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: arn}, map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/dst", "new": "yes"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			decrypts, generates := e.kms.count("Decrypt"), e.kms.count("GenerateDataKey")
			info, err := e.svc.CopyObject(e.ctx, testBucket, "dst", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: tc.source}, Encryption: tc.enc})
			if err != nil {
				t.Fatal(err)
			}
			if info.Encryption != tc.want {
				t.Fatalf("encryption %+v, want %+v", info.Encryption, tc.want)
			}
			if (info.ETag == md5Hex(data)) != (tc.want.Type == coffer.SSES3) {
				t.Fatalf("ETag %s: MD5 for SSE-S3 only", info.ETag)
			}
			if got := e.kms.count("Decrypt") - decrypts; got != map[bool]int{false: 0, true: 1}[tc.decrypt] {
				t.Fatalf("%d Decrypt calls", got)
			}
			if got := e.kms.count("GenerateDataKey") - generates; got != map[bool]int{false: 0, true: 1}[tc.wantEC != nil] {
				t.Fatalf("%d GenerateDataKey calls", got)
			}
			if tc.wantEC != nil {
				if call := e.kms.lastCall(); !maps.Equal(call.Context, tc.wantEC) {
					t.Fatalf("destination context %v, want %v", call.Context, tc.wantEC)
				}
			}
			mustEqualBytes(t, e.mustRead("dst"), data)
		})
	}
}
