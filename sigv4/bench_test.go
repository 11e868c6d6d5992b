package sigv4

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// BenchmarkChunkedDecode measures decoding and checking a signed aws-chunked
// body in the SDKs' 64 KiB chunks.
func BenchmarkChunkedDecode(b *testing.B) {
	for _, tc := range []struct {
		name string
		mode payloadMode
	}{
		{"signed", payloadStreamingSigned},
		{"unsigned-trailer", payloadStreamingUnsignedTrailer},
	} {
		b.Run(tc.name, func(b *testing.B) {
			data := testData(8 << 20)
			var tr []header
			if tc.mode != payloadStreamingSigned {
				tr = []header{{"x-amz-checksum-crc32", crcBase64(data, crc32IEEE)}}
			}
			e := newChunkEncoder(tc.mode, awsStyle, tr)
			var signer *chunkSigner
			if e.signer != nil {
				signer = fuzzSigner()
				e.seed(strings.Repeat("ab", 32))
			}
			body := e.encode(data, 64<<10)
			declared := map[string]bool{}
			for _, h := range tr {
				declared[h.name] = true
			}
			buf := make([]byte, 32<<10)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				c := newChunkedReader(io.NopCloser(strings.NewReader(body)), tc.mode, signer, int64(len(data)), declared)
				if _, err := io.CopyBuffer(io.Discard, c, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyHeader measures verifying a header-signed GET with a warm
// signing-key cache.
func BenchmarkVerifyHeader(b *testing.B) {
	r := newRequest("GET", "/bucket/some/key.txt?versionId=abc", "s3.test", []header{{"X-Amz-Content-Sha256", emptySHA256}, {"Range", "bytes=0-9"}}, "")
	if err := v4.NewSigner(s3Signing).SignHTTP(context.Background(), sdkCredentials, r, emptySHA256, "s3", testRegion, signTime); err != nil {
		b.Fatal(err)
	}
	v := verifierAt(signTime)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := v.Verify(r, "s3"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifySigV2 measures verifying the documented SigV2 requests:
// the Upload example (header, six x-amz-* values) and the presigned GET.
func BenchmarkVerifySigV2(b *testing.B) {
	upload := v2Example("Upload")
	presigned := newRequest("GET", documentedQueryTarget, documentedQueryHost, nil, "")
	for _, tc := range []struct {
		name string
		r    *http.Request
		v    *Verifier
	}{
		{"header", upload.request(exampleAccessKey, currentSignatures[upload.name]), v2VerifierAt(exampleAccessKey, exampleSecret, upload.now)},
		{"presigned", presigned, v2VerifierAt(exampleAccessKey, exampleSecret, time.Unix(documentedQueryExpires, 0))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := tc.v.Verify(tc.r, "s3"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
