package s3api

import (
	"errors"
	"testing"
	"unicode/utf8"
)

var copySourceCases = []struct {
	name        string
	in          string
	bucket, key string
	code        errorCode
}{
	{name: "plain", in: "bucket/key", bucket: "bucket", key: "key"},
	{name: "leading slash", in: "/bucket/dir/key.txt", bucket: "bucket", key: "dir/key.txt"},
	{name: "encoded", in: "bucket/a%20b%2Fc%3Fd", bucket: "bucket", key: "a b/c?d"},
	{name: "unicode", in: "bucket/%E2%82%AC", bucket: "bucket", key: "€"},
	{name: "null version", in: "bucket/key?versionId=null", bucket: "bucket", key: "key"},
	{name: "other query ignored", in: "bucket/key?foo=bar", bucket: "bucket", key: "key"},
	{name: "real version refused", in: "bucket/key?versionId=3HL4kqtJlcpXroDTDmJ", code: codeInvalidArgument},
	{name: "no key", in: "bucket", code: codeInvalidArgument},
	{name: "empty key", in: "bucket/", code: codeInvalidArgument},
	{name: "no bucket", in: "/key", code: codeInvalidArgument},
	{name: "empty", in: "", code: codeInvalidArgument},
	{name: "bad escape", in: "bucket/%zz", code: codeInvalidArgument},
	{name: "invalid utf8", in: "bucket/%ff", code: codeInvalidArgument},
	{name: "bad query", in: "bucket/key?%zz", code: codeInvalidArgument},
}

func TestParseCopySource(t *testing.T) {
	for _, tc := range copySourceCases {
		t.Run(tc.name, func(t *testing.T) {
			bucket, key, err := parseCopySource(tc.in)
			if tc.code != "" {
				var api *apiError
				if !errors.As(err, &api) || api.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil || bucket != tc.bucket || key != tc.key {
				t.Errorf("got %q %q %v, want %q %q", bucket, key, err, tc.bucket, tc.key)
			}
		})
	}
}

func FuzzParseCopySource(f *testing.F) {
	for _, tc := range copySourceCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		bucket, key, err := parseCopySource(in)
		if err != nil {
			var api *apiError
			if !errors.As(err, &api) || errorCodes[api.Code].Status != 400 {
				t.Fatalf("error %v is not a client error", err)
			}
			return
		}
		if bucket == "" || key == "" || !utf8.ValidString(key) || len(key) > 1024 {
			t.Fatalf("accepted bucket %q key %q from %q", bucket, key, in)
		}
	})
}
