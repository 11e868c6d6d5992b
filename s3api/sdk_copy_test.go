package s3api

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestSDKCopyObject(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "src")
	createBucket(t, client, "dst")
	data := randomBytes(100<<10, 21)
	srcKey := "dir/some key+€?.bin"
	put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), Body: bytes.NewReader(data),
		ContentType: aws.String("application/x-src"), Metadata: map[string]string{"from": "source"}})
	if err != nil {
		t.Fatal(err)
	}
	source := url.PathEscape("src") + "/" + (&url.URL{Path: srcKey}).EscapedPath()

	cp, err := client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String(source)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cp.CopyObjectResult.ETag) != aws.ToString(put.ETag) || cp.CopyObjectResult.LastModified == nil ||
		cp.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("copy result %+v", cp.CopyObjectResult)
	}
	get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if err != nil || !bytes.Equal(readAll(t, get.Body), data) || get.Metadata["from"] != "source" || aws.ToString(get.ContentType) != "application/x-src" {
		t.Fatalf("copied object: %v %+v", err, get)
	}

	if _, err := client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced"), CopySource: aws.String(source + "?versionId=null"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/new"), Metadata: map[string]string{"fresh": "yes"}}); err != nil {
		t.Fatal(err)
	}
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced")})
	if err != nil || aws.ToString(head.ContentType) != "text/new" || head.Metadata["fresh"] != "yes" || head.Metadata["from"] != "" {
		t.Fatalf("replaced metadata: %v %+v", err, head)
	}

	past := time.Now().Add(-time.Hour)
	cases := []struct {
		name string
		in   s3.CopyObjectInput
		code string
	}{
		{name: "if-match fails", in: s3.CopyObjectInput{CopySource: aws.String(source), CopySourceIfMatch: aws.String(`"0000"`)}, code: "PreconditionFailed"},
		{name: "if-none-match fails", in: s3.CopyObjectInput{CopySource: aws.String(source), CopySourceIfNoneMatch: put.ETag}, code: "PreconditionFailed"},
		{name: "if-unmodified-since fails", in: s3.CopyObjectInput{CopySource: aws.String(source), CopySourceIfUnmodifiedSince: &past}, code: "PreconditionFailed"},
		{name: "if-match holds", in: s3.CopyObjectInput{CopySource: aws.String(source), CopySourceIfMatch: put.ETag}},
		{name: "missing key", in: s3.CopyObjectInput{CopySource: aws.String("src/missing")}, code: "NoSuchKey"},
		{name: "missing bucket", in: s3.CopyObjectInput{CopySource: aws.String("nosrc/k")}, code: "NoSuchBucket"},
		{name: "no key", in: s3.CopyObjectInput{CopySource: aws.String("src")}, code: "InvalidArgument"},
		{name: "version", in: s3.CopyObjectInput{CopySource: aws.String(source + "?versionId=abc")}, code: "InvalidArgument"},
		{name: "bad directive", in: s3.CopyObjectInput{CopySource: aws.String(source), MetadataDirective: "MERGE"}, code: "InvalidArgument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key = aws.String("dst"), aws.String("target")
			_, err := client.CopyObject(ctx, &in)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	_, err = client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("dst/copy")})
	wantCode(t, err, "InvalidRequest")
}

func TestSDKPresigned(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "presign")
	presigner := s3.NewPresignClient(client)
	httpClient := env.server.Client()

	putReq, err := presigner.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("presign"), Key: aws.String("up/loaded file")},
		s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	r, err := http.NewRequest(putReq.Method, putReq.URL, bytes.NewReader([]byte("presigned body")))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range putReq.SignedHeader {
		r.Header[k] = v
	}
	resp, body := do(t, httpClient, r)
	if resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %d %s", resp.StatusCode, body)
	}

	getReq, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("presign"), Key: aws.String("up/loaded file"),
		ResponseContentType: aws.String("text/plain")})
	if err != nil {
		t.Fatal(err)
	}
	r, _ = http.NewRequest(getReq.Method, getReq.URL, nil)
	resp, body = do(t, httpClient, r)
	if resp.StatusCode != 200 || string(body) != "presigned body" || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("presigned GET: %d %q %v", resp.StatusCode, body, resp.Header)
	}

	// A tampered URL fails the signature; a query string with a signature
	// never reaches the log.
	tampered := strings.Replace(getReq.URL, "loaded", "loadeX", 1)
	r, _ = http.NewRequest("GET", tampered, nil)
	resp, body = do(t, httpClient, r)
	if resp.StatusCode != 403 || !bytes.Contains(body, []byte("<Code>SignatureDoesNotMatch</Code>")) {
		t.Fatalf("tampered: %d %s", resp.StatusCode, body)
	}
	u, _ := url.Parse(getReq.URL)
	if sig := u.Query().Get("X-Amz-Signature"); sig == "" || bytes.Contains([]byte(env.logs.String()), []byte(sig)) {
		t.Fatalf("signature missing from URL or present in the log")
	}
}

func TestSDKDeleteObjects(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	fillBucket(t, client, "del", []string{"a", "b", "c/d"})

	out, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a")}, {Key: aws.String("c/d")}, {Key: aws.String("never")},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 3 || len(out.Errors) != 0 {
		t.Fatalf("deleted %+v errors %+v", out.Deleted, out.Errors)
	}
	out, err = client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Quiet: aws.Bool(true), Objects: []types.ObjectIdentifier{
		{Key: aws.String("b")}, {Key: aws.String("b"), VersionId: aws.String("v9")},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 0 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "InvalidArgument" {
		t.Fatalf("quiet: deleted %+v errors %+v", out.Deleted, out.Errors)
	}
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("del")})
	if err != nil || len(list.Contents) != 0 {
		t.Fatalf("left behind: %+v %v", list.Contents, err)
	}
	many := make([]types.ObjectIdentifier, 1001)
	for i := range many {
		many[i] = types.ObjectIdentifier{Key: aws.String("k")}
	}
	_, err = client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: many}})
	wantCode(t, err, "MalformedXML")
	_, err = client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("nodel"), Delete: &types.Delete{Objects: many[:1]}})
	wantCode(t, err, "NoSuchBucket")
}
