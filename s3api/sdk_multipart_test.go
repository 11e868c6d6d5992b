package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const partSize = 5 << 20

// multipartETag is S3's ETag of a multipart object.
func multipartETag(parts ...[]byte) string {
	var sums []byte
	for _, p := range parts {
		s := md5.Sum(p)
		sums = append(sums, s[:]...)
	}
	s := md5.Sum(sums)
	return fmt.Sprintf("%s-%d", hex.EncodeToString(s[:]), len(parts))
}

func TestSDKMultipart(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "mpu")
	part1, part2, part3 := randomBytes(partSize, 11), randomBytes(partSize, 12), randomBytes(1234, 13)
	source := randomBytes(partSize+100, 14)
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mpu"), Key: aws.String("source"), Body: bytes.NewReader(source)}); err != nil {
		t.Fatal(err)
	}

	create, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String("mpu"), Key: aws.String("big"), ContentType: aws.String("video/x-test"),
		Metadata: map[string]string{"origin": "multipart"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if create.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToString(create.UploadId) == "" {
		t.Fatalf("create: %+v", create)
	}
	id := create.UploadId

	up1, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id, PartNumber: aws.Int32(1), Body: bytes.NewReader(part1)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up1.ETag) != `"`+md5Hex(part1)+`"` {
		t.Fatalf("part etag %s", aws.ToString(up1.ETag))
	}
	// Part 2 is copied from a range of another object.
	copied, err := client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id, PartNumber: aws.Int32(2),
		CopySource: aws.String("mpu/source"), CopySourceRange: aws.String(fmt.Sprintf("bytes=100-%d", partSize+99))})
	if err != nil {
		t.Fatal(err)
	}
	part2 = source[100 : partSize+100]
	up3, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id, PartNumber: aws.Int32(3), Body: bytes.NewReader(part3)})
	if err != nil {
		t.Fatal(err)
	}

	parts, err := client.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id, MaxParts: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Parts) != 2 || !aws.ToBool(parts.IsTruncated) || aws.ToString(parts.NextPartNumberMarker) != "2" ||
		aws.ToInt64(parts.Parts[1].Size) != partSize || parts.Initiator == nil || parts.StorageClass != types.StorageClassStandard {
		t.Fatalf("ListParts: %+v", parts)
	}
	parts, err = client.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id, PartNumberMarker: parts.NextPartNumberMarker})
	if err != nil || len(parts.Parts) != 1 || aws.ToInt32(parts.Parts[0].PartNumber) != 3 || aws.ToBool(parts.IsTruncated) {
		t.Fatalf("ListParts page 2: %+v %v", parts, err)
	}

	other, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("logs/other")})
	if err != nil {
		t.Fatal(err)
	}
	uploads, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(uploads.Uploads) != 1 || aws.ToString(uploads.Uploads[0].Key) != "big" || len(uploads.CommonPrefixes) != 1 {
		t.Fatalf("ListMultipartUploads: %+v", uploads)
	}
	if _, err := client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("logs/other"), UploadId: other.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("logs/other"), UploadId: other.UploadId})
	wantCode(t, err, "NoSuchUpload")

	completed := []types.CompletedPart{
		{PartNumber: aws.Int32(1), ETag: up1.ETag},
		{PartNumber: aws.Int32(2), ETag: copied.CopyPartResult.ETag},
		{PartNumber: aws.Int32(3), ETag: up3.ETag},
	}
	_, err = client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{completed[1], completed[0]}}})
	wantCode(t, err, "InvalidPartOrder")
	_, err = client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"00000000000000000000000000000000"`)}}}})
	wantCode(t, err, "InvalidPart")

	done, err := client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
	if err != nil {
		t.Fatal(err)
	}
	want := multipartETag(part1, part2, part3)
	if aws.ToString(done.ETag) != `"`+want+`"` || aws.ToString(done.Key) != "big" || aws.ToString(done.Bucket) != "mpu" ||
		aws.ToString(done.Location) != env.url("/mpu/big") || done.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("complete: %+v", done)
	}
	_, err = client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
	wantCode(t, err, "NoSuchUpload")

	whole := append(append(append([]byte{}, part1...), part2...), part3...)
	get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big")})
	if err != nil || !bytes.Equal(readAll(t, get.Body), whole) || aws.ToString(get.ContentType) != "video/x-test" || get.Metadata["origin"] != "multipart" {
		t.Fatalf("get whole: %v", err)
	}
	get, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), PartNumber: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readAll(t, get.Body), part2) || aws.ToInt32(get.PartsCount) != 3 ||
		aws.ToString(get.ContentRange) != fmt.Sprintf("bytes %d-%d/%d", partSize, 2*partSize-1, len(whole)) {
		t.Fatalf("part 2: count %d range %s", aws.ToInt32(get.PartsCount), aws.ToString(get.ContentRange))
	}
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), PartNumber: aws.Int32(3)})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(part3)) || aws.ToInt32(head.PartsCount) != 3 {
		t.Fatalf("head part 3: %+v %v", head, err)
	}
	get, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), Range: aws.String(fmt.Sprintf("bytes=%d-%d", partSize-10, partSize+9))})
	if err != nil || !bytes.Equal(readAll(t, get.Body), whole[partSize-10:partSize+10]) {
		t.Fatalf("range across parts: %v", err)
	}

	attrs, err := client.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("mpu"), Key: aws.String("big"), MaxParts: aws.Int32(2),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectParts, types.ObjectAttributesObjectSize, types.ObjectAttributesStorageClass}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(attrs.ETag) != want || aws.ToInt64(attrs.ObjectSize) != int64(len(whole)) || attrs.StorageClass != types.StorageClassStandard ||
		attrs.ObjectParts == nil || aws.ToInt32(attrs.ObjectParts.TotalPartsCount) != 3 || len(attrs.ObjectParts.Parts) != 2 ||
		!aws.ToBool(attrs.ObjectParts.IsTruncated) || attrs.LastModified == nil {
		t.Fatalf("attributes: %+v", attrs)
	}
}

func TestSDKMultipartErrors(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "mpuerr")
	create, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpuerr"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	small1, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpuerr"), Key: aws.String("k"), UploadId: create.UploadId, PartNumber: aws.Int32(1), Body: stringsReader("tiny")})
	if err != nil {
		t.Fatal(err)
	}
	small2, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpuerr"), Key: aws.String("k"), UploadId: create.UploadId, PartNumber: aws.Int32(2), Body: stringsReader("tiny")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpuerr"), Key: aws.String("k"), UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: small1.ETag}, {PartNumber: aws.Int32(2), ETag: small2.ETag}}}})
	wantCode(t, err, "EntityTooSmall")
	_, err = client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpuerr"), Key: aws.String("k"), UploadId: create.UploadId, PartNumber: aws.Int32(10001), Body: stringsReader("x")})
	wantCode(t, err, "InvalidArgument")
	_, err = client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpuerr"), Key: aws.String("k"), UploadId: aws.String("nope"), PartNumber: aws.Int32(1), Body: stringsReader("x")})
	wantCode(t, err, "NoSuchUpload")
	_, err = client.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpuerr"), Key: aws.String("k"), UploadId: aws.String("nope")})
	wantCode(t, err, "NoSuchUpload")
	_, err = client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpuerr"), Key: aws.String("k"), UploadId: create.UploadId, PartNumber: aws.Int32(3),
		CopySource: aws.String("mpuerr/missing")})
	wantCode(t, err, "NoSuchKey")
}
