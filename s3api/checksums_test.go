package s3api

import (
	"encoding/hex"
	"errors"
	"net/http"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/sigv4"
)

// Known answers for "123456789", the catalogue check input of every CRC;
// frozen here, never regenerated.
func TestChecksumHashKnownAnswers(t *testing.T) {
	cases := []struct {
		alg  coffer.ChecksumAlgorithm
		want string
	}{
		{coffer.ChecksumCRC32, "cbf43926"},
		{coffer.ChecksumCRC32C, "e3069283"},
		{coffer.ChecksumCRC64NVME, "ae8b14860a799888"},
		{coffer.ChecksumSHA1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441"},
		{coffer.ChecksumSHA256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"},
	}
	for _, tc := range cases {
		t.Run(string(tc.alg), func(t *testing.T) {
			h := newChecksumHash(tc.alg)
			h.Write([]byte("123456789"))
			if got := hex.EncodeToString(h.Sum(nil)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if checksumSizes[tc.alg] != h.Size() {
				t.Errorf("size table says %d, hash says %d", checksumSizes[tc.alg], h.Size())
			}
		})
	}
}

func TestChecksumFromHeaders(t *testing.T) {
	cases := []struct {
		name   string
		header http.Header
		alg    coffer.ChecksumAlgorithm
		code   errorCode
	}{
		{name: "none", header: http.Header{}},
		{name: "crc32", header: http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}}, alg: coffer.ChecksumCRC32},
		{name: "crc64nvme", header: http.Header{"X-Amz-Checksum-Crc64nvme": {"AAAAAAAAAAA="}}, alg: coffer.ChecksumCRC64NVME},
		{name: "wrong length", header: http.Header{"X-Amz-Checksum-Crc32": {"AAAAAAAA"}}, code: codeInvalidRequest},
		{name: "not base64", header: http.Header{"X-Amz-Checksum-Sha1": {"!!"}}, code: codeInvalidRequest},
		{name: "two", header: http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}, "X-Amz-Checksum-Crc32c": {"AAAAAA=="}}, code: codeInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			alg, _, err := checksumFromHeaders(tc.header)
			if tc.code != "" {
				var api *apiError
				if !errors.As(err, &api) || api.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil || alg != tc.alg {
				t.Errorf("got %s %v, want %s", alg, err, tc.alg)
			}
		})
	}
}

func TestUploadBody(t *testing.T) {
	trailers := map[string]string{"x-amz-checksum-crc32c": "yZRlqg=="}
	auth := func(sha string, decoded int64) *sigv4.Auth {
		return &sigv4.Auth{PayloadSHA256: sha, DecodedLength: decoded, Body: http.NoBody,
			Trailer: func(name string) string { return trailers[name] }}
	}
	cases := []struct {
		name    string
		length  int64
		header  map[string]string
		auth    *sigv4.Auth
		want    coffer.BodyCheck
		trailer string
		code    errorCode
	}{
		{name: "plain", length: 10, auth: auth("", 10), want: coffer.BodyCheck{Size: 10}},
		{name: "signed digest", length: 3, auth: auth("abc", 3), want: coffer.BodyCheck{Size: 3, SHA256: "abc"}},
		{name: "no length", length: -1, auth: auth("", -1), code: codeMissingContentLength},
		{name: "too large", length: coffer.MaxSinglePutSize + 1, auth: auth("", coffer.MaxSinglePutSize+1), code: codeEntityTooLarge},
		{name: "chunked uses decoded length", length: 500, header: map[string]string{hdrContentSHA256: sigv4.StreamingPayload}, auth: auth("", 400), want: coffer.BodyCheck{Size: 400}},
		{name: "content-md5", length: 1, header: map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}, auth: auth("", 1),
			want: coffer.BodyCheck{Size: 1, ContentMD5: mustHex("d41d8cd98f00b204e9800998ecf8427e")}},
		{name: "bad content-md5", length: 1, header: map[string]string{"Content-MD5": "nope"}, auth: auth("", 1), code: codeInvalidDigest},
		{name: "short content-md5", length: 1, header: map[string]string{"Content-MD5": "AAAA"}, auth: auth("", 1), code: codeInvalidDigest},
		{name: "checksum header", length: 1, header: map[string]string{"x-amz-checksum-crc32": "AAAAAA==", hdrSDKChecksumAlgo: "crc32"}, auth: auth("", 1),
			want: coffer.BodyCheck{Size: 1, Checksum: coffer.ChecksumCRC32, ChecksumValue: "AAAAAA=="}},
		{name: "checksum trailer", length: 9, header: map[string]string{hdrContentSHA256: sigv4.StreamingUnsignedPayloadTrailer, hdrTrailer: "x-amz-checksum-crc32c", hdrSDKChecksumAlgo: "CRC32C"}, auth: auth("", 5),
			want: coffer.BodyCheck{Size: 5, Checksum: coffer.ChecksumCRC32C}, trailer: "yZRlqg=="},
		{name: "sdk algorithm without value", length: 1, header: map[string]string{hdrSDKChecksumAlgo: "CRC32"}, auth: auth("", 1), code: codeInvalidRequest},
		{name: "sdk algorithm disagrees", length: 1, header: map[string]string{hdrSDKChecksumAlgo: "SHA1", "x-amz-checksum-crc32": "AAAAAA=="}, auth: auth("", 1), code: codeInvalidRequest},
		{name: "unknown sdk algorithm", length: 1, header: map[string]string{hdrSDKChecksumAlgo: "MD4", "x-amz-checksum-crc32": "AAAAAA=="}, auth: auth("", 1), code: codeInvalidRequest},
		{name: "header and trailer", length: 1, header: map[string]string{hdrTrailer: "x-amz-checksum-sha1", "x-amz-checksum-crc32": "AAAAAA=="}, auth: auth("", 1), code: codeInvalidRequest},
		{name: "unknown trailer checksum", length: 1, header: map[string]string{hdrTrailer: "x-amz-checksum-md4"}, auth: auth("", 1), code: codeInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest("PUT", "http://x/b/k", http.NoBody)
			r.ContentLength = tc.length
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			_, check, err := uploadBody(r, &request{auth: tc.auth}, coffer.MaxSinglePutSize)
			if tc.code != "" {
				var api *apiError
				if !errors.As(err, &api) || api.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := check.ChecksumTrailer; (got != nil) != (tc.trailer != "") || (got != nil && got() != tc.trailer) {
				t.Errorf("trailer hook wrong")
			}
			check.ChecksumTrailer = nil
			if hex.EncodeToString(check.ContentMD5) != hex.EncodeToString(tc.want.ContentMD5) ||
				check.Size != tc.want.Size || check.SHA256 != tc.want.SHA256 ||
				check.Checksum != tc.want.Checksum || check.ChecksumValue != tc.want.ChecksumValue {
				t.Errorf("got %+v, want %+v", check, tc.want)
			}
		})
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
