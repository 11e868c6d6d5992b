package sigv4

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

func FuzzParseV2Authorization(f *testing.F) {
	for _, tt := range v2AuthorizationCases {
		f.Add(tt.header)
	}
	f.Fuzz(func(t *testing.T, h string) {
		c, err := parseV2Authorization(h)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if c.accessKey == "" || len(c.signature) != 20 {
			t.Fatalf("accepted %q as %+v", h, c)
		}
		rendered := v2Scheme + c.accessKey + ":" + base64.StdEncoding.EncodeToString(c.signature)
		again, err := parseV2Authorization(rendered)
		if err != nil || again.accessKey != c.accessKey || !bytes.Equal(again.signature, c.signature) {
			t.Fatalf("round trip of %q: %+v, %v", rendered, again, err)
		}
	})
}

func FuzzParseV2Presign(f *testing.F) {
	for _, tt := range v2PresignCases {
		f.Add(tt.rawQuery)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := parseV2Presign(parseQuery(raw))
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if p.accessKey == "" || len(p.signature) != 20 || p.expires < 0 || strings.Trim(p.expiresText, "0123456789") != "" {
			t.Fatalf("accepted %q as %+v", raw, p)
		}
		rendered := url.Values{
			"AWSAccessKeyId": {p.accessKey},
			"Signature":      {base64.StdEncoding.EncodeToString(p.signature)},
			"Expires":        {p.expiresText},
		}.Encode()
		again, err := parseV2Presign(parseQuery(rendered))
		if err != nil || again.accessKey != p.accessKey || !bytes.Equal(again.signature, p.signature) || again.expires != p.expires {
			t.Fatalf("round trip of %q: %+v, %v", rendered, again, err)
		}
	})
}

func FuzzCanonicalResourceV2(f *testing.F) {
	for _, tt := range v2ResourceCases {
		f.Add(tt.host, tt.path, tt.rawQuery)
	}
	f.Fuzz(func(t *testing.T, host, path, raw string) {
		domains := []string{"s3.test"}
		got := canonicalResourceV2(host, domains, path, parseQuery(raw))
		prefix := path
		if bucket, ok := virtualHostBucket(host, domains); ok {
			prefix = "/" + bucket + path
		} else if len(path) > 1 && strings.Count(path, "/") == 1 && path[0] == '/' {
			prefix = path + "/" // a bucket alone
		}
		rest, ok := strings.CutPrefix(got, prefix)
		if !ok {
			t.Fatalf("resource %q does not start with %q", got, prefix)
		}
		// What follows the path lists exactly the signed sub-resources, in order.
		var want []string
		for _, p := range parseQuery(raw) {
			if v2SubResources[p.key] {
				want = append(want, p.key)
			}
		}
		sort.Strings(want)
		if len(want) == 0 {
			if rest != "" {
				t.Fatalf("resource %q adds %q without sub-resources", got, rest)
			}
			return
		}
		if !strings.HasPrefix(rest, "?"+want[0]) {
			t.Fatalf("resource %q: sub-resources should start with %q", got, want[0])
		}
	})
}

func FuzzVerifyV2(f *testing.F) {
	for _, vec := range v2Examples {
		if sig, ok := currentSignatures[vec.name]; ok {
			var date string
			for _, h := range vec.headers {
				if h.name == "Date" {
					date = h.value
				}
			}
			f.Add(vec.method, vec.target, vec.host, "AWS "+exampleAccessKey+":"+sig, date)
		}
	}
	f.Add("GET", documentedQueryTarget, documentedQueryHost, "", "")
	f.Add("GET", "/b/k?AWSAccessKeyId=x&Signature=y", "s3.test", "", "")
	f.Fuzz(func(t *testing.T, method, target, host, authorization, date string) {
		if !strings.HasPrefix(target, "/") {
			return
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		r := &http.Request{Method: method, URL: u, RequestURI: target, Host: host, Header: http.Header{}, Body: http.NoBody}
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		if date != "" {
			r.Header.Set("Date", date)
		}
		v := v2VerifierAt(exampleAccessKey, exampleSecret, time.Date(2007, 3, 27, 19, 36, 42, 0, time.UTC))
		a, err := v.Verify(r, "s3")
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if a.Body == nil || a.Trailer == nil || (!a.Anonymous && a.AccessKey != exampleAccessKey) {
			t.Fatalf("incomplete Auth %+v", a)
		}
	})
}
