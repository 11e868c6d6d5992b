package sigv4

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

var sentinels = []error{
	ErrInvalidAccessKeyID, ErrSignatureDoesNotMatch, ErrRequestExpired, ErrRequestTimeTooSkewed,
	ErrAuthorizationHeaderMalformed, ErrAuthorizationQueryMalformed, ErrMissingDate, ErrHeadersNotSigned,
	ErrUnsupportedAlgorithm, ErrInvalidContentSHA256, ErrMissingContentSHA256, ErrContentSHA256Mismatch,
	ErrPayloadTooLarge, ErrMalformedChunk, ErrIncompleteBody, ErrMissingContentLength,
}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func FuzzParseAuthorization(f *testing.F) {
	for _, tt := range authHeaderCases {
		f.Add(tt.header)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a, err := parseAuthorization(h)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		rendered := "AWS4-HMAC-SHA256 Credential=" + a.cred.accessKey + "/" + a.cred.scope() +
			", SignedHeaders=" + strings.Join(a.signedHeaders, ";") + ", Signature=" + hex.EncodeToString(a.signature)
		b, err := parseAuthorization(rendered)
		if err != nil {
			t.Fatalf("re-parsing %q: %v", rendered, err)
		}
		if b.cred != a.cred || !bytes.Equal(b.signature, a.signature) || strings.Join(b.signedHeaders, ";") != strings.Join(a.signedHeaders, ";") {
			t.Fatalf("round trip changed %+v into %+v", a, b)
		}
	})
}

func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"", "acl", "prefix=J&max-keys=2", "a=2&a=1", "prefix=a+b", "k=%e2%82%ac", "&a=1&&b", "k=%zz", "=v", "a%20b=1&a-b=2&a=3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c := canonicalQuery(parseQuery(raw), "")
		for i := 0; i < len(c); i++ {
			if ch := c[i]; !isUnreserved(ch) && ch != '%' && ch != '=' && ch != '&' {
				t.Fatalf("canonical query %q has %q", c, ch)
			}
		}
		if again := canonicalQuery(parseQuery(c), ""); again != c {
			t.Fatalf("not idempotent: %q then %q", c, again)
		}
	})
}

// fuzzSigner is a fixed chunk-signing context for the decoder fuzzer.
func fuzzSigner() *chunkSigner {
	e := newChunkEncoder(payloadStreamingSigned, awsStyle, nil)
	e.signer.seed = bytes.Repeat([]byte{0xab}, 32)
	return e.signer
}

func FuzzChunkedDecoder(f *testing.F) {
	data := testData(700)
	trailer := []header{{"x-amz-checksum-crc32", crcBase64(data, crc32IEEE)}}
	for _, mode := range []payloadMode{payloadStreamingSigned, payloadStreamingSignedTrailer, payloadStreamingUnsignedTrailer} {
		for _, style := range []trailerStyle{awsStyle, minioStyle} {
			var tr []header
			if mode != payloadStreamingSigned {
				tr = trailer
			}
			e := newChunkEncoder(mode, style, tr)
			if e.signer != nil {
				e.seed(hex.EncodeToString(fuzzSigner().seed))
			}
			body := e.encode(data, 256)
			f.Add([]byte(body), uint8(mode), uint16(len(data)))
			f.Add([]byte(body[:len(body)/2]), uint8(mode), uint16(len(data)))
			f.Add([]byte(flipByteAt(300)(body)), uint8(mode), uint16(len(data)))
		}
	}
	f.Add([]byte("0\r\n\r\n"), uint8(payloadStreamingUnsignedTrailer), uint16(0))
	f.Fuzz(func(t *testing.T, body []byte, modeByte uint8, want uint16) {
		mode := payloadMode(int(modeByte)%3) + payloadStreamingSigned
		var signer *chunkSigner
		if mode.signedChunks() {
			signer = fuzzSigner()
		}
		declared := map[string]bool{}
		if mode != payloadStreamingSigned {
			declared["x-amz-checksum-crc32"] = true
		}
		c := newChunkedReader(io.NopCloser(bytes.NewReader(body)), mode, signer, int64(want), declared)
		out, err := io.ReadAll(c)
		if len(out) > int(want) {
			t.Fatalf("decoded %d bytes, more than the declared %d", len(out), want)
		}
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			if c.Trailer("x-amz-checksum-crc32") != "" {
				t.Fatal("trailer published after a failure")
			}
			return
		}
		if len(out) != int(want) {
			t.Fatalf("clean EOF after %d bytes, declared %d", len(out), want)
		}
		if mode != payloadStreamingSigned && c.Trailer("x-amz-checksum-crc32") == "" && !strings.Contains(string(body), "x-amz-checksum-crc32:") {
			t.Fatal("declared trailer accepted without being sent")
		}
	})
}

func FuzzVerify(f *testing.F) {
	for _, tt := range authHeaderCases {
		f.Add(tt.header, "", emptySHA256)
	}
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", "")
	f.Add("", "AWSAccessKeyId=x&Signature=y", "")
	f.Add("", "", StreamingUnsignedPayloadTrailer)
	f.Fuzz(func(t *testing.T, authorization, rawQuery, payload string) {
		r := &http.Request{
			Method:     "GET",
			URL:        &url.URL{Path: "/test.txt", RawQuery: rawQuery},
			RequestURI: "/test.txt?" + rawQuery,
			Host:       "examplebucket.s3.amazonaws.com",
			Header:     http.Header{},
			Body:       http.NoBody,
		}
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		if payload != "" {
			r.Header.Set("X-Amz-Content-Sha256", payload)
		}
		r.Header.Set("X-Amz-Date", "20130524T000000Z")
		a, err := exampleVerifier().Verify(r, "s3")
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if a.Body == nil || a.Trailer == nil {
			t.Fatalf("incomplete Auth %+v", a)
		}
		io.Copy(io.Discard, a.Body)
	})
}
