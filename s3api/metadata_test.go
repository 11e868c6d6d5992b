package s3api

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

func TestUserMetadata(t *testing.T) {
	cases := []struct {
		name   string
		header http.Header
		want   map[string]string
		code   errorCode
	}{
		{name: "none", header: http.Header{"Content-Type": {"text/plain"}}},
		{name: "lower-cased names, exact values", header: http.Header{"X-Amz-Meta-Foo": {"Bar Baz"}, "X-Amz-Meta-Camel": {"ÄÖ=?utf-8?"}},
			want: map[string]string{"foo": "Bar Baz", "camel": "ÄÖ=?utf-8?"}},
		{name: "empty value kept", header: http.Header{"X-Amz-Meta-Empty": {""}}, want: map[string]string{"empty": ""}},
		{name: "repeated joined", header: http.Header{"X-Amz-Meta-Multi": {"a", "b"}}, want: map[string]string{"multi": "a,b"}},
		{name: "non-canonical key", header: http.Header{"x-amz-meta-Under_Score": {"v"}}, want: map[string]string{"under_score": "v"}},
		{name: "empty name", header: http.Header{"X-Amz-Meta-": {"v"}}, code: codeInvalidArgument},
		{name: "too large", header: http.Header{"X-Amz-Meta-Big": {strings.Repeat("x", 2048)}}, code: codeMetadataTooLarge},
		{name: "exactly at the limit", header: http.Header{"X-Amz-Meta-Big": {strings.Repeat("x", 2048-len("x-amz-meta-big"))}},
			want: map[string]string{"big": strings.Repeat("x", 2048-len("x-amz-meta-big"))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := userMetadata(tc.header)
			if tc.code != "" {
				var api *apiError
				if !errors.As(err, &api) || api.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v %v, want %v", got, err, tc.want)
			}
		})
	}
}

func FuzzUserMetadata(f *testing.F) {
	f.Add("X-Amz-Meta-Foo", "bar", "x-amz-meta-foo", "baz")
	f.Add("X-Amz-Meta-", "", "Content-Type", "text/plain")
	f.Add("x-amz-meta-ÄÖ", "v\x00", "X-Amz-Meta-A", strings.Repeat("y", 3000))
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		h := http.Header{}
		h[k1] = append(h[k1], v1)
		h[k2] = append(h[k2], v2)
		user, err := userMetadata(h)
		if err != nil {
			var api *apiError
			if !errors.As(err, &api) || errorCodes[api.Code].Status != 400 {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if (coffer.ObjectMeta{User: user}).UserMetadataSize() > coffer.MaxUserMetadataBytes {
			t.Fatalf("accepted oversized metadata")
		}
		for name := range user {
			if name == "" || name != strings.ToLower(name) {
				t.Fatalf("name %q not lower-case or empty", name)
			}
		}
	})
}

func TestObjectMeta(t *testing.T) {
	cases := []struct {
		name   string
		header http.Header
		want   coffer.ObjectMeta
		code   errorCode
	}{
		{name: "content headers", header: http.Header{
			"Content-Type": {"text/plain"}, "Content-Encoding": {"aws-chunked,gzip"}, "Content-Disposition": {"attachment"},
			"Content-Language": {"de"}, "Cache-Control": {"no-cache"}, "Expires": {"Thu, 01 Dec 2094 16:00:00 GMT"},
			"X-Amz-Storage-Class": {"STANDARD_IA"}, "X-Amz-Website-Redirect-Location": {"/other"}, "X-Amz-Tagging": {"a=1&b=2"},
		}, want: coffer.ObjectMeta{ContentType: "text/plain", ContentEncoding: "gzip", ContentDisposition: "attachment",
			ContentLanguage: "de", CacheControl: "no-cache", Expires: "Thu, 01 Dec 2094 16:00:00 GMT",
			StorageClass: "STANDARD_IA", WebsiteRedirect: "/other", Tagging: "a=1&b=2"}},
		{name: "only aws-chunked", header: http.Header{"Content-Encoding": {"aws-chunked"}}, want: coffer.ObjectMeta{}},
		{name: "standard class is the default", header: http.Header{"X-Amz-Storage-Class": {"STANDARD"}}, want: coffer.ObjectMeta{}},
		{name: "bad class", header: http.Header{"X-Amz-Storage-Class": {"COLD"}}, code: codeInvalidStorageClass},
		{name: "bad redirect", header: http.Header{"X-Amz-Website-Redirect-Location": {"ftp://x"}}, code: codeInvalidRedirectLocation},
		{name: "bad tagging", header: http.Header{"X-Amz-Tagging": {"a=1&a=2"}}, code: codeInvalidArgument},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := objectMeta(tc.header)
			if tc.code != "" {
				var api *apiError
				if !errors.As(err, &api) || api.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v %v\nwant %+v", got, err, tc.want)
			}
		})
	}
}
