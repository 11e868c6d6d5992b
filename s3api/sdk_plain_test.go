package s3api

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestSDKPlainHTTP covers what the SDK does without TLS: it signs the
// payload's SHA-256 (which the Service verifies) and sends a requested
// checksum as a header instead of a trailer.
func TestSDKPlainHTTP(t *testing.T) {
	env := newTestEnv(t, overPlainHTTP())
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "plain")
	data := randomBytes(partSize+10, 51)

	put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("obj"), Body: bytes.NewReader(data),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	if err != nil {
		t.Fatal(err)
	}
	if put.ChecksumSHA256 == nil {
		t.Fatal("SHA256 checksum not echoed")
	}
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("plain"), Key: aws.String("obj"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(head.ChecksumSHA256) != aws.ToString(put.ChecksumSHA256) {
		t.Fatalf("head checksum: %+v %v", head, err)
	}

	create, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("plain"), Key: aws.String("mpu"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
	if err != nil {
		t.Fatal(err)
	}
	if create.ChecksumAlgorithm != types.ChecksumAlgorithmCrc32c {
		t.Fatalf("create: %+v", create)
	}
	var parts []types.CompletedPart
	for i, chunk := range [][]byte{data[:partSize], data[partSize:]} {
		up, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("plain"), Key: aws.String("mpu"), UploadId: create.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(chunk), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
		if err != nil {
			t.Fatal(err)
		}
		if up.ChecksumCRC32C == nil {
			t.Fatalf("part %d: no checksum echoed", i+1)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag, ChecksumCRC32C: up.ChecksumCRC32C})
	}
	done, err := client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("plain"), Key: aws.String("mpu"), UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	if done.ChecksumCRC32C == nil {
		t.Fatalf("complete: no checksum: %+v", done)
	}
	attrs, err := client.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("plain"), Key: aws.String("mpu"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Checksum == nil || aws.ToString(attrs.Checksum.ChecksumCRC32C) != aws.ToString(done.ChecksumCRC32C) ||
		attrs.ObjectParts == nil || len(attrs.ObjectParts.Parts) != 2 || attrs.ObjectParts.Parts[0].ChecksumCRC32C == nil {
		t.Fatalf("attributes: %+v", attrs)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("plain"), Key: aws.String("mpu")})
	if err != nil || !bytes.Equal(readAll(t, out.Body), data) {
		t.Fatalf("get: %v", err)
	}
}
