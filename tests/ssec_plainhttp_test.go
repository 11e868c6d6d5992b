package tests

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestSSECRefusedOverPlainHTTP sends the SSE-C requests of every operation
// that takes a customer key to the plain HTTP endpoint of a server that
// also serves HTTPS: each is refused with 400 InvalidRequest ("secure
// connection"), and none leaves anything behind. The key travelled in the
// clear, but the server must not have kept or logged it either.
func TestSSECRefusedOverPlainHTTP(t *testing.T) {
	s := startTLSServer(t, "--log-level", "debug")
	secure := newBoto3Session(t, s.httpsEndpoint, s.caPath)
	plain := newBoto3Session(t, s.endpoint, "")
	key := newSSECKey(t)
	const bucket = "ssec-plain"
	obj := func(name string) map[string]any { return map[string]any{"Bucket": bucket, "Key": name} }
	data := randomBytes("plain http", 50_000)

	// What exists before: made over HTTPS.
	secure.ok(t, "create_bucket", map[string]any{"Bucket": bucket})
	secure.ok(t, "put_object", merge(obj("ssec.bin"), key.boto3(""), map[string]any{"Body": boto3Bytes(data)}))
	secure.ok(t, "put_object", merge(obj("plain.bin"), map[string]any{"Body": boto3Bytes(data)}))
	uploadID := secure.ok(t, "create_multipart_upload", merge(obj("upload"), key.boto3(""))).str("UploadId")
	part := secure.ok(t, "upload_part", merge(obj("upload"), key.boto3(""), map[string]any{"UploadId": uploadID, "PartNumber": 1, "Body": boto3Bytes(data)}))
	upload := map[string]any{"UploadId": uploadID}

	cases := []struct {
		name   string
		op     string
		params map[string]any
		head   bool // HEAD: no body, botocore reports the status as the code
	}{
		{name: "PutObject", op: "put_object", params: merge(obj("http-put"), key.boto3(""), map[string]any{"Body": boto3Bytes(data)})},
		{name: "CreateMultipartUpload", op: "create_multipart_upload", params: merge(obj("http-mpu"), key.boto3(""))},
		{name: "UploadPart", op: "upload_part", params: merge(obj("upload"), key.boto3(""), upload, map[string]any{"PartNumber": 2, "Body": boto3Bytes(data)})},
		{name: "UploadPartCopy", op: "upload_part_copy", params: merge(obj("upload"), key.boto3(""), key.boto3("CopySource"), upload,
			map[string]any{"PartNumber": 3, "CopySource": bucket + "/ssec.bin"})},
		{name: "CompleteMultipartUpload", op: "complete_multipart_upload", params: merge(obj("upload"), key.boto3(""), upload,
			map[string]any{"MultipartUpload": map[string]any{"Parts": []map[string]any{{"PartNumber": 1, "ETag": part.str("ETag")}}}})},
		{name: "CopyObject to SSE-C", op: "copy_object", params: merge(obj("http-copy-to"), key.boto3(""), map[string]any{"CopySource": bucket + "/plain.bin"})},
		{name: "CopyObject from SSE-C", op: "copy_object", params: merge(obj("http-copy-from"), key.boto3("CopySource"), map[string]any{"CopySource": bucket + "/ssec.bin"})},
		{name: "GetObject", op: "get_object", params: merge(obj("ssec.bin"), key.boto3(""))},
		{name: "HeadObject", op: "head_object", params: merge(obj("ssec.bin"), key.boto3("")), head: true},
		{name: "GetObjectAttributes", op: "get_object_attributes", params: merge(obj("ssec.bin"), key.boto3(""),
			map[string]any{"ObjectAttributes": []string{"ETag", "ObjectSize"}})},
	}
	for _, tc := range cases {
		t.Run("boto3 "+tc.name, func(t *testing.T) {
			r := plain.s3(t, tc.op, tc.params)
			if tc.head {
				wantSSECError(t, r, http.StatusBadRequest, "400", "")
				return
			}
			wantSSECError(t, r, http.StatusBadRequest, "InvalidRequest", msgSSECInsecure)
			if r.Error.Message != msgSSECInsecure {
				t.Fatalf("message %q", r.Error.Message)
			}
		})
	}

	t.Run("presigned PUT", func(t *testing.T) {
		url := plain.presign(t, "put_object", merge(obj("http-presigned"), key.boto3("")))
		r := plain.do(t, boto3Call{Client: "http", Method: http.MethodPut, URL: url, Headers: key.headers(), Body: data})
		if r.Status != http.StatusBadRequest || r.Error == nil || r.Error.Code != "InvalidRequest" || r.Error.Message != msgSSECInsecure {
			t.Fatalf("presigned SSE-C PUT over HTTP: %d %+v", r.Status, r.Error)
		}
	})

	t.Run("aws-sdk-go-v2", func(t *testing.T) {
		client := s.sdkClient()
		alg, k, kmd5 := key.sdk()
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("http-sdk"),
			Body: bytes.NewReader(data), SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
		s3ErrorCode(t, err, http.StatusBadRequest, "InvalidRequest")
		if !refusedAsInsecure(err) {
			t.Fatalf("PutObject: %v", err)
		}
		_, err = client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("ssec.bin"),
			SSECustomerAlgorithm: alg, SSECustomerKey: k, SSECustomerKeyMD5: kmd5})
		if !refusedAsInsecure(err) {
			t.Fatalf("GetObject: %v", err)
		}
	})

	t.Run("nothing stored", func(t *testing.T) {
		listed := secure.ok(t, "list_objects_v2", map[string]any{"Bucket": bucket})
		var names []string
		contents, _ := listed.Response["Contents"].([]any)
		for _, c := range contents {
			name, _ := c.(map[string]any)["Key"].(string)
			names = append(names, name)
		}
		if strings.Join(names, ",") != "plain.bin,ssec.bin" {
			t.Fatalf("the bucket holds %q after the refused requests", names)
		}
		uploads := secure.ok(t, "list_multipart_uploads", map[string]any{"Bucket": bucket})
		if ups, _ := uploads.Response["Uploads"].([]any); len(ups) != 1 {
			t.Fatalf("uploads after the refused requests: %v", uploads.Response["Uploads"])
		}
		parts := secure.ok(t, "list_parts", merge(obj("upload"), upload))
		if ps, _ := parts.Response["Parts"].([]any); len(ps) != 1 {
			t.Fatalf("the upload's parts after the refused requests: %v", parts.Response["Parts"])
		}
		for _, name := range []string{"http-put", "http-mpu", "http-copy-to", "http-copy-from", "http-presigned", "http-sdk", "upload"} {
			if r := secure.s3(t, "head_object", obj(name)); r.Status != http.StatusNotFound {
				t.Errorf("HEAD %s: %d", name, r.Status)
			}
		}
	})

	assertNoCustomerKeys(t, s.server, "http-presigned", key)
}
