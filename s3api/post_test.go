package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// formRequest builds a browser-style POST: the fields (in name order),
// then the file when filename is set.
func formRequest(t *testing.T, target string, fields map[string]string, filename string, file []byte) *http.Request {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := w.WriteField(name, fields[name]); err != nil {
			t.Fatal(err)
		}
	}
	if filename != "" {
		part, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(file)
	}
	w.Close()
	r, err := http.NewRequest("POST", target, &body)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", w.FormDataContentType())
	return r
}

// policyForm signs a POST policy for bucket "forms" with minio-go and
// returns its fields, overridden by extra.
func policyForm(t *testing.T, env *testEnv, configure func(*minio.PostPolicy) error, extra map[string]string) map[string]string {
	t.Helper()
	policy := minio.NewPostPolicy()
	if err := policy.SetBucket("forms"); err != nil {
		t.Fatal(err)
	}
	if err := policy.SetExpires(time.Now().UTC().Add(10 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := policy.SetKeyStartsWith("uploads/"); err != nil {
		t.Fatal(err)
	}
	if err := configure(policy); err != nil {
		t.Fatal(err)
	}
	_, form, err := minioClient(t, env, false).PresignedPostPolicy(context.Background(), policy)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range extra {
		form[k] = v
	}
	return form
}

func TestPostObject(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "forms")
	target := env.url("/forms")
	standard := func(p *minio.PostPolicy) error {
		return errors.Join(p.SetContentType("text/plain"), p.SetContentLengthRange(1, 1000), p.SetUserMetadata("album", "summer"))
	}
	form := func(extra map[string]string) map[string]string { return policyForm(t, env, standard, extra) }

	t.Run("default 204 with filename", func(t *testing.T) {
		r := formRequest(t, target, form(map[string]string{"key": "uploads/${filename}"}), `C:\docs\note.txt`, []byte("hello form"))
		resp, body := do(t, env.server.Client(), r)
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("ETag") != `"`+md5Hex([]byte("hello form"))+`"` {
			t.Fatalf("%d %s %v", resp.StatusCode, body, resp.Header)
		}
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("forms"), Key: aws.String("uploads/note.txt")})
		if err != nil {
			t.Fatal(err)
		}
		if string(readAll(t, out.Body)) != "hello form" || aws.ToString(out.ContentType) != "text/plain" || out.Metadata["album"] != "summer" {
			t.Fatalf("stored object: %+v", out)
		}
	})
	t.Run("201 document", func(t *testing.T) {
		fields := policyForm(t, env, func(p *minio.PostPolicy) error { return p.SetSuccessStatusAction("201") }, map[string]string{"key": "uploads/a"})
		resp, body := do(t, env.server.Client(), formRequest(t, target, fields, "a", []byte("x")))
		var doc struct{ Location, Bucket, Key, ETag string }
		if resp.StatusCode != http.StatusCreated || xml.Unmarshal(body, &doc) != nil || doc.Bucket != "forms" || doc.Key != "uploads/a" || doc.Location != env.url("/forms/uploads/a") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("redirect", func(t *testing.T) {
		fields := policyForm(t, env, func(p *minio.PostPolicy) error { return p.SetSuccessActionRedirect("https://app.example/done?x=1") }, map[string]string{"key": "uploads/r"})
		client := env.server.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, _ := do(t, client, formRequest(t, target, fields, "r", []byte("x")))
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Host != "app.example" || loc.Query().Get("key") != "uploads/r" || loc.Query().Get("x") != "1" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
	})

	cases := []errorCase{
		{name: "key outside policy", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, form(map[string]string{"key": "elsewhere/x"}), "x", []byte("x"))
		}, status: 403, code: "AccessDenied", message: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]`},
		{name: "file too large", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, form(map[string]string{"key": "uploads/big"}), "big", bytes.Repeat([]byte("b"), 1001))
		}, status: 400, code: "EntityTooLarge"},
		{name: "file too small", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, form(map[string]string{"key": "uploads/small"}), "small", nil)
		}, status: 400, code: "EntityTooSmall"},
		{name: "field not in policy", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, form(map[string]string{"key": "uploads/y", "x-amz-meta-extra": "1"}), "y", []byte("y"))
		}, status: 403, code: "AccessDenied", message: "Invalid according to Policy: Extra input fields: x-amz-meta-extra"},
		{name: "no file", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, form(map[string]string{"key": "uploads/z"}), "", nil)
		}, status: 400, code: "InvalidArgument"},
		{name: "tampered policy", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, form(map[string]string{"key": "uploads/t", "policy": "e30="}), "t", []byte("t"))
		}, status: 403, code: "SignatureDoesNotMatch"},
		{name: "anonymous", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, map[string]string{"key": "uploads/anon"}, "anon", []byte("a"))
		}, status: 403, code: "AccessDenied"},
		{name: "not multipart", build: func(t *testing.T, _ string) *http.Request {
			r, _ := http.NewRequest("POST", target, bytes.NewReader([]byte("--x--")))
			r.Header.Set("Content-Type", "multipart/form-data")
			return r
		}, status: 400, code: "MalformedPOSTRequest"},
	}
	runErrorCases(t, env, cases)
	for _, key := range []string{"uploads/big", "uploads/small", "uploads/y", "elsewhere/x", "uploads/anon"} {
		_, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("forms"), Key: aws.String(key)})
		wantCode(t, err, "NotFound")
	}
}
