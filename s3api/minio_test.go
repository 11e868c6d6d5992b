package s3api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	miniocred "github.com/minio/minio-go/v7/pkg/credentials"
)

func minioClient(t testing.TB, env *testEnv, trailers bool) *minio.Client {
	t.Helper()
	u, err := url.Parse(env.server.URL)
	if err != nil {
		t.Fatal(err)
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:           miniocred.NewStaticV4(testAccessKey, testSecretKey, ""),
		Secure:          u.Scheme == "https",
		Transport:       env.server.Client().Transport,
		Region:          testRegion,
		BucketLookup:    minio.BucketLookupPath,
		TrailingHeaders: trailers,
		MaxRetries:      1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// TestMinio drives minio-go over plain HTTP (where it signs every chunk:
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD, with a signed trailer when trailing
// headers are on) and over TLS (unsigned payloads with trailers).
func TestMinio(t *testing.T) {
	modes := []struct {
		name     string
		opts     []envOption
		trailers bool
	}{
		{name: "http-streaming-signed", opts: []envOption{overPlainHTTP()}},
		{name: "http-streaming-signed-trailer", opts: []envOption{overPlainHTTP()}, trailers: true},
		{name: "tls-unsigned-trailer", trailers: true},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			env := newTestEnv(t, mode.opts...)
			testMinioClient(t, env, minioClient(t, env, mode.trailers))
		})
	}
}

func testMinioClient(t *testing.T, env *testEnv, client *minio.Client) {
	ctx := context.Background()
	if err := client.MakeBucket(ctx, "minio-bkt", minio.MakeBucketOptions{Region: testRegion}); err != nil {
		t.Fatal(err)
	}
	if ok, err := client.BucketExists(ctx, "minio-bkt"); err != nil || !ok {
		t.Fatalf("BucketExists: %v %v", ok, err)
	}
	if ok, err := client.BucketExists(ctx, "absent"); err != nil || ok {
		t.Fatalf("BucketExists(absent): %v %v", ok, err)
	}

	small := randomBytes(70<<10, 31)
	info, err := client.PutObject(ctx, "minio-bkt", "small", bytes.NewReader(small), int64(len(small)),
		minio.PutObjectOptions{ContentType: "application/x-small", UserMetadata: map[string]string{"Tag": "minio"}})
	if err != nil {
		t.Fatal(err)
	}
	if info.ETag != md5Hex(small) {
		t.Fatalf("etag %s", info.ETag)
	}
	// Unknown size: minio-go buffers 5 MiB parts into a multipart upload.
	big := randomBytes(2*partSize+777, 32)
	info, err = client.PutObject(ctx, "minio-bkt", "dir/unknown-size", io.MultiReader(bytes.NewReader(big)), -1, minio.PutObjectOptions{PartSize: partSize})
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(big)) || !strings.HasSuffix(info.ETag, "-3") {
		t.Fatalf("unknown-size upload: %+v", info)
	}
	// Known large size: multipart with parts sent concurrently.
	info, err = client.PutObject(ctx, "minio-bkt", "dir/known-size", bytes.NewReader(big), int64(len(big)), minio.PutObjectOptions{PartSize: partSize, NumThreads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if info.ETag != multipartETag(big[:partSize], big[partSize:2*partSize], big[2*partSize:]) {
		t.Fatalf("multipart etag %s", info.ETag)
	}

	obj, err := client.GetObject(ctx, "minio-bkt", "dir/unknown-size", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, obj); !bytes.Equal(got, big) {
		t.Fatalf("GetObject: %d bytes", len(got))
	}
	var ranged minio.GetObjectOptions
	if err := ranged.SetRange(partSize-3, partSize+3); err != nil {
		t.Fatal(err)
	}
	obj, err = client.GetObject(ctx, "minio-bkt", "dir/known-size", ranged)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, obj); !bytes.Equal(got, big[partSize-3:partSize+4]) {
		t.Fatalf("ranged GetObject: %d bytes", len(got))
	}
	stat, err := client.StatObject(ctx, "minio-bkt", "small", minio.StatObjectOptions{})
	if err != nil || stat.Size != int64(len(small)) || stat.ContentType != "application/x-small" || stat.UserMetadata["Tag"] != "minio" {
		t.Fatalf("StatObject: %+v %v", stat, err)
	}
	_, err = client.StatObject(ctx, "minio-bkt", "missing", minio.StatObjectOptions{})
	if minio.ToErrorResponse(err).StatusCode != http.StatusNotFound {
		t.Fatalf("StatObject(missing): %v", err)
	}

	for _, v1 := range []bool{false, true} {
		var keys []string
		for o := range client.ListObjects(ctx, "minio-bkt", minio.ListObjectsOptions{Recursive: true, UseV1: v1, MaxKeys: 2}) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			keys = append(keys, o.Key)
		}
		if strings.Join(keys, ",") != "dir/known-size,dir/unknown-size,small" {
			t.Fatalf("ListObjects(v1=%v): %q", v1, keys)
		}
		keys = nil
		for o := range client.ListObjects(ctx, "minio-bkt", minio.ListObjectsOptions{UseV1: v1}) {
			keys = append(keys, o.Key)
		}
		sort.Strings(keys) // minio-go sends a page's keys before its prefixes
		if strings.Join(keys, ",") != "dir/,small" {
			t.Fatalf("delimited ListObjects(v1=%v): %q", v1, keys)
		}
	}

	if _, err := client.CopyObject(ctx, minio.CopyDestOptions{Bucket: "minio-bkt", Object: "copy"}, minio.CopySrcOptions{Bucket: "minio-bkt", Object: "small"}); err != nil {
		t.Fatal(err)
	}

	putURL, err := client.PresignedPutObject(ctx, "minio-bkt", "presigned", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest("PUT", putURL.String(), strings.NewReader("via presigned url"))
	if resp, body := do(t, env.server.Client(), r); resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %d %s", resp.StatusCode, body)
	}
	getURL, err := client.PresignedGetObject(ctx, "minio-bkt", "presigned", time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ = http.NewRequest("GET", getURL.String(), nil)
	if resp, body := do(t, env.server.Client(), r); resp.StatusCode != 200 || string(body) != "via presigned url" {
		t.Fatalf("presigned GET: %d %s", resp.StatusCode, body)
	}

	objects := make(chan minio.ObjectInfo, 5)
	for _, k := range []string{"small", "copy", "presigned", "dir/known-size", "dir/unknown-size"} {
		objects <- minio.ObjectInfo{Key: k}
	}
	close(objects)
	for e := range client.RemoveObjects(ctx, "minio-bkt", objects, minio.RemoveObjectsOptions{}) {
		t.Errorf("RemoveObjects: %s: %v", e.ObjectName, e.Err)
	}
	if err := client.RemoveBucket(ctx, "minio-bkt"); err != nil {
		t.Fatal(err)
	}
}
