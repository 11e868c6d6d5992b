package s3api

import (
	"errors"
	"net/http/httptest"
	"testing"
)

func TestRouting(t *testing.T) {
	s := New(Config{Domains: []string{"s3.example.com"}}).(*server)
	cases := []struct {
		method, target string
		host           string
		header         map[string]string
		op             string // "" means MethodNotAllowed
		bucket, key    string
	}{
		{method: "GET", target: "/", op: "ListBuckets"},
		{method: "PUT", target: "/bkt", op: "CreateBucket", bucket: "bkt"},
		{method: "PUT", target: "/bkt/", op: "CreateBucket", bucket: "bkt"},
		{method: "HEAD", target: "/bkt", op: "HeadBucket", bucket: "bkt"},
		{method: "DELETE", target: "/bkt", op: "DeleteBucket", bucket: "bkt"},
		{method: "GET", target: "/bkt", op: "ListObjects", bucket: "bkt"},
		{method: "GET", target: "/bkt?list-type=2&prefix=a", op: "ListObjectsV2", bucket: "bkt"},
		{method: "GET", target: "/bkt?list-type=1", op: "ListObjects", bucket: "bkt"},
		{method: "GET", target: "/bkt?location", op: "GetBucketLocation", bucket: "bkt"},
		{method: "GET", target: "/bkt?versioning", op: "GetBucketVersioning", bucket: "bkt"},
		{method: "PUT", target: "/bkt?versioning", op: "Unsupported", bucket: "bkt"},
		{method: "GET", target: "/bkt?uploads", op: "ListMultipartUploads", bucket: "bkt"},
		{method: "POST", target: "/bkt?delete", op: "DeleteObjects", bucket: "bkt"},
		{method: "POST", target: "/bkt", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, op: "PostObject", bucket: "bkt"},
		{method: "POST", target: "/bkt", header: map[string]string{"Content-Type": "text/plain"}, bucket: "bkt"},
		{method: "GET", target: "/bkt?acl", op: "Unsupported", bucket: "bkt"},
		{method: "PUT", target: "/bkt?policy", op: "PutBucketPolicy", bucket: "bkt"},
		{method: "PUT", target: "/bkt?publicAccessBlock", op: "Unsupported", bucket: "bkt"},
		{method: "GET", target: "/bkt/k", op: "GetObject", bucket: "bkt", key: "k"},
		{method: "GET", target: "/bkt/a/b//c", op: "GetObject", bucket: "bkt", key: "a/b//c"},
		{method: "GET", target: "/bkt/a%20b%3Fc", op: "GetObject", bucket: "bkt", key: "a b?c"},
		{method: "GET", target: "/bkt/k?partNumber=2", op: "GetObject", bucket: "bkt", key: "k"},
		{method: "HEAD", target: "/bkt/k", op: "HeadObject", bucket: "bkt", key: "k"},
		{method: "GET", target: "/bkt/k?attributes", op: "GetObjectAttributes", bucket: "bkt", key: "k"},
		{method: "GET", target: "/bkt/k?uploadId=u", op: "ListParts", bucket: "bkt", key: "k"},
		{method: "PUT", target: "/bkt/k", op: "PutObject", bucket: "bkt", key: "k"},
		{method: "PUT", target: "/bkt/k", header: map[string]string{"x-amz-copy-source": "a/b"}, op: "CopyObject", bucket: "bkt", key: "k"},
		{method: "PUT", target: "/bkt/k?partNumber=1&uploadId=u", op: "UploadPart", bucket: "bkt", key: "k"},
		{method: "PUT", target: "/bkt/k?uploadId=u", op: "UploadPart", bucket: "bkt", key: "k"},
		{method: "PUT", target: "/bkt/k?partNumber=1&uploadId=u", header: map[string]string{"x-amz-copy-source": "a/b"}, op: "UploadPartCopy", bucket: "bkt", key: "k"},
		{method: "PUT", target: "/bkt/k?tagging", op: "Unsupported", bucket: "bkt", key: "k"},
		{method: "PUT", target: "/bkt/k?acl", op: "Unsupported", bucket: "bkt", key: "k"},
		{method: "DELETE", target: "/bkt/k", op: "DeleteObject", bucket: "bkt", key: "k"},
		{method: "DELETE", target: "/bkt/k?uploadId=u", op: "AbortMultipartUpload", bucket: "bkt", key: "k"},
		{method: "POST", target: "/bkt/k?uploads", op: "CreateMultipartUpload", bucket: "bkt", key: "k"},
		{method: "POST", target: "/bkt/k?uploadId=u", op: "CompleteMultipartUpload", bucket: "bkt", key: "k"},
		{method: "POST", target: "/bkt/k", bucket: "bkt", key: "k"},
		{method: "PATCH", target: "/bkt/k", bucket: "bkt", key: "k"},
		{method: "PUT", target: "/"},
		{method: "GET", target: "/", host: "bkt.s3.example.com", op: "ListObjects", bucket: "bkt"},
		{method: "GET", target: "/k/x", host: "my.bkt.s3.example.com:9000", op: "GetObject", bucket: "my.bkt", key: "k/x"},
		{method: "PUT", target: "/", host: "BKT.S3.example.com", op: "CreateBucket", bucket: "bkt"},
		{method: "GET", target: "/", host: "s3.example.com", op: "ListBuckets"},
		{method: "GET", target: "/bkt/k", host: "other.example.com", op: "GetObject", bucket: "bkt", key: "k"},
		{method: "GET", target: "/bkt/k", host: "127.0.0.1:9000", op: "GetObject", bucket: "bkt", key: "k"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.host+tc.target, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			if tc.host != "" {
				r.Host = tc.host
			}
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			req := &request{}
			s.address(r, req)
			rt, err := s.match(r, req)
			if req.bucket != tc.bucket || req.key != tc.key {
				t.Errorf("addressed %q %q, want %q %q", req.bucket, req.key, tc.bucket, tc.key)
			}
			if tc.op == "" {
				if !errors.Is(err, errMethodNotAllowed) {
					t.Fatalf("got %v, want MethodNotAllowed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rt.op != tc.op {
				t.Errorf("op %s, want %s", rt.op, tc.op)
			}
		})
	}
}

func TestRouteTableIsConsistent(t *testing.T) {
	s := New(Config{}).(*server)
	for _, rt := range s.routes {
		if rt.op == "" || rt.level == 0 || rt.handle == nil || rt.action == "" {
			t.Errorf("incomplete route %+v", rt)
		}
		if rt.op != "Unsupported" && rt.method == "" {
			t.Errorf("%s matches every method", rt.op)
		}
	}
}
