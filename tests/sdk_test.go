package tests

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

func (s *server) sdkClient() *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(s.endpoint),
		Region:       testRegion,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(rootAccessKey, rootSecretKey, ""),
		// What config.LoadDefaultConfig sets: a checksum on every upload.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
}

func TestGoSDKDefaults(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	client := s.sdkClient()
	bucket := aws.String("sdk-bucket")
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}

	// Over plain HTTP the SDK needs seekable bodies (it refuses to stream
	// aws-chunked trailers without TLS); minio-go covers streaming here.
	cases := []struct {
		name string
		alg  types.ChecksumAlgorithm
	}{
		{name: "default checksum"},
		{name: "crc32c", alg: types.ChecksumAlgorithmCrc32c},
		{name: "crc64nvme", alg: types.ChecksumAlgorithmCrc64nvme},
		{name: "sha256", alg: types.ChecksumAlgorithmSha256},
		{name: "sha1", alg: types.ChecksumAlgorithmSha1},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(tc.name, 100_000+i*70_000)
			key := aws.String("obj/" + strings.ReplaceAll(tc.name, " ", "-"))
			put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader(data), ChecksumAlgorithm: tc.alg})
			if err != nil {
				t.Fatal(err)
			}
			if put.ServerSideEncryption != types.ServerSideEncryptionAes256 {
				t.Fatalf("PutObject SSE = %q", put.ServerSideEncryption)
			}
			get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("GetObject: err %v, %d bytes, equal %v", err, len(got), bytes.Equal(got, data))
			}
			if aws.ToString(get.ETag) != `"`+md5hex(data)+`"` {
				t.Fatalf("ETag %s is not the plaintext MD5", aws.ToString(get.ETag))
			}
		})
	}

	t.Run("multipart", func(t *testing.T) {
		key := aws.String("multipart.bin")
		up, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		if up.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Fatalf("CreateMultipartUpload SSE = %q", up.ServerSideEncryption)
		}
		var all []byte
		var parts []types.CompletedPart
		for n, size := range []int{5 << 20, 5 << 20, 1234} {
			data := randomBytes("part"+string(rune('a'+n)), size)
			all = append(all, data...)
			p, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(n + 1)), Body: bytes.NewReader(data)})
			if err != nil {
				t.Fatal(err)
			}
			if p.ServerSideEncryption != types.ServerSideEncryptionAes256 {
				t.Fatalf("UploadPart SSE = %q", p.ServerSideEncryption)
			}
			parts = append(parts, types.CompletedPart{ETag: p.ETag, PartNumber: aws.Int32(int32(n + 1)),
				ChecksumCRC32: p.ChecksumCRC32, ChecksumCRC32C: p.ChecksumCRC32C, ChecksumCRC64NVME: p.ChecksumCRC64NVME})
		}
		done, err := client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key,
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(aws.ToString(done.ETag), `-3"`) {
			t.Fatalf("multipart ETag %s", aws.ToString(done.ETag))
		}
		get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, Range: aws.String("bytes=5242870-5242889")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if !bytes.Equal(got, all[5242870:5242890]) {
			t.Fatalf("range across a part boundary returned wrong bytes")
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("nope")})
		var nsk *types.NoSuchKey
		if !errors.As(err, &nsk) {
			t.Fatalf("missing key: %v", err)
		}
		_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidBucketName" {
			t.Fatalf("bad bucket name: %v", err)
		}
		_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("multipart.bin"), Range: aws.String("bytes=99999999-")})
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidRange" {
			t.Fatalf("unsatisfiable range: %v", err)
		}
	})
}

func TestMinioGo(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	client, err := minio.New(s.addr, &minio.Options{Creds: miniocreds.NewStaticV4(rootAccessKey, rootSecretKey, ""), Region: testRegion})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.MakeBucket(ctx, "minio-bucket", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	small := randomBytes("minio small", 70_000)
	if _, err := client.PutObject(ctx, "minio-bucket", "small", bytes.NewReader(small), -1, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	big := randomBytes("minio big", 11<<20)
	if _, err := client.PutObject(ctx, "minio-bucket", "big", bytes.NewReader(big), int64(len(big)), minio.PutObjectOptions{PartSize: 5 << 20}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"small": small, "big": big} {
		obj, err := client.GetObject(ctx, "minio-bucket", name, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: err %v, equal %v", name, err, bytes.Equal(got, want))
		}
	}
	var keys []string
	for info := range client.ListObjects(ctx, "minio-bucket", minio.ListObjectsOptions{Recursive: true}) {
		if info.Err != nil {
			t.Fatal(info.Err)
		}
		keys = append(keys, info.Key)
	}
	if strings.Join(keys, ",") != "big,small" {
		t.Fatalf("ListObjects = %v", keys)
	}
	url, err := client.PresignedGetObject(ctx, "minio-bucket", "small", 60_000_000_000, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpGet(url.String())
	if err != nil || !bytes.Equal(resp, small) {
		t.Fatalf("presigned GET: %v", err)
	}
}
