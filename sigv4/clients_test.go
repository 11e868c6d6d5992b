package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

// testData is deterministic, incompressible-looking bytes.
func testData(n int) []byte {
	b := make([]byte, n)
	var x uint32 = 2463534242
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func crcBase64(b []byte, table *crc32.Table) string {
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.Checksum(b, table))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func sha256Base64(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// onlyReader hides Seek and Len so the SDK sees an unseekable stream.
type onlyReader struct{ io.Reader }

func newS3Client(srv *verifyServer) *s3.Client {
	return s3.New(s3.Options{
		Region:           testRegion,
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		BaseEndpoint:     aws.String(srv.URL),
		UsePathStyle:     true,
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 3, // retries a connection closed under the -race suite
		// What aws.Config (and so every CLI and default setup) resolves to.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
	})
}

func TestAWSSDKPutObject(t *testing.T) {
	tests := []struct {
		name        string
		tls         bool
		size        int
		unseekable  bool
		sendLength  bool
		algorithm   types.ChecksumAlgorithm
		key         string
		wantPayload string // x-amz-content-sha256 the SDK is expected to use
		wantTrailer string // trailer name expected, "" for a checksum header
	}{
		{name: "http seekable default checksum", size: 100 << 10, key: "plain.bin", wantPayload: "digest"},
		{name: "http seekable crc32c special key", size: 3, algorithm: types.ChecksumAlgorithmCrc32c, key: "dir/a b+c ü//%2F.txt", wantPayload: "digest"},
		{name: "http empty body", size: 0, key: "empty", wantPayload: "digest"},
		{name: "https seekable default checksum", tls: true, size: 300<<10 + 17, key: "big.bin", wantPayload: StreamingUnsignedPayloadTrailer, wantTrailer: "x-amz-checksum-crc32"},
		{name: "https unseekable with length", tls: true, size: 200 << 10, unseekable: true, sendLength: true, key: "stream.bin", wantPayload: StreamingUnsignedPayloadTrailer, wantTrailer: "x-amz-checksum-crc32"},
		{name: "https unseekable crc32c", tls: true, size: 65 << 10, unseekable: true, sendLength: true, algorithm: types.ChecksumAlgorithmCrc32c, key: "c.bin", wantPayload: StreamingUnsignedPayloadTrailer, wantTrailer: "x-amz-checksum-crc32c"},
		{name: "https unseekable sha256", tls: true, size: 1, unseekable: true, sendLength: true, algorithm: types.ChecksumAlgorithmSha256, key: "s.bin", wantPayload: StreamingUnsignedPayloadTrailer, wantTrailer: "x-amz-checksum-sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVerifyServer(t, testVerifier(), "s3", tt.tls)
			data := testData(tt.size)
			var body io.Reader = bytes.NewReader(data)
			if tt.unseekable {
				body = onlyReader{bytes.NewReader(data)}
			}
			in := &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(tt.key), Body: body, ChecksumAlgorithm: tt.algorithm}
			if tt.sendLength {
				in.ContentLength = aws.Int64(int64(tt.size))
			}
			if _, err := newS3Client(srv).PutObject(context.Background(), in); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			c := srv.last(t)
			c.ok(t)
			if !bytes.Equal(c.body, data) {
				t.Fatalf("decoded %d bytes, sent %d", len(c.body), len(data))
			}
			if want := "/bucket/" + escapeKey(tt.key); c.path != mustUnescapeAndEscape(t, want) {
				t.Fatalf("path = %q, want %q", c.path, want)
			}
			if tt.wantPayload != "digest" && c.payloadHeader != tt.wantPayload {
				t.Fatalf("x-amz-content-sha256 = %q, want %q", c.payloadHeader, tt.wantPayload)
			}
			switch tt.wantPayload {
			case "digest":
				if c.auth.PayloadSHA256 != sha256Hex(data) {
					t.Fatalf("PayloadSHA256 = %q", c.auth.PayloadSHA256)
				}
			default:
				if c.auth.PayloadSHA256 != "" || c.auth.DecodedLength != int64(len(data)) {
					t.Fatalf("Auth = %+v", c.auth)
				}
				if got, want := c.trailers[tt.wantTrailer], expectedChecksum(tt.wantTrailer, data); got != want {
					t.Fatalf("trailer %s = %q, want %q", tt.wantTrailer, got, want)
				}
			}
		})
	}
}

func expectedChecksum(name string, data []byte) string {
	switch name {
	case "x-amz-checksum-crc32":
		return crcBase64(data, crc32.IEEETable)
	case "x-amz-checksum-crc32c":
		return crcBase64(data, crc32.MakeTable(crc32.Castagnoli))
	case "x-amz-checksum-sha256":
		return sha256Base64(data)
	}
	return "unknown checksum " + name
}

// mustUnescapeAndEscape normalises an expected path the way the server's
// r.URL.EscapedPath() reports it.
func mustUnescapeAndEscape(t *testing.T, p string) string {
	u, err := url.Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	return u.EscapedPath()
}

func newMinioClient(t *testing.T, srv *verifyServer, trailing bool) *minio.Client {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	mc, err := minio.New(u.Host, &minio.Options{
		Creds:           miniocreds.NewStaticV4(testAccessKey, testSecret, ""),
		Secure:          u.Scheme == "https",
		Transport:       srv.Client().Transport,
		Region:          testRegion,
		BucketLookup:    minio.BucketLookupPath,
		TrailingHeaders: trailing,
		MaxRetries:      1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return mc
}

func TestMinioPutObject(t *testing.T) {
	tests := []struct {
		name        string
		tls         bool
		trailing    bool
		size        int
		unknownSize bool
		opts        minio.PutObjectOptions
		key         string
		wantPayload string
		wantTrailer string
	}{
		{name: "http signed chunks", size: 300<<10 + 5, key: "a b+c/ü.bin", wantPayload: StreamingPayload},
		{name: "http signed chunks empty", size: 0, key: "empty", wantPayload: StreamingPayload},
		{name: "http unknown size multipart", size: 150 << 10, unknownSize: true, key: "multi.bin", wantPayload: StreamingPayload},
		{name: "http signed chunks with signed trailer", trailing: true, size: 130 << 10, opts: minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C}, key: "t.bin", wantPayload: StreamingPayloadTrailer, wantTrailer: "x-amz-checksum-crc32c"},
		{name: "http signed trailer crc32", trailing: true, size: 64 << 10, opts: minio.PutObjectOptions{Checksum: minio.ChecksumCRC32}, key: "t32.bin", wantPayload: StreamingPayloadTrailer, wantTrailer: "x-amz-checksum-crc32"},
		{name: "http unsigned payload trailer", trailing: true, size: 70 << 10, opts: minio.PutObjectOptions{DisableContentSha256: true, Checksum: minio.ChecksumCRC32C}, key: "u.bin", wantPayload: StreamingUnsignedPayloadTrailer, wantTrailer: "x-amz-checksum-crc32c"},
		{name: "http auto checksum header only", trailing: true, size: 10 << 10, opts: minio.PutObjectOptions{DisableContentSha256: true}, key: "auto.bin", wantPayload: UnsignedPayload},
		{name: "https unsigned payload", tls: true, size: 90 << 10, key: "s.bin", wantPayload: UnsignedPayload},
		{name: "https unsigned payload trailer", tls: true, trailing: true, size: 200 << 10, opts: minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C}, key: "st.bin", wantPayload: StreamingUnsignedPayloadTrailer, wantTrailer: "x-amz-checksum-crc32c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVerifyServer(t, testVerifier(), "s3", tt.tls)
			data := testData(tt.size)
			size := int64(len(data))
			if tt.unknownSize {
				size = -1
			}
			_, err := newMinioClient(t, srv, tt.trailing).PutObject(context.Background(), "bucket", tt.key, bytes.NewReader(data), size, tt.opts)
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			var got []byte
			var dataReq captured
			for _, c := range srv.all() {
				c.ok(t)
				if c.method == "PUT" {
					got, dataReq = append(got, c.body...), c
				}
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("decoded %d bytes, sent %d", len(got), len(data))
			}
			if dataReq.payloadHeader != tt.wantPayload {
				t.Fatalf("x-amz-content-sha256 = %q, want %q", dataReq.payloadHeader, tt.wantPayload)
			}
			if tt.wantTrailer != "" {
				if v, want := dataReq.trailers[tt.wantTrailer], expectedChecksum(tt.wantTrailer, data); v != want {
					t.Fatalf("trailer %s = %q, want %q", tt.wantTrailer, v, want)
				}
			}
			if tt.wantPayload == UnsignedPayload && dataReq.auth.PayloadSHA256 != "" {
				t.Fatalf("Auth = %+v", dataReq.auth)
			}
			if strings.HasPrefix(tt.wantPayload, "STREAMING") && dataReq.auth.DecodedLength != int64(len(dataReq.body)) {
				t.Fatalf("DecodedLength = %d, body %d", dataReq.auth.DecodedLength, len(dataReq.body))
			}
		})
	}
}
