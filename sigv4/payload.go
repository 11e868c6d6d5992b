package sigv4

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Values of x-amz-content-sha256 other than a hex digest.
const (
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingPayload                = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// MaxHashedBody bounds the body Verify reads to hash it for services that
// send no x-amz-content-sha256 (KMS, IAM, STS: small JSON or form bodies).
const MaxHashedBody = 1 << 20

// payloadMode says how the body is framed and protected.
type payloadMode int

const (
	payloadDigest                   payloadMode = iota // hex SHA-256 of the body
	payloadUnsigned                                    // UNSIGNED-PAYLOAD
	payloadStreamingSigned                             // aws-chunked, chunk signatures
	payloadStreamingSignedTrailer                      // aws-chunked, chunk and trailer signatures
	payloadStreamingUnsignedTrailer                    // aws-chunked, no signatures
)

func (m payloadMode) chunked() bool { return m >= payloadStreamingSigned }
func (m payloadMode) signedChunks() bool {
	return m == payloadStreamingSigned || m == payloadStreamingSignedTrailer
}

// parsePayload classifies an x-amz-content-sha256 value.
func parsePayload(v string) (payloadMode, error) {
	switch v {
	case UnsignedPayload:
		return payloadUnsigned, nil
	case StreamingPayload:
		return payloadStreamingSigned, nil
	case StreamingPayloadTrailer:
		return payloadStreamingSignedTrailer, nil
	case StreamingUnsignedPayloadTrailer:
		return payloadStreamingUnsignedTrailer, nil
	case "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER":
		return 0, fmt.Errorf("%w: SigV4a streaming payloads", ErrUnsupportedAlgorithm)
	}
	if isLowerHex64(v) {
		return payloadDigest, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrInvalidContentSHA256, truncate(v, 80))
}

func isLowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// chunkSigner carries what the chunk and trailer signatures chain from.
type chunkSigner struct {
	key     []byte // signing key of the request's scope
	amzDate string // the request's ISO 8601 basic timestamp
	scope   string
	seed    []byte // the request signature
}

// streamBody sets a.Body for the payload mode: raw for digests and unsigned
// payloads, an aws-chunked decoder for the streaming modes.
func streamBody(r *http.Request, mode payloadMode, signer *chunkSigner, a *Auth) error {
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	awsChunked := hasAWSChunkedEncoding(r)
	if !mode.chunked() {
		if awsChunked {
			return fmt.Errorf("%w: Content-Encoding aws-chunked needs a STREAMING-* payload", ErrInvalidContentSHA256)
		}
		a.Body, a.DecodedLength, a.Trailer = body, r.ContentLength, noTrailers
		return nil
	}
	n, err := decodedLength(r)
	if err != nil {
		return err
	}
	declared, err := declaredTrailers(r, mode)
	if err != nil {
		return err
	}
	c := newChunkedReader(body, mode, signer, n, declared)
	a.Body, a.DecodedLength, a.Trailer = c, n, c.Trailer
	return nil
}

func noTrailers(string) string { return "" }

func hasAWSChunkedEncoding(r *http.Request) bool {
	for _, v := range r.Header.Values("Content-Encoding") {
		for _, enc := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(enc), "aws-chunked") {
				return true
			}
		}
	}
	return false
}

func decodedLength(r *http.Request) (int64, error) {
	v := r.Header.Get("X-Amz-Decoded-Content-Length")
	if v == "" {
		return 0, ErrMissingContentLength
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || v[0] == '+' {
		return 0, fmt.Errorf("%w: %q", ErrMissingContentLength, truncate(v, 32))
	}
	return n, nil
}

// declaredTrailers reads x-amz-trailer: the only trailers the body may carry.
func declaredTrailers(r *http.Request, mode payloadMode) (map[string]bool, error) {
	declared := make(map[string]bool)
	for _, v := range r.Header.Values("X-Amz-Trailer") {
		for _, name := range strings.Split(v, ",") {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
				declared[name] = true
			}
		}
	}
	if len(declared) > 0 && mode == payloadStreamingSigned {
		return nil, fmt.Errorf("%w: x-amz-trailer needs a -TRAILER payload", ErrInvalidContentSHA256)
	}
	return declared, nil
}

// bufferBody reads a small body whole, for services whose clients sign the
// body's hash without sending it. It returns the hex SHA-256 and a body that
// replays the bytes.
func bufferBody(r *http.Request) (string, []byte, error) {
	if r.Body == nil {
		return sha256Hex(nil), nil, nil
	}
	if r.ContentLength > MaxHashedBody {
		return "", nil, fmt.Errorf("%w: %d bytes, limit %d", ErrPayloadTooLarge, r.ContentLength, MaxHashedBody)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxHashedBody+1))
	if err != nil {
		return "", nil, err
	}
	if len(b) > MaxHashedBody {
		return "", nil, fmt.Errorf("%w: limit %d bytes", ErrPayloadTooLarge, MaxHashedBody)
	}
	return sha256Hex(b), b, nil
}

// bufferedAuth finishes an Auth for a body already read and hashed.
func bufferedAuth(a *Auth, r *http.Request, b []byte) {
	body := io.NopCloser(bytes.NewReader(b))
	if r.Body != nil {
		body = readCloser{Reader: bytes.NewReader(b), Closer: r.Body}
	}
	a.Body, a.DecodedLength, a.Trailer = body, int64(len(b)), noTrailers
}

type readCloser struct {
	io.Reader
	io.Closer
}

// sameDigest compares two hex digests in constant time.
func sameDigest(a, b string) bool {
	x, err1 := hex.DecodeString(a)
	y, err2 := hex.DecodeString(b)
	return err1 == nil && err2 == nil && len(x) == sha256.Size && subtle.ConstantTimeCompare(x, y) == 1
}
