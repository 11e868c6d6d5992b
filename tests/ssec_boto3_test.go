package tests

import (
	"net/http"
	"strings"
	"testing"
)

// SSE-C response headers (spec §3.3).
const (
	hdrSSE          = "x-amz-server-side-encryption"
	hdrSSECAlg      = "x-amz-server-side-encryption-customer-algorithm"
	hdrSSECKeyMD5   = "x-amz-server-side-encryption-customer-key-md5"
	hdrSSEKMSKeyID  = "x-amz-server-side-encryption-aws-kms-key-id"
	ssecBotoBucket  = "ssec-boto"
	ssecBotoBlocked = "ssec-boto-blocked"
)

// wantSSECError checks an S3 error's status, code and message. HEAD has
// no body, so botocore reports the status as the code and a generic
// message: for HEAD pass the status as code and "" as message.
func wantSSECError(t *testing.T, r boto3Result, status int, code, message string) {
	t.Helper()
	if r.Error == nil {
		t.Fatalf("succeeded (%d), want %d %s", r.Status, status, code)
	}
	if r.Status != status || r.Error.Code != code || (message != "" && !strings.Contains(r.Error.Message, message)) {
		t.Fatalf("got %d %s %q, want %d %s %q", r.Status, r.Error.Code, r.Error.Message, status, code, message)
	}
}

// wantSSECPair checks that a response reports SSE-C with key (and no
// x-amz-server-side-encryption), or, for a nil key, no encryption headers
// of any kind.
func wantSSECPair(t *testing.T, r boto3Result, key *ssecKey) {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("%d %s: %s", r.Status, r.Error.Code, r.Error.Message)
	}
	if v, ok := r.Headers[hdrSSE]; ok {
		t.Errorf("%s: %q on an SSE-C response", hdrSSE, v)
	}
	if v, ok := r.Headers[hdrSSEKMSKeyID]; ok {
		t.Errorf("%s: %q on an SSE-C response", hdrSSEKMSKeyID, v)
	}
	if key == nil {
		for _, h := range []string{hdrSSECAlg, hdrSSECKeyMD5} {
			if v, ok := r.Headers[h]; ok {
				t.Errorf("%s: %q, want none", h, v)
			}
		}
		return
	}
	if r.Headers[hdrSSECAlg] != "AES256" || r.Headers[hdrSSECKeyMD5] != key.md5b64 {
		t.Errorf("SSE-C pair: algorithm %q key MD5 %q, want AES256 %q", r.Headers[hdrSSECAlg], r.Headers[hdrSSECKeyMD5], key.md5b64)
	}
}

// TestSSECBoto3 drives SSE-C with boto3 over HTTPS: every SSE-C error of
// spec §3.4, the response headers of §3.3, zero-byte objects, ETags,
// multipart (low level and s3transfer), CopyObject in every direction,
// key rotation by self-copy, presigned URLs and blocked buckets; then no
// key may be found in the data dir or the logs.
func TestSSECBoto3(t *testing.T) {
	s := startTLSServer(t, "--log-level", "debug")
	b := newBoto3Session(t, s.httpsEndpoint, s.caPath)
	key, other := newSSECKey(t), newSSECKey(t)
	short := ssecKeyOf(key.raw[:10])
	bucket := map[string]any{"Bucket": ssecBotoBucket}
	obj := func(name string) map[string]any { return map[string]any{"Bucket": ssecBotoBucket, "Key": name} }
	src := func(name string) map[string]any {
		return map[string]any{"Bucket": ssecBotoBucket, "Key": name + "-copy", "CopySource": ssecBotoBucket + "/" + name}
	}
	b.ok(t, "create_bucket", bucket)
	data := randomBytes("ssec boto3", 100_000)
	b.ok(t, "put_object", merge(obj("ssec.bin"), map[string]any{"Body": boto3Bytes(data)}, key.boto3("")))
	b.ok(t, "put_object", merge(obj("plain.bin"), map[string]any{"Body": boto3Bytes(data)}))
	ssecUpload := b.ok(t, "create_multipart_upload", merge(obj("upload-ssec"), key.boto3(""))).str("UploadId")
	plainUpload := b.ok(t, "create_multipart_upload", obj("upload-plain")).str("UploadId")
	part := func(name, uploadID string) map[string]any {
		return merge(obj(name), map[string]any{"UploadId": uploadID, "PartNumber": 1, "Body": boto3Bytes(data[:1000])})
	}
	partCopy := func(name, uploadID string) map[string]any {
		return merge(obj(name), map[string]any{"UploadId": uploadID, "PartNumber": 1, "CopySource": ssecBotoBucket + "/ssec.bin"})
	}
	attrs := map[string]any{"ObjectAttributes": []string{"ETag", "ObjectSize"}}

	t.Run("errors", func(t *testing.T) {
		cases := []struct {
			name    string
			op      string
			params  map[string]any
			status  int
			code    string
			message string
		}{
			{name: "SSE and SSE-C together", op: "put_object", status: 400, code: "InvalidArgument", message: msgSSECIncompatible,
				params: merge(obj("both"), key.boto3(""), map[string]any{"ServerSideEncryption": "AES256"})},
			{name: "SSE and SSE-C together, checked before the algorithm", op: "put_object", status: 400, code: "InvalidArgument", message: msgSSECIncompatible,
				params: merge(obj("both"), key.boto3(""), map[string]any{"ServerSideEncryption": "AES256", "SSECustomerAlgorithm": "AES128"})},
			{name: "algorithm AES128 on PUT", op: "put_object", status: 400, code: "InvalidEncryptionAlgorithmError", message: msgSSECBadAlgorithm,
				params: merge(obj("alg"), key.boto3(""), map[string]any{"SSECustomerAlgorithm": "AES128"})},
			{name: "algorithm AES128 on GET", op: "get_object", status: 400, code: "InvalidEncryptionAlgorithmError", message: msgSSECBadAlgorithm,
				params: merge(obj("ssec.bin"), key.boto3(""), map[string]any{"SSECustomerAlgorithm": "AES128"})},
			{name: "algorithm AES128 on HEAD", op: "head_object", status: 400, code: "400",
				params: merge(obj("ssec.bin"), key.boto3(""), map[string]any{"SSECustomerAlgorithm": "AES128"})},
			{name: "algorithm AES128 on GetObjectAttributes", op: "get_object_attributes", status: 400, code: "InvalidEncryptionAlgorithmError", message: msgSSECBadAlgorithm,
				params: merge(obj("ssec.bin"), attrs, key.boto3(""), map[string]any{"SSECustomerAlgorithm": "AES128"})},
			{name: "algorithm AES128 on the copy source", op: "copy_object", status: 400, code: "InvalidEncryptionAlgorithmError", message: msgSSECBadAlgorithm,
				params: merge(src("ssec.bin"), key.boto3("CopySource"), map[string]any{"CopySourceSSECustomerAlgorithm": "AES128"})},
			{name: "algorithm AES128 on the copy target", op: "copy_object", status: 400, code: "InvalidEncryptionAlgorithmError", message: msgSSECBadAlgorithm,
				params: merge(src("plain.bin"), key.boto3(""), map[string]any{"SSECustomerAlgorithm": "AES128"})},
			{name: "key without algorithm", op: "put_object", status: 400, code: "InvalidArgument", message: msgSSECNoAlgorithm,
				params: merge(obj("noalg"), map[string]any{"SSECustomerKey": key.b64, "SSECustomerKeyMD5": key.md5b64})},
			{name: "MD5 without algorithm", op: "put_object", status: 400, code: "InvalidArgument", message: msgSSECNoAlgorithm,
				params: merge(obj("noalg"), map[string]any{"SSECustomerKeyMD5": key.md5b64})},
			{name: "algorithm without key", op: "put_object", status: 400, code: "InvalidArgument", message: msgSSECNoKey,
				params: merge(obj("nokey"), map[string]any{"SSECustomerAlgorithm": "AES256"})},
			{name: "MD5 absent", op: "put_object", status: 400, code: "InvalidArgument", message: msgSSECNoMD5,
				params: merge(obj("nomd5"), key.boto3(""), map[string]any{"SSECustomerKeyMD5": ""})},
			{name: "10-byte key on PUT", op: "put_object", status: 400, code: "InvalidArgument", message: msgSSECBadKey,
				params: merge(obj("short"), short.boto3(""))},
			{name: "10-byte key on GET", op: "get_object", status: 400, code: "InvalidArgument", message: msgSSECBadKey,
				params: merge(obj("ssec.bin"), short.boto3(""))},
			{name: "MD5 of another key on PUT", op: "put_object", status: 400, code: "InvalidArgument", message: msgSSECBadMD5,
				params: merge(obj("badmd5"), key.boto3(""), map[string]any{"SSECustomerKeyMD5": other.md5b64})},
			{name: "MD5 of another key on GET", op: "get_object", status: 400, code: "InvalidArgument", message: msgSSECBadMD5,
				params: merge(obj("ssec.bin"), key.boto3(""), map[string]any{"SSECustomerKeyMD5": other.md5b64})},
			{name: "GET without the key", op: "get_object", status: 400, code: "InvalidRequest", message: msgSSECKeyRequired,
				params: obj("ssec.bin")},
			{name: "HEAD without the key", op: "head_object", status: 400, code: "400", params: obj("ssec.bin")},
			{name: "GetObjectAttributes without the key", op: "get_object_attributes", status: 400, code: "InvalidRequest", message: msgSSECKeyRequired,
				params: merge(obj("ssec.bin"), attrs)},
			{name: "CopyObject without the copy-source key", op: "copy_object", status: 400, code: "InvalidRequest", message: msgSSECKeyRequired,
				params: src("ssec.bin")},
			{name: "UploadPartCopy without the copy-source key", op: "upload_part_copy", status: 400, code: "InvalidRequest", message: msgSSECKeyRequired,
				params: partCopy("upload-plain", plainUpload)},
			{name: "GET with the wrong key", op: "get_object", status: 403, code: "AccessDenied", message: msgSSECWrongKey,
				params: merge(obj("ssec.bin"), other.boto3(""))},
			{name: "HEAD with the wrong key", op: "head_object", status: 403, code: "403",
				params: merge(obj("ssec.bin"), other.boto3(""))},
			{name: "GetObjectAttributes with the wrong key", op: "get_object_attributes", status: 403, code: "AccessDenied", message: msgSSECWrongKey,
				params: merge(obj("ssec.bin"), attrs, other.boto3(""))},
			{name: "CopyObject with the wrong copy-source key", op: "copy_object", status: 403, code: "AccessDenied", message: msgSSECWrongKey,
				params: merge(src("ssec.bin"), other.boto3("CopySource"))},
			{name: "GET with the key double-encoded by botocore", op: "get_object", status: 403, code: "AccessDenied", message: msgSSECWrongKey,
				params: merge(obj("ssec.bin"), map[string]any{"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key.b64})},
			{name: "GET of an SSE-S3 object with a key", op: "get_object", status: 400, code: "InvalidRequest", message: msgSSECNotApplicable,
				params: merge(obj("plain.bin"), key.boto3(""))},
			{name: "HEAD of an SSE-S3 object with a key", op: "head_object", status: 400, code: "400",
				params: merge(obj("plain.bin"), key.boto3(""))},
			{name: "CopyObject of an SSE-S3 source with a copy-source key", op: "copy_object", status: 400, code: "InvalidRequest", message: msgSSECNotApplicable,
				params: merge(src("plain.bin"), key.boto3("CopySource"))},
			{name: "UploadPart without the upload's key", op: "upload_part", status: 400, code: "InvalidRequest", message: msgSSECUploadPresence,
				params: part("upload-ssec", ssecUpload)},
			{name: "UploadPart with a key the upload does not have", op: "upload_part", status: 400, code: "InvalidRequest", message: msgSSECUploadPresence,
				params: merge(part("upload-plain", plainUpload), key.boto3(""))},
			{name: "UploadPart with another key", op: "upload_part", status: 400, code: "InvalidRequest", message: msgSSECUploadMismatch,
				params: merge(part("upload-ssec", ssecUpload), other.boto3(""))},
			{name: "UploadPartCopy with another key", op: "upload_part_copy", status: 400, code: "InvalidRequest", message: msgSSECUploadMismatch,
				params: merge(partCopy("upload-ssec", ssecUpload), key.boto3("CopySource"), other.boto3(""))},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantSSECError(t, b.s3(t, tc.op, tc.params), tc.status, tc.code, tc.message)
			})
		}
		// Nothing the refused writes named was stored.
		for _, name := range []string{"both", "alg", "noalg", "nokey", "nomd5", "short", "badmd5", "ssec.bin-copy", "plain.bin-copy"} {
			if r := b.s3(t, "head_object", obj(name)); r.Status != http.StatusNotFound {
				t.Errorf("HEAD %s after a refused write: %d", name, r.Status)
			}
		}
	})

	t.Run("response headers", func(t *testing.T) {
		up := b.ok(t, "create_multipart_upload", merge(obj("headers-mpu"), key.boto3("")))
		wantSSECPair(t, up, &key)
		uploadID := up.str("UploadId")
		p1 := b.ok(t, "upload_part", merge(obj("headers-mpu"), key.boto3(""),
			map[string]any{"UploadId": uploadID, "PartNumber": 1, "Body": boto3Bytes(randomBytes("headers part", 5<<20))}))
		p2 := b.ok(t, "upload_part_copy", merge(obj("headers-mpu"), key.boto3(""), key.boto3("CopySource"),
			map[string]any{"UploadId": uploadID, "PartNumber": 2, "CopySource": ssecBotoBucket + "/ssec.bin"}))
		etag2, _ := p2.Response["CopyPartResult"].(map[string]any)["ETag"].(string)
		parts := []map[string]any{{"PartNumber": 1, "ETag": p1.str("ETag")}, {"PartNumber": 2, "ETag": etag2}}
		cases := []struct {
			name string
			call func() boto3Result
			key  *ssecKey // nil: no encryption headers at all
		}{
			{name: "PutObject", key: &key, call: func() boto3Result {
				return b.ok(t, "put_object", merge(obj("headers"), key.boto3(""), map[string]any{"Body": boto3Bytes(data)}))
			}},
			{name: "GetObject", key: &key, call: func() boto3Result { return b.ok(t, "get_object", merge(obj("ssec.bin"), key.boto3(""))) }},
			{name: "HeadObject", key: &key, call: func() boto3Result { return b.ok(t, "head_object", merge(obj("ssec.bin"), key.boto3(""))) }},
			{name: "CopyObject", key: &other, call: func() boto3Result {
				return b.ok(t, "copy_object", merge(src("ssec.bin"), key.boto3("CopySource"), other.boto3("")))
			}},
			{name: "CreateMultipartUpload", key: &key, call: func() boto3Result { return up }},
			{name: "UploadPart", key: &key, call: func() boto3Result { return p1 }},
			{name: "UploadPartCopy", key: &key, call: func() boto3Result { return p2 }},
			{name: "CompleteMultipartUpload", call: func() boto3Result {
				return b.ok(t, "complete_multipart_upload", merge(obj("headers-mpu"), key.boto3(""),
					map[string]any{"UploadId": uploadID, "MultipartUpload": map[string]any{"Parts": parts}}))
			}},
			{name: "GetObjectAttributes", call: func() boto3Result {
				return b.ok(t, "get_object_attributes", merge(obj("ssec.bin"), attrs, key.boto3("")))
			}},
			{name: "ListObjectsV2", call: func() boto3Result { return b.ok(t, "list_objects_v2", bucket) }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.call()
				wantSSECPair(t, r, tc.key)
				if tc.key != nil && (r.str("SSECustomerAlgorithm") != "AES256" || r.str("SSECustomerKeyMD5") != tc.key.md5b64) {
					t.Errorf("boto3 parsed SSECustomerAlgorithm %q SSECustomerKeyMD5 %q", r.str("SSECustomerAlgorithm"), r.str("SSECustomerKeyMD5"))
				}
			})
		}
		got := b.ok(t, "get_object", merge(obj("headers-mpu"), key.boto3("")))
		if want := append(randomBytes("headers part", 5<<20), data...); got.Body.Len != len(want) || got.Body.MD5 != md5hex(want) {
			t.Fatalf("the multipart object reads back %+v", got.Body)
		}
	})

	t.Run("zero-byte object", func(t *testing.T) {
		put := b.ok(t, "put_object", merge(obj("empty"), key.boto3(""), map[string]any{"Body": boto3Bytes{}}))
		if etag := strings.Trim(put.str("ETag"), `"`); etag == md5hex(nil) {
			t.Errorf("the ETag of an empty SSE-C object is the MD5 of nothing: %s", etag)
		}
		head := b.ok(t, "head_object", merge(obj("empty"), key.boto3("")))
		if n, _ := head.Response["ContentLength"].(float64); n != 0 || head.Headers["content-length"] != "0" {
			t.Errorf("HEAD: ContentLength %v", head.Response["ContentLength"])
		}
		if got := b.ok(t, "get_object", merge(obj("empty"), key.boto3(""))); got.Body.Len != 0 {
			t.Errorf("GET: %d bytes", got.Body.Len)
		}
		wantSSECError(t, b.s3(t, "head_object", merge(obj("empty"), other.boto3(""))), 403, "403", "")
		wantSSECError(t, b.s3(t, "get_object", merge(obj("empty"), other.boto3(""))), 403, "AccessDenied", msgSSECWrongKey)
		wantSSECError(t, b.s3(t, "head_object", obj("empty")), 400, "400", "")
		wantSSECError(t, b.s3(t, "get_object", obj("empty")), 400, "InvalidRequest", msgSSECKeyRequired)
	})

	t.Run("ETag is not the MD5 and differs per PUT", func(t *testing.T) {
		var etags []string
		for range 2 {
			put := b.ok(t, "put_object", merge(obj("etag"), key.boto3(""), map[string]any{"Body": boto3Bytes(data)}))
			etags = append(etags, strings.Trim(put.str("ETag"), `"`))
		}
		if etags[0] == md5hex(data) || etags[1] == md5hex(data) || etags[0] == etags[1] {
			t.Fatalf("ETags %q of two PUTs of one body (MD5 %s)", etags, md5hex(data))
		}
		if head := b.ok(t, "head_object", merge(obj("etag"), key.boto3(""))); strings.Trim(head.str("ETag"), `"`) != etags[1] {
			t.Fatalf("HEAD ETag %s, PUT said %s", head.str("ETag"), etags[1])
		}
	})

	t.Run("multipart", func(t *testing.T) {
		parts := [][]byte{randomBytes("ssec part 1", 5<<20), randomBytes("ssec part 2", 777)}
		uploadID := b.ok(t, "create_multipart_upload", merge(obj("mpu"), key.boto3(""))).str("UploadId")
		var done []map[string]any
		for i, p := range parts {
			r := b.ok(t, "upload_part", merge(obj("mpu"), key.boto3(""), map[string]any{"UploadId": uploadID, "PartNumber": i + 1, "Body": boto3Bytes(p)}))
			if strings.Trim(r.str("ETag"), `"`) == md5hex(p) {
				t.Errorf("part %d: the ETag is the plaintext MD5", i+1)
			}
			done = append(done, map[string]any{"PartNumber": i + 1, "ETag": r.str("ETag")})
		}
		listed := b.ok(t, "list_parts", merge(obj("mpu"), map[string]any{"UploadId": uploadID})) // no key needed
		if ps, _ := listed.Response["Parts"].([]any); len(ps) != 2 {
			t.Fatalf("ListParts without the key: %v", listed.Response["Parts"])
		}
		complete := merge(obj("mpu"), map[string]any{"UploadId": uploadID, "MultipartUpload": map[string]any{"Parts": done}})
		wantSSECError(t, b.s3(t, "complete_multipart_upload", merge(complete, other.boto3(""))), 400, "InvalidRequest", msgSSECUploadMismatch)
		r := b.ok(t, "complete_multipart_upload", complete) // the key is optional on Complete
		if !strings.HasSuffix(strings.Trim(r.str("ETag"), `"`), "-2") {
			t.Fatalf("Complete ETag %s", r.str("ETag"))
		}
		got := b.ok(t, "get_object", merge(obj("mpu"), key.boto3("")))
		if want := append(append([]byte{}, parts[0]...), parts[1]...); got.Body.Len != len(want) || got.Body.MD5 != md5hex(want) {
			t.Fatalf("GET: %+v", got.Body)
		}
		wantSSECPair(t, got, &key)
		wantSSECError(t, b.s3(t, "get_object", obj("mpu")), 400, "InvalidRequest", msgSSECKeyRequired)
		ranged := b.ok(t, "get_object", merge(obj("mpu"), key.boto3(""), map[string]any{"Range": "bytes=5242870-5242889"}))
		if want := append(append([]byte{}, parts[0]...), parts[1]...)[5242870:5242890]; ranged.Body.MD5 != md5hex(want) {
			t.Fatalf("a range across the part boundary: %+v", ranged.Body)
		}
		// s3transfer, as the aws CLI uses it: SSE-C on every part and on Complete.
		big := randomBytes("ssec transfer", 11<<20+3)
		b.ok(t, "upload_fileobj", merge(obj("transfer"), map[string]any{"Body": boto3Bytes(big), "ExtraArgs": key.boto3("")}))
		head := b.ok(t, "head_object", merge(obj("transfer"), key.boto3("")))
		if !strings.HasSuffix(strings.Trim(head.str("ETag"), `"`), "-3") {
			t.Fatalf("upload_fileobj made %s, want 3 parts", head.str("ETag"))
		}
		down := b.ok(t, "download_fileobj", merge(obj("transfer"), map[string]any{"ExtraArgs": key.boto3("")}))
		if down.Body.Len != len(big) || down.Body.MD5 != md5hex(big) {
			t.Fatalf("download_fileobj: %+v", down.Body)
		}
	})

	t.Run("copy", func(t *testing.T) {
		kmsKey := b.do(t, boto3Call{Client: "kms", Op: "create_key"})
		if kmsKey.Error != nil {
			t.Fatalf("CreateKey: %+v", kmsKey.Error)
		}
		kmsKeyARN, _ := kmsKey.Response["KeyMetadata"].(map[string]any)["Arn"].(string)
		b.ok(t, "put_object", merge(obj("kms.bin"), map[string]any{"Body": boto3Bytes(data), "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kmsKeyARN}))
		cases := []struct {
			name      string
			from      string
			params    map[string]any
			readKey   *ssecKey // the key a GET of the copy needs (nil: none)
			wantSSE   string   // x-amz-server-side-encryption of the copy
			etagIsMD5 bool
		}{
			{name: "SSE-C to SSE-C with a new key", from: "ssec.bin", params: merge(key.boto3("CopySource"), other.boto3("")), readKey: &other},
			{name: "SSE-C to SSE-S3", from: "ssec.bin", params: key.boto3("CopySource"), wantSSE: "AES256", etagIsMD5: true},
			{name: "SSE-C to SSE-KMS", from: "ssec.bin", params: merge(key.boto3("CopySource"),
				map[string]any{"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kmsKeyARN}), wantSSE: "aws:kms"},
			{name: "SSE-S3 to SSE-C", from: "plain.bin", params: key.boto3(""), readKey: &key},
			{name: "SSE-KMS to SSE-C", from: "kms.bin", params: key.boto3(""), readKey: &key},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				dest := "copy/" + strings.ReplaceAll(tc.name, " ", "-")
				r := b.ok(t, "copy_object", merge(obj(dest), map[string]any{"CopySource": ssecBotoBucket + "/" + tc.from}, tc.params))
				etag, _ := r.Response["CopyObjectResult"].(map[string]any)["ETag"].(string)
				if (strings.Trim(etag, `"`) == md5hex(data)) != tc.etagIsMD5 {
					t.Errorf("copy ETag %s, MD5 %s, want equal %v", etag, md5hex(data), tc.etagIsMD5)
				}
				read := obj(dest)
				if tc.readKey != nil {
					wantSSECPair(t, r, tc.readKey)
					read = merge(read, tc.readKey.boto3(""))
					wantSSECError(t, b.s3(t, "get_object", obj(dest)), 400, "InvalidRequest", msgSSECKeyRequired)
				} else {
					if r.Headers[hdrSSE] != tc.wantSSE || r.Headers[hdrSSECAlg] != "" {
						t.Errorf("copy headers: %s %q, %s %q", hdrSSE, r.Headers[hdrSSE], hdrSSECAlg, r.Headers[hdrSSECAlg])
					}
					if tc.wantSSE == "aws:kms" && r.Headers[hdrSSEKMSKeyID] != kmsKeyARN {
						t.Errorf("copy KMS key %q, want %q", r.Headers[hdrSSEKMSKeyID], kmsKeyARN)
					}
					wantSSECError(t, b.s3(t, "get_object", merge(obj(dest), key.boto3(""))), 400, "InvalidRequest", msgSSECNotApplicable)
				}
				got := b.ok(t, "get_object", read)
				if got.Body.MD5 != md5hex(data) {
					t.Fatalf("the copy reads back %+v", got.Body)
				}
			})
		}
	})

	t.Run("self-copy with a new key rotates the key", func(t *testing.T) {
		body := randomBytes("rotate", 300_000)
		b.ok(t, "put_object", merge(obj("rotate"), key.boto3(""), map[string]any{"Body": boto3Bytes(body)}))
		before := b.ok(t, "head_object", merge(obj("rotate"), key.boto3("")))
		r := b.ok(t, "copy_object", merge(obj("rotate"), map[string]any{"CopySource": ssecBotoBucket + "/rotate"}, key.boto3("CopySource"), other.boto3("")))
		wantSSECPair(t, r, &other)
		wantSSECError(t, b.s3(t, "get_object", merge(obj("rotate"), key.boto3(""))), 403, "AccessDenied", msgSSECWrongKey)
		wantSSECError(t, b.s3(t, "head_object", merge(obj("rotate"), key.boto3(""))), 403, "403", "")
		got := b.ok(t, "get_object", merge(obj("rotate"), other.boto3("")))
		if got.Body.MD5 != md5hex(body) {
			t.Fatalf("after rotation the object reads back %+v", got.Body)
		}
		if got.str("ETag") != before.str("ETag") {
			t.Errorf("rotation changed the ETag: %s -> %s (the data should not be re-encrypted)", before.str("ETag"), got.str("ETag"))
		}
	})

	t.Run("presigned", func(t *testing.T) {
		body := randomBytes("presigned ssec", 200_000)
		putURL := b.presign(t, "put_object", merge(obj("presigned"), key.boto3("")))
		if !strings.Contains(putURL, "X-Amz-SignedHeaders=") || !strings.Contains(putURL, "x-amz-server-side-encryption-customer-key") {
			t.Fatalf("the presigned URL does not sign the SSE-C headers: %s", putURL)
		}
		put := b.do(t, boto3Call{Client: "http", Method: http.MethodPut, URL: putURL, Headers: key.headers(), Body: body})
		if put.Status != http.StatusOK {
			t.Fatalf("presigned PUT: %d %+v", put.Status, put.Error)
		}
		wantSSECPair(t, put, &key)
		getURL := b.presign(t, "get_object", merge(obj("presigned"), key.boto3("")))
		get := b.do(t, boto3Call{Client: "http", Method: http.MethodGet, URL: getURL, Headers: key.headers()})
		if get.Status != http.StatusOK || get.Body.MD5 != md5hex(body) {
			t.Fatalf("presigned GET: %d %+v", get.Status, get.Body)
		}
		wantSSECPair(t, get, &key)
		// The key is signed: a URL used without the headers does not authenticate.
		if r := b.do(t, boto3Call{Client: "http", Method: http.MethodGet, URL: getURL}); r.Status != http.StatusForbidden {
			t.Fatalf("presigned GET without the signed SSE-C headers: %d %+v", r.Status, r.Error)
		}
		// SSE-C headers the URL did not sign are refused (spec §3.4).
		plainURL := b.presign(t, "get_object", obj("presigned"))
		r := b.do(t, boto3Call{Client: "http", Method: http.MethodGet, URL: plainURL, Headers: key.headers()})
		if r.Status != http.StatusForbidden || r.Error == nil || r.Error.Code != "AccessDenied" || r.Error.Message != msgHeadersNotSigned {
			t.Fatalf("unsigned SSE-C headers on a presigned GET: %d %+v", r.Status, r.Error)
		}
	})

	t.Run("blocked bucket", func(t *testing.T) {
		b.ok(t, "create_bucket", map[string]any{"Bucket": ssecBotoBlocked})
		blocked := func(name string) map[string]any { return map[string]any{"Bucket": ssecBotoBlocked, "Key": name} }
		b.ok(t, "put_object", merge(blocked("before"), key.boto3(""), map[string]any{"Body": boto3Bytes(data)}))
		b.ok(t, "put_bucket_encryption", map[string]any{"Bucket": ssecBotoBlocked, "ServerSideEncryptionConfiguration": map[string]any{
			"Rules": []map[string]any{{"ApplyServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"},
				"BlockedEncryptionTypes": map[string]any{"EncryptionType": []string{"SSE-C"}}}}}})
		cases := []struct {
			name   string
			op     string
			params map[string]any
		}{
			{name: "PutObject", op: "put_object", params: merge(blocked("after"), key.boto3(""), map[string]any{"Body": boto3Bytes(data)})},
			{name: "CopyObject", op: "copy_object", params: merge(blocked("after"), key.boto3(""), map[string]any{"CopySource": ssecBotoBucket + "/plain.bin"})},
			{name: "CreateMultipartUpload", op: "create_multipart_upload", params: merge(blocked("after"), key.boto3(""))},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantSSECError(t, b.s3(t, tc.op, tc.params), 403, "AccessDenied", msgSSECBlocked)
			})
		}
		if r := b.s3(t, "head_object", blocked("after")); r.Status != http.StatusNotFound {
			t.Errorf("a blocked write left an object: HEAD %d", r.Status)
		}
		if got := b.ok(t, "get_object", merge(blocked("before"), key.boto3(""))); got.Body.MD5 != md5hex(data) {
			t.Errorf("the SSE-C object written before the block reads back %+v", got.Body)
		}
		b.ok(t, "put_object", merge(blocked("sse-s3"), map[string]any{"Body": boto3Bytes(data)})) // other types still write
		b.ok(t, "put_bucket_encryption", map[string]any{"Bucket": ssecBotoBlocked, "ServerSideEncryptionConfiguration": map[string]any{
			"Rules": []map[string]any{{"BlockedEncryptionTypes": map[string]any{"EncryptionType": []string{"NONE"}}}}}})
		b.ok(t, "put_object", merge(blocked("after"), key.boto3(""), map[string]any{"Body": boto3Bytes(data)}))
	})

	assertNoCustomerKeys(t, s.server, "headers-mpu", key, other, short)
}
