package sigv4

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

var v2ResourceCases = []struct {
	name, host, path, rawQuery string
	want                       string
}{
	{"path style", "s3.test", "/bucket/key", "", "/bucket/key"},
	{"service root", "s3.test", "/", "", "/"},
	{"virtual host", "bucket.s3.test", "/key", "", "/bucket/key"},
	{"virtual host root", "bucket.s3.test", "/", "", "/bucket/"},
	{"virtual host with port", "bucket.s3.test:9000", "/key", "", "/bucket/key"},
	{"virtual host in capitals", "Bucket.S3.Test", "/key", "", "/bucket/key"},
	{"dotted bucket", "my.bucket.s3.test", "/key", "", "/my.bucket/key"},
	{"the domain itself", "s3.test", "/bucket/key", "", "/bucket/key"},
	{"other domain is path style", "bucket.example.com", "/b/key", "", "/b/key"},
	{"suffix without a dot is path style", "evils3.test", "/b/key", "", "/b/key"},
	{"ip address", "127.0.0.1:9000", "/bucket/key", "", "/bucket/key"},
	{"path kept as sent", "s3.test", "/bucket/a%2Fb//c%20d+e", "", "/bucket/a%2Fb//c%20d+e"},
	{"sub-resources sorted", "s3.test", "/b/k", "versionId=3&acl&uploadId=u", "/b/k?acl&uploadId=u&versionId=3"},
	{"empty value bare", "s3.test", "/b/k", "acl=", "/b/k?acl"},
	{"other parameters dropped", "s3.test", "/b/", "prefix=a&max-keys=2&list-type=2&x-id=ListObjects&delete", "/b/?delete"},
	{"bucket alone gains a slash", "s3.test", "/bucket", "delete", "/bucket/?delete"},
	{"bucket with its slash", "s3.test", "/bucket/", "", "/bucket/"},
	{"virtual host, path alone kept", "bucket.s3.test", "/key", "", "/bucket/key"},
	{"values decoded", "s3.test", "/b/k", "response-content-disposition=attachment%3B%20filename%3D%22a%20b%2Bc.txt%22&versionId=v%2B1%202",
		"/b/k?response-content-disposition=attachment; filename=\"a b+c.txt\"&versionId=v+1 2"},
	{"names case-sensitive", "s3.test", "/b/k", "versionid=1&ACL", "/b/k"},
	{"repeats keep their order", "s3.test", "/b/k", "tagging=2&acl&tagging=1", "/b/k?acl&tagging=2&tagging=1"},
	{"part number and upload id", "s3.test", "/b/k", "uploadId=abc&partNumber=7", "/b/k?partNumber=7&uploadId=abc"},
	{"response overrides", "s3.test", "/b/k", "response-expires=x&response-cache-control=y&response-content-type=z&response-content-language=l&response-content-encoding=e",
		"/b/k?response-cache-control=y&response-content-encoding=e&response-content-language=l&response-content-type=z&response-expires=x"},
}

func TestCanonicalResourceV2(t *testing.T) {
	for _, tt := range v2ResourceCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := canonicalResourceV2(tt.host, []string{"s3.test"}, tt.path, parseQuery(tt.rawQuery)); got != tt.want {
				t.Fatalf("resource = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCanonicalAmzHeaders(t *testing.T) {
	tests := []struct {
		name     string
		headers  []header
		rawQuery string
		want     string
	}{
		{"none", []header{{"Content-Type", "text/plain"}, {"Host", "x"}}, "", ""},
		{"lower-cased and sorted", []header{{"X-Amz-Meta-B", "2"}, {"X-Amz-Acl", "private"}, {"x-amz-meta-a", "1"}},
			"", "x-amz-acl:private\nx-amz-meta-a:1\nx-amz-meta-b:2\n"},
		{"repeats joined in order", []header{{"X-Amz-Meta-Who", "fred"}, {"X-Amz-Meta-Who", "barney"}}, "", "x-amz-meta-who:fred,barney\n"},
		{"values trimmed, inside kept", []header{{"X-Amz-Meta-A", "  a  b\t"}}, "", "x-amz-meta-a:a  b\n"},
		{"empty value kept", []header{{"X-Amz-Meta-A", ""}}, "", "x-amz-meta-a:\n"},
		{"parameters stand in", nil, "x-amz-meta-a=1&X-Amz-Acl=private&prefix=p", "x-amz-acl:private\nx-amz-meta-a:1\n"},
		{"header wins over parameter", []header{{"X-Amz-Meta-A", "header"}}, "x-amz-meta-a=query", "x-amz-meta-a:header\n"},
		{"repeated parameters joined", nil, "x-amz-meta-a=1&x-amz-meta-a=2", "x-amz-meta-a:1,2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest("GET", "/", "s3.test", tt.headers, "")
			var got string
			for _, h := range canonicalAmzHeaders(r.Header, parseQuery(tt.rawQuery)) {
				got += h.name + ":" + h.value + "\n"
			}
			if got != tt.want {
				t.Fatalf("headers\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

var v2AuthorizationCases = []struct {
	name    string
	header  string
	wantKey string
	wantErr error
}{
	{"documented", "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", "AKIAIOSFODNN7EXAMPLE", nil},
	{"spaces after the scheme", "AWS    AK:frJIUN8DYpKDtOLCwo//yllqDzg=", "AK", nil},
	{"access key with symbols", "AWS a.b-c_d:frJIUN8DYpKDtOLCwo//yllqDzg=", "a.b-c_d", nil},
	{"space inside the documented form", "AWS AKIAIOSFODNN7EXAMPLE: qgk2+6Sv9/oM7G3qLEjTH1a1l1g=", "", ErrAuthorizationHeaderMalformed},
	{"scheme only", "AWS ", "", ErrAuthorizationHeaderMalformed},
	{"no colon", "AWS AK", "", ErrAuthorizationHeaderMalformed},
	{"empty key", "AWS :frJIUN8DYpKDtOLCwo//yllqDzg=", "", ErrAuthorizationHeaderMalformed},
	{"empty signature", "AWS AK:", "", ErrAuthorizationHeaderMalformed},
	{"two colons", "AWS AK:frJIUN8DYpKDtOLCwo//yllqDzg=:x", "", ErrAuthorizationHeaderMalformed},
	{"url-safe base64", "AWS AK:frJIUN8DYpKDtOLCwo__yllqDzg=", "", ErrAuthorizationHeaderMalformed},
	{"sha256 size", "AWS AK:" + strings.Repeat("A", 43) + "=", "", ErrAuthorizationHeaderMalformed},
	{"other scheme", "AWS4 AK:frJIUN8DYpKDtOLCwo//yllqDzg=", "", ErrAuthorizationHeaderMalformed},
}

func TestParseV2Authorization(t *testing.T) {
	for _, tt := range v2AuthorizationCases {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseV2Authorization(tt.header)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (c.accessKey != tt.wantKey || len(c.signature) != 20) {
				t.Fatalf("parsed %+v", c)
			}
		})
	}
}

var v2PresignCases = []struct {
	name        string
	rawQuery    string
	wantExpires int64
	wantErr     error
}{
	{"documented", "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620", 1175139620, nil},
	{"any order, other parameters", "Expires=0&versionId=1&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&AWSAccessKeyId=AK", 0, nil},
	{"plus as space", "AWSAccessKeyId=AK&Signature=NpgCjnDzrM+WFzoENXmpNDUsSn8%3D&Expires=1", 1, nil},
	{"nothing", "", 0, ErrAuthorizationQueryMalformed},
	{"no expires", "AWSAccessKeyId=AK&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D", 0, ErrAuthorizationQueryMalformed},
	{"expires hex", "AWSAccessKeyId=AK&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=0x10", 0, ErrAuthorizationQueryMalformed},
	{"expires with space", "AWSAccessKeyId=AK&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=%201", 0, ErrAuthorizationQueryMalformed},
	{"signature short", "AWSAccessKeyId=AK&Signature=abcd&Expires=1", 0, ErrAuthorizationQueryMalformed},
	{"key empty", "AWSAccessKeyId=&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1", 0, ErrAuthorizationQueryMalformed},
}

func TestParseV2Presign(t *testing.T) {
	for _, tt := range v2PresignCases {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseV2Presign(parseQuery(tt.rawQuery))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (p.expires != tt.wantExpires || len(p.signature) != 20 || p.accessKey == "") {
				t.Fatalf("parsed %+v", p)
			}
		})
	}
}

func TestV2RequestTime(t *testing.T) {
	tests := []struct {
		name      string
		headers   []header
		wantUnix  int64
		wantDate  string
		wantError error
	}{
		{"rfc 1123", []header{{"Date", "Sun, 22 Nov 2026 09:15:08 GMT"}}, 1795338908, "Sun, 22 Nov 2026 09:15:08 GMT", nil},
		{"numeric zone", []header{{"Date", "Tue, 27 Mar 2007 19:36:42 +0000"}}, 1175024202, "Tue, 27 Mar 2007 19:36:42 +0000", nil},
		{"other zone", []header{{"Date", "Tue, 27 Mar 2007 21:36:42 +0200"}}, 1175024202, "Tue, 27 Mar 2007 21:36:42 +0200", nil},
		{"rfc 850", []header{{"Date", "Tuesday, 27-Mar-07 19:36:42 GMT"}}, 1175024202, "Tuesday, 27-Mar-07 19:36:42 GMT", nil},
		{"asctime", []header{{"Date", "Tue Mar 27 19:36:42 2007"}}, 1175024202, "Tue Mar 27 19:36:42 2007", nil},
		{"x-amz-date wins, date line empty", []header{{"Date", "Sun, 22 Nov 2026 09:15:08 GMT"}, {"X-Amz-Date", "Tue, 27 Mar 2007 19:36:42 +0000"}}, 1175024202, "", nil},
		{"x-amz-date iso 8601", []header{{"X-Amz-Date", "20070327T193642Z"}}, 1175024202, "", nil},
		{"none", nil, 0, "", ErrMissingDate},
		{"garbage", []header{{"Date", "soon"}}, 0, "", ErrMissingDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest("GET", "/", "s3.test", tt.headers, "")
			when, line, err := v2RequestTime(r)
			if !errors.Is(err, tt.wantError) {
				t.Fatalf("error = %v, want %v", err, tt.wantError)
			}
			if err == nil && (when.Unix() != tt.wantUnix || line != tt.wantDate) {
				t.Fatalf("time %v (%d), date line %q", when, when.Unix(), line)
			}
		})
	}
}

// The front end routes on the decoded query as net/http sees it; every
// sub-resource it can see must be in the signed resource.
func TestCanonicalResourceV2SeesWhatTheFrontEndSees(t *testing.T) {
	for _, raw := range []string{"acl", "ac%6c", "versionId=1&versionId=2", "uploadId=a%26b", "%61cl=&x=1", "a=%zz&acl"} {
		r, err := http.NewRequest("GET", "http://s3.test/b/k?"+raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		resource := canonicalResourceV2("s3.test", nil, "/b/k", parseQuery(raw))
		for name := range r.URL.Query() {
			if v2SubResources[name] && !containsSubResource(resource, name) {
				t.Errorf("query %q: front end sees %q, resource %q lacks it", raw, name, resource)
			}
		}
	}
}

// containsSubResource looks for name among the resource's sub-resources.
// Decoded values may hold '&' or '=': a false match there only makes the
// check laxer, never a false failure.
func containsSubResource(resource, name string) bool {
	_, subs, _ := strings.Cut(resource, "?")
	for _, part := range strings.Split(subs, "&") {
		if k, _, _ := strings.Cut(part, "="); k == name {
			return true
		}
	}
	return false
}
