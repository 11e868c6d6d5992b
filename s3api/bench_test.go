package s3api

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Throughput of the whole stack (SDK client, HTTP, s3api, sse, mem) for
// 4 MiB objects over plain HTTP, where the SDK signs each payload.
const benchSize = 4 << 20

func BenchmarkPutObject(b *testing.B) {
	env := newTestEnv(b, overPlainHTTP())
	client := env.sdk(b)
	createBucket(b, client, "bench")
	data := randomBytes(benchSize, 61)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("obj"), Body: bytes.NewReader(data)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetObject(b *testing.B) {
	env := newTestEnv(b, overPlainHTTP())
	client := env.sdk(b)
	createBucket(b, client, "bench")
	if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("obj"), Body: bytes.NewReader(randomBytes(benchSize, 62))}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		out, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String("obj")})
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, out.Body)
		out.Body.Close()
		if err != nil || n != benchSize {
			b.Fatalf("read %d: %v", n, err)
		}
	}
}

func BenchmarkListObjectsV2(b *testing.B) {
	env := newTestEnv(b, overPlainHTTP())
	client := env.sdk(b)
	keys := make([]string, 200)
	for i := range keys {
		keys[i] = "dir/" + itoa(int64(i))
	}
	fillBucket(b, client, "bench", keys)
	b.ResetTimer()
	for b.Loop() {
		out, err := client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("bench")})
		if err != nil || len(out.Contents) != len(keys) {
			b.Fatalf("%d entries: %v", len(out.Contents), err)
		}
	}
}
