package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// formRequest builds a browser-style POST: fields in order, then the file.
func formRequest(t *testing.T, target string, fields [][2]string, filename string, file []byte) *http.Request {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
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

// policyForm signs a POST policy with minio-go and returns its fields.
func policyForm(t *testing.T, env *testEnv, configure func(*minio.PostPolicy)) [][2]string {
	t.Helper()
	policy := minio.NewPostPolicy()
	policy.SetBucket("forms")
	policy.SetExpires(time.Now().UTC().Add(10 * time.Minute))
	configure(policy)
	_, form, err := minioClient(t, env, false).PresignedPostPolicy(context.Background(), policy)
	if err != nil {
		t.Fatal(err)
	}
	var fields [][2]string
	for k, v := range form {
		fields = append(fields, [2]string{k, v})
	}
	return fields
}

func TestPostObject(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "forms")
	target := env.url("/forms")
	uploads := policyForm(t, env, func(p *minio.PostPolicy) {
		p.SetKeyStartsWith("uploads/")
		p.SetContentLengthRange(1, 1000)
		p.SetCondition("starts-with", "$success_action_status", "")
		p.SetCondition("starts-with", "$success_action_redirect", "")
		p.SetCondition("starts-with", "$Content-Type", "")
		p.SetUserMetadata("album", "summer")
	})
	with := func(extra ...[2]string) [][2]string { return append(append([][2]string{}, uploads...), extra...) }

	t.Run("default 204 with filename", func(t *testing.T) {
		r := formRequest(t, target, with([2]string{"key", "uploads/${filename}"}, [2]string{"Content-Type", "text/plain"}), `C:\docs\note.txt`, []byte("hello form"))
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
		r := formRequest(t, target, with([2]string{"key", "uploads/a"}, [2]string{"success_action_status", "201"}), "a", []byte("x"))
		resp, body := do(t, env.server.Client(), r)
		var doc struct{ Location, Bucket, Key, ETag string }
		if resp.StatusCode != http.StatusCreated || xml.Unmarshal(body, &doc) != nil || doc.Bucket != "forms" || doc.Key != "uploads/a" || doc.Location != env.url("/forms/uploads/a") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("redirect", func(t *testing.T) {
		r := formRequest(t, target, with([2]string{"key", "uploads/r"}, [2]string{"success_action_redirect", "https://app.example/done?x=1"}), "r", []byte("x"))
		client := env.server.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, _ := do(t, client, r)
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Host != "app.example" || loc.Query().Get("key") != "uploads/r" || loc.Query().Get("x") != "1" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
	})

	cases := []errorCase{
		{name: "key outside policy", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, with([2]string{"key", "elsewhere/x"}), "x", []byte("x"))
		}, status: 403, code: "AccessDenied", message: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]`},
		{name: "file too large", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, with([2]string{"key", "uploads/big"}), "big", bytes.Repeat([]byte("b"), 1001))
		}, status: 400, code: "EntityTooLarge"},
		{name: "file too small", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, with([2]string{"key", "uploads/small"}), "small", nil)
		}, status: 400, code: "EntityTooSmall"},
		{name: "field not in policy", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, with([2]string{"key", "uploads/y"}, [2]string{"x-amz-meta-extra", "1"}), "y", []byte("y"))
		}, status: 403, code: "AccessDenied"},
		{name: "no file", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, with([2]string{"key", "uploads/z"}), "", nil)
		}, status: 400, code: "InvalidArgument"},
		{name: "tampered policy", build: func(t *testing.T, _ string) *http.Request {
			fields := with([2]string{"key", "uploads/t"})
			for i := range fields {
				if fields[i][0] == "policy" {
					fields[i][1] = "e30=" // {}
				}
			}
			return formRequest(t, target, fields, "t", []byte("t"))
		}, status: 403, code: "SignatureDoesNotMatch"},
		{name: "anonymous", build: func(t *testing.T, _ string) *http.Request {
			return formRequest(t, target, [][2]string{{"key", "uploads/anon"}}, "anon", []byte("a"))
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
