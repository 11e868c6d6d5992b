package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func randomBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func createBucket(t testing.TB, client *s3.Client, name string) {
	t.Helper()
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

func TestSDKPutGetHead(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "objects")
	data := randomBytes(300<<10, 1)
	expires := time.Date(2094, 12, 1, 16, 0, 0, 0, time.UTC)

	put, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("objects"), Key: aws.String("dir/file €.bin"), Body: bytes.NewReader(data),
		ContentType: aws.String("application/x-test"), ContentDisposition: aws.String("attachment; filename=x"),
		ContentLanguage: aws.String("de-DE"), CacheControl: aws.String("max-age=60"), Expires: &expires,
		Metadata:     map[string]string{"color": "Blue Sky", "empty": "", "MixedCase": "v"},
		StorageClass: types.StorageClassStandardIa, Tagging: aws.String("a=1&b=2"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) != `"`+md5Hex(data)+`"` || put.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("put: etag %s sse %s", aws.ToString(put.ETag), put.ServerSideEncryption)
	}
	if put.ChecksumCRC32 == nil {
		t.Errorf("the SDK's default CRC32 was not echoed")
	}

	get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objects"), Key: aws.String("dir/file €.bin"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, get.Body); !bytes.Equal(got, data) {
		t.Fatalf("body differs (%d bytes)", len(got))
	}
	checks := map[string][2]string{
		"ETag":               {aws.ToString(get.ETag), aws.ToString(put.ETag)},
		"ContentType":        {aws.ToString(get.ContentType), "application/x-test"},
		"ContentDisposition": {aws.ToString(get.ContentDisposition), "attachment; filename=x"},
		"ContentLanguage":    {aws.ToString(get.ContentLanguage), "de-DE"},
		"CacheControl":       {aws.ToString(get.CacheControl), "max-age=60"},
		"ExpiresString":      {aws.ToString(get.ExpiresString), expires.Format(http.TimeFormat)},
		"StorageClass":       {string(get.StorageClass), "STANDARD_IA"},
		"SSE":                {string(get.ServerSideEncryption), "AES256"},
		"meta color":         {get.Metadata["color"], "Blue Sky"},
		"meta mixedcase":     {get.Metadata["mixedcase"], "v"},
		"ChecksumCRC32":      {aws.ToString(get.ChecksumCRC32), aws.ToString(put.ChecksumCRC32)},
		"AcceptRanges":       {aws.ToString(get.AcceptRanges), "bytes"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", name, c[0], c[1])
		}
	}
	if v, ok := get.Metadata["empty"]; !ok || v != "" {
		t.Errorf("empty metadata value lost: %v", get.Metadata)
	}
	if aws.ToInt64(get.ContentLength) != int64(len(data)) || aws.ToInt32(get.TagCount) != 2 {
		t.Errorf("length %d tags %d", aws.ToInt64(get.ContentLength), aws.ToInt32(get.TagCount))
	}

	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objects"), Key: aws.String("dir/file €.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(head.ContentLength) != int64(len(data)) || aws.ToString(head.ETag) != aws.ToString(put.ETag) ||
		head.LastModified == nil || head.ChecksumCRC32 != nil {
		t.Errorf("head: %+v", head)
	}

	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objects"), Key: aws.String("nope")})
	wantCode(t, err, "NoSuchKey")
	_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objects"), Key: aws.String("nope")})
	wantCode(t, err, "NotFound")
	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchBucket")

	// Empty objects round-trip.
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("objects"), Key: aws.String("empty")}); err != nil {
		t.Fatal(err)
	}
	get, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objects"), Key: aws.String("empty")})
	if err != nil || len(readAll(t, get.Body)) != 0 || aws.ToString(get.ETag) != `"d41d8cd98f00b204e9800998ecf8427e"` {
		t.Fatalf("empty object: %v", err)
	}

	// Overrides only change the response.
	get, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objects"), Key: aws.String("empty"),
		ResponseContentType: aws.String("text/override"), ResponseContentDisposition: aws.String("inline"),
		ResponseCacheControl: aws.String("no-store"), ResponseContentLanguage: aws.String("fr"),
		ResponseContentEncoding: aws.String("identity"), ResponseExpires: &expires})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, get.Body)
	if aws.ToString(get.ContentType) != "text/override" || aws.ToString(get.ContentDisposition) != "inline" ||
		aws.ToString(get.CacheControl) != "no-store" || aws.ToString(get.ContentLanguage) != "fr" || aws.ToString(get.ContentEncoding) != "identity" {
		t.Errorf("overrides not applied: %+v", get)
	}

	// DeleteObject answers 204, for missing keys too.
	for _, key := range []string{"empty", "empty", "never-existed"} {
		if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objects"), Key: aws.String(key)}); err != nil {
			t.Fatalf("delete %s: %v", key, err)
		}
	}
	_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objects"), Key: aws.String("empty")})
	wantCode(t, err, "NotFound")
}

func TestSDKRanges(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "ranges")
	data := randomBytes(200<<10, 2) // spans several 64 KiB packages
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ranges"), Key: aws.String("obj"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	size := int64(len(data))
	cases := []struct {
		rng        string
		start, end int64
	}{
		{"bytes=0-9", 0, 9},
		{"bytes=65530-65545", 65530, 65545},
		{"bytes=100000-", 100000, size - 1},
		{"bytes=-5", size - 5, size - 1},
		{"bytes=-999999999", 0, size - 1},
		{"bytes=204790-999999", 204790, size - 1},
	}
	for _, tc := range cases {
		t.Run(tc.rng, func(t *testing.T) {
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("obj"), Range: aws.String(tc.rng)})
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, out.Body)
			if !bytes.Equal(got, data[tc.start:tc.end+1]) {
				t.Fatalf("wrong bytes for %s: %d bytes", tc.rng, len(got))
			}
			wantRange := "bytes " + itoa(tc.start) + "-" + itoa(tc.end) + "/" + itoa(size)
			if aws.ToString(out.ContentRange) != wantRange {
				t.Errorf("Content-Range %q, want %q", aws.ToString(out.ContentRange), wantRange)
			}
		})
	}
	// Several ranges: S3 ignores the header and sends everything.
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("obj"), Range: aws.String("bytes=0-1,5-6")})
	if err != nil || !bytes.Equal(readAll(t, out.Body), data) || out.ContentRange != nil {
		t.Fatalf("multi-range: %v", err)
	}
	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("obj"), Range: aws.String("bytes=999999-")})
	wantCode(t, err, "InvalidRange")
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ranges"), Key: aws.String("obj"), Range: aws.String("bytes=10-19")})
	if err != nil || aws.ToInt64(head.ContentLength) != 10 {
		t.Fatalf("ranged head: %+v %v", head, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSDKConditionals(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "cond")
	put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: stringsReader("v1")})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(put.ETag)
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	cases := []struct {
		name string
		in   s3.GetObjectInput
		code string // "" for success
	}{
		{name: "if-match", in: s3.GetObjectInput{IfMatch: aws.String(etag)}},
		{name: "if-match star", in: s3.GetObjectInput{IfMatch: aws.String("*")}},
		{name: "if-match other", in: s3.GetObjectInput{IfMatch: aws.String(`"0000"`)}, code: "PreconditionFailed"},
		{name: "if-none-match same", in: s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, code: "NotModified"},
		{name: "if-none-match other", in: s3.GetObjectInput{IfNoneMatch: aws.String(`"0000"`)}},
		{name: "if-modified-since past", in: s3.GetObjectInput{IfModifiedSince: &past}},
		{name: "if-modified-since future", in: s3.GetObjectInput{IfModifiedSince: &future}, code: "NotModified"},
		{name: "if-unmodified-since past", in: s3.GetObjectInput{IfUnmodifiedSince: &past}, code: "PreconditionFailed"},
		{name: "if-unmodified-since future", in: s3.GetObjectInput{IfUnmodifiedSince: &future}},
		{name: "if-match beats if-unmodified-since", in: s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: &past}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key = aws.String("cond"), aws.String("k")
			out, err := client.GetObject(ctx, &in)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(readAll(t, out.Body)) != "v1" {
				t.Fatal("wrong body")
			}
		})
	}

	// Conditional writes.
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: stringsReader("v2"), IfNoneMatch: aws.String("*")})
	wantCode(t, err, "PreconditionFailed")
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: stringsReader("v2"), IfMatch: aws.String(`"0000"`)})
	wantCode(t, err, "PreconditionFailed")
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: stringsReader("v2"), IfMatch: aws.String(etag)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("new"), Body: stringsReader("n"), IfNoneMatch: aws.String("*")}); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")})
	if err != nil || string(readAll(t, out.Body)) != "v2" {
		t.Fatalf("conditional overwrite: %v", err)
	}
}
