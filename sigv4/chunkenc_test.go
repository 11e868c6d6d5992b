package sigv4

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Test-side aws-chunked encoder. Its signing formulas are checked against
// the AWS vectors (vectors_test.go) and against minio-go (clients_test.go);
// here it produces bodies to break in controlled ways.

// trailerStyle is how the encoder lays out the section after the final chunk.
type trailerStyle int

const (
	awsStyle   trailerStyle = iota // "name:value\r\n" ... "\r\n"
	minioStyle                     // "name:value\n" "\r\n" ... "\r\n\r\n"
)

type chunkEncoder struct {
	mode     payloadMode
	style    trailerStyle
	signer   *chunkSigner
	trailers []header // lower-case names
	prevSig  string
}

// chunkRequestTime is the fixed instant of encoder-built requests.
var chunkRequestTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newChunkEncoder(mode payloadMode, style trailerStyle, trailers []header) *chunkEncoder {
	date := chunkRequestTime.Format(dateFormat)
	e := &chunkEncoder{mode: mode, style: style, trailers: trailers}
	if mode.signedChunks() {
		e.signer = &chunkSigner{
			key:     SigningKey(testSecret, date, testRegion, "s3"),
			amzDate: chunkRequestTime.Format(timeFormat),
			scope:   date + "/" + testRegion + "/s3/aws4_request",
		}
	}
	return e
}

// seed sets the request signature the chunk chain starts from.
func (e *chunkEncoder) seed(sig string) { e.prevSig = sig }

func (e *chunkEncoder) chunkSignature(data []byte) string {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + e.signer.amzDate + "\n" + e.signer.scope + "\n" + e.prevSig + "\n" + emptySHA256 + "\n" + sha256Hex(data)
	e.prevSig = hex.EncodeToString(hmacSHA256(e.signer.key, sts))
	return e.prevSig
}

// encode frames data as chunks of the given sizes (the last chunk takes the
// rest), then the final chunk and the trailer section.
func (e *chunkEncoder) encode(data []byte, chunkSize int) string {
	var b strings.Builder
	for len(data) > 0 {
		n := min(chunkSize, len(data))
		e.writeChunk(&b, data[:n])
		data = data[n:]
	}
	e.writeChunk(&b, nil)
	e.writeTail(&b)
	return b.String()
}

func (e *chunkEncoder) writeChunk(b *strings.Builder, data []byte) {
	b.WriteString(strconv.FormatInt(int64(len(data)), 16))
	if e.signer != nil {
		b.WriteString(";chunk-signature=" + e.chunkSignature(data))
	}
	b.WriteString("\r\n")
	if len(data) > 0 {
		b.Write(data)
		b.WriteString("\r\n")
	}
}

func (e *chunkEncoder) writeTail(b *strings.Builder) {
	if e.mode == payloadStreamingSigned {
		b.WriteString("\r\n")
		return
	}
	var canonical strings.Builder
	for _, t := range e.trailers {
		canonical.WriteString(t.name + ":" + t.value + "\n")
		if e.style == minioStyle {
			b.WriteString(t.name + ":" + t.value + "\n")
		} else {
			b.WriteString(t.name + ":" + t.value + "\r\n")
		}
	}
	if e.style == minioStyle {
		b.WriteString("\r\n")
	}
	if e.mode == payloadStreamingSignedTrailer {
		sts := "AWS4-HMAC-SHA256-TRAILER\n" + e.signer.amzDate + "\n" + e.signer.scope + "\n" + e.prevSig + "\n" + sha256Hex([]byte(canonical.String()))
		b.WriteString("x-amz-trailer-signature:" + hex.EncodeToString(hmacSHA256(e.signer.key, sts)) + "\r\n")
	}
	b.WriteString("\r\n")
}

// chunkCase describes an aws-chunked upload for buildChunked.
type chunkCase struct {
	mode      payloadMode
	style     trailerStyle
	data      []byte
	chunkSize int
	trailers  []header
	declare   *string // x-amz-trailer; nil means the trailers' names
	decoded   *int64  // x-amz-decoded-content-length; nil means len(data)
	corrupt   func(body string) string
}

// buildChunked signs a PUT with the SDK's signer, then encodes the body
// chained from that signature and lets the case corrupt it.
func buildChunked(t *testing.T, c chunkCase) (*Verifier, *http.Request) {
	t.Helper()
	if c.chunkSize == 0 {
		c.chunkSize = 64 << 10
	}
	decoded := int64(len(c.data))
	if c.decoded != nil {
		decoded = *c.decoded
	}
	var names []string
	for _, tr := range c.trailers {
		names = append(names, tr.name)
	}
	declare := strings.Join(names, ",")
	if c.declare != nil {
		declare = *c.declare
	}
	headers := []header{
		{"X-Amz-Content-Sha256", payloadName(c.mode)},
		{"Content-Encoding", "aws-chunked"},
		{"X-Amz-Decoded-Content-Length", strconv.FormatInt(decoded, 10)},
	}
	if declare != "" {
		headers = append(headers, header{"X-Amz-Trailer", declare})
	}
	r := newRequest("PUT", "/bucket/chunked%20key", "s3.test", headers, "")
	r.ContentLength = -1
	err := v4.NewSigner(s3Signing).SignHTTP(context.Background(), sdkCredentials, r, payloadName(c.mode), "s3", testRegion, chunkRequestTime)
	if err != nil {
		t.Fatal(err)
	}
	e := newChunkEncoder(c.mode, c.style, c.trailers)
	_, seed, _ := strings.Cut(r.Header.Get("Authorization"), "Signature=")
	e.seed(seed)
	body := e.encode(c.data, c.chunkSize)
	if c.corrupt != nil {
		body = c.corrupt(body)
	}
	r.Body = io.NopCloser(strings.NewReader(body))
	r.ContentLength = int64(len(body))
	v := testVerifier()
	v.Now = func() time.Time { return chunkRequestTime }
	return v, r
}

func payloadName(m payloadMode) string {
	switch m {
	case payloadStreamingSigned:
		return StreamingPayload
	case payloadStreamingSignedTrailer:
		return StreamingPayloadTrailer
	case payloadStreamingUnsignedTrailer:
		return StreamingUnsignedPayloadTrailer
	}
	panic(fmt.Sprint("no streaming mode ", int(m)))
}
