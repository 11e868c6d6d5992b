package iamapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// FuzzParseParams: the form reader never panics, and what it accepts
// encodes back to the same parameters.
func FuzzParseParams(f *testing.F) {
	for _, seed := range []struct{ body, query string }{
		{"Action=ListUsers&Version=2010-05-08", ""}, {"a=1&a=2", ""}, {"%zz=1", ""}, {"a=%7B%22x%22%7D+b", "c=d"},
		{"&&=&", "="}, {"PolicyDocument=" + strings.Repeat("%41", 50), ""}, {"a", "a"},
	} {
		f.Add(seed.body, seed.query)
	}
	f.Fuzz(func(t *testing.T, body, query string) {
		p, err := parseParams(body, query)
		if err != nil {
			if err.status != 400 && err.status != 404 {
				t.Fatalf("status %d", err.status)
			}
			return
		}
		var pairs []string
		for k, v := range p {
			pairs = append(pairs, percentEncode(k)+"="+percentEncode(v))
		}
		again, err := parseParams(strings.Join(pairs, "&"), "")
		if err != nil || len(again) != len(p) {
			t.Fatalf("re-encoded parameters do not parse alike: %v", err)
		}
		for k, v := range p {
			if again[k] != v {
				t.Fatalf("%q = %q after re-encoding, was %q", k, again[k], v)
			}
		}
	})
}

// FuzzRequest sends arbitrary signed form bodies, as the root user, to the
// handler: it never panics, never fails internally, and always answers
// well-formed XML with a request id.
func FuzzRequest(f *testing.F) {
	for _, seed := range []string{
		form("CreateUser", "UserName", "alice").Encode(),
		form("PutUserPolicy", "UserName", "alice", "PolicyName", "p", "PolicyDocument", allowAll).Encode(),
		form("ListUsers", "MaxItems", "1", "Marker", "YQ").Encode(),
		form("UpdateAccessKey", "UserName", "alice", "AccessKeyId", "AKIAAAAAAAAAAAAAAAAA", "Status", "Inactive").Encode(),
		form("GetUserPolicy", "UserName", "alice", "PolicyName", "p").Encode(),
		"Action=GetCallerIdentity&Version=2011-06-15", "Action=&Version=", "Action=DeleteUser&Version=2010-05-08&UserName=%00",
	} {
		f.Add(seed, false)
	}
	s := startServer(f)
	handler := s.Server.Config.Handler
	f.Fuzz(func(t *testing.T, body string, sts bool) {
		service := serviceIAM
		if sts {
			service = serviceSTS
		}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", formType)
		sum := sha256.Sum256([]byte(body))
		awsCreds := aws.Credentials{AccessKeyID: root.id, SecretAccessKey: root.secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), awsCreds, req, hex.EncodeToString(sum[:]), service, testRegion, time.Now()); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q: %d %s", body, rec.Code, rec.Body.String())
		}
		dec := xml.NewDecoder(strings.NewReader(rec.Body.String()))
		for {
			_, err := dec.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("%q: malformed XML (%v): %s", body, err, rec.Body.String())
				}
				break
			}
		}
		if id := rec.Header().Get("x-amzn-RequestId"); id == "" || !strings.Contains(rec.Body.String(), id) {
			t.Fatalf("%q: no request id", body)
		}
	})
}

// FuzzIsRequest: routing never panics on any header or query.
func FuzzIsRequest(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "AWS4-HMAC-SHA256 Credential=AK/20260304/us-east-1/iam/aws4_request, SignedHeaders=host", "")
	f.Add("application/x-www-form-urlencoded", "", "X-Amz-Credential=AK%2F20260304%2Fus-east-1%2Fsts%2Faws4_request")
	f.Add("", "Credential=", "X-Amz-Credential=%")
	f.Fuzz(func(t *testing.T, contentType, authorization, query string) {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", authorization)
		if IsRequest(req) && !strings.Contains(authorization+query, "aws4_request") {
			t.Fatalf("recognized %q %q", authorization, query)
		}
	})
}
