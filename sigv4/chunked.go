package sigv4

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
)

const (
	// emptySHA256 is the hex SHA-256 of nothing; chunk strings to sign
	// carry it where event streams would put a header hash.
	emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

	chunkReadBuffer = 32 << 10 // bufio buffer: the decoder's only per-request memory of note
	maxChunkLine    = 4 << 10  // longest chunk header or trailer line
	maxTailBytes    = 16 << 10 // all bytes after the final chunk header
	maxTrailers     = 16
)

// chunkedReader decodes an aws-chunked body (see FORMAT.md) as a stream,
// checking chunk signatures, the decoded length and the trailers. It holds
// no chunk in memory: data flows through to the caller while it is hashed,
// and a chunk's signature is checked when its last byte has been read.
type chunkedReader struct {
	src      *bufio.Reader
	closer   io.Closer
	mode     payloadMode
	signer   *chunkSigner // nil when chunks are unsigned
	prevSig  []byte       // signature the next chunk chains from
	want     int64        // x-amz-decoded-content-length
	declared map[string]bool

	inChunk   bool
	remaining int64  // data bytes left in the current chunk
	chunkSig  []byte // signature the client sent for the current chunk
	hash      hash.Hash
	decoded   int64
	err       error // sticky; io.EOF once everything checked out

	mu       sync.Mutex
	trailers map[string]string // set just before io.EOF
}

func newChunkedReader(body io.ReadCloser, mode payloadMode, signer *chunkSigner, want int64, declared map[string]bool) *chunkedReader {
	c := &chunkedReader{
		src:      bufio.NewReaderSize(body, chunkReadBuffer),
		closer:   body,
		mode:     mode,
		want:     want,
		declared: declared,
	}
	if mode.signedChunks() {
		c.signer, c.prevSig, c.hash = signer, signer.seed, sha256.New()
	}
	return c
}

// Read returns decoded data. io.EOF comes only after the final chunk, the
// trailers and every signature have been verified and the decoded length
// matched; any problem is returned instead.
func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if !c.inChunk {
		if err := c.startChunk(); err != nil {
			c.err = err
			return 0, err
		}
		if c.err != nil {
			return 0, c.err
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.src.Read(p)
	if c.hash != nil {
		c.hash.Write(p[:n])
	}
	c.remaining -= int64(n)
	c.decoded += int64(n)
	if c.remaining == 0 {
		c.inChunk = false
		err = c.endChunk()
	} else if err == io.EOF {
		err = fmt.Errorf("%w: body ended inside a chunk", ErrIncompleteBody)
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// Close closes the request body.
func (c *chunkedReader) Close() error { return c.closer.Close() }

// Trailer returns a verified trailing header value by lower-case name; ""
// until the body has been read to io.EOF.
func (c *chunkedReader) Trailer(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trailers[strings.ToLower(name)]
}

// startChunk reads "hex-size[;chunk-signature=sig]\r\n".
func (c *chunkedReader) startChunk() error {
	line, err := c.readLine()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: body ended before the final chunk", ErrIncompleteBody)
	}
	if err != nil {
		return err
	}
	text, ok := strings.CutSuffix(line, "\r\n")
	if !ok {
		return fmt.Errorf("%w: chunk header not terminated by CRLF", ErrMalformedChunk)
	}
	size, sig, err := c.parseChunkHeader(text)
	if err != nil {
		return err
	}
	if size > c.want-c.decoded {
		return fmt.Errorf("%w: chunks carry more than %d bytes", ErrIncompleteBody, c.want)
	}
	c.chunkSig = sig
	if c.hash != nil {
		c.hash.Reset()
	}
	if size == 0 {
		return c.finish()
	}
	c.remaining, c.inChunk = size, true
	return nil
}

func (c *chunkedReader) parseChunkHeader(text string) (int64, []byte, error) {
	sizeHex, ext, hasExt := strings.Cut(text, ";")
	size, err := parseChunkSize(sizeHex)
	if err != nil {
		return 0, nil, err
	}
	if c.signer == nil {
		if hasExt {
			return 0, nil, fmt.Errorf("%w: unexpected chunk extension on an unsigned payload", ErrMalformedChunk)
		}
		return size, nil, nil
	}
	sigHex, ok := strings.CutPrefix(ext, "chunk-signature=")
	if !hasExt || !ok {
		return 0, nil, fmt.Errorf("%w: chunk header lacks chunk-signature", ErrMalformedChunk)
	}
	sig, err := decodeSignature(sigHex, ErrMalformedChunk)
	return size, sig, err
}

// parseChunkSize takes 1 to 15 hex digits (no sign, no prefix).
func parseChunkSize(s string) (int64, error) {
	if s == "" || len(s) > 15 {
		return 0, fmt.Errorf("%w: bad chunk size %q", ErrMalformedChunk, truncate(s, 20))
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d, ok := hexValue(s[i])
		if !ok {
			return 0, fmt.Errorf("%w: bad chunk size %q", ErrMalformedChunk, truncate(s, 20))
		}
		n = n<<4 | int64(d)
	}
	return n, nil
}

// endChunk consumes the CRLF after a chunk's data and checks its signature.
func (c *chunkedReader) endChunk() error {
	var crlf [2]byte
	if _, err := io.ReadFull(c.src, crlf[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: body ended after chunk data", ErrIncompleteBody)
		}
		return err
	}
	if crlf != [2]byte{'\r', '\n'} {
		return fmt.Errorf("%w: chunk data not followed by CRLF", ErrMalformedChunk)
	}
	if c.signer == nil {
		return nil
	}
	return c.verifyChunk(hex.EncodeToString(c.hash.Sum(nil)))
}

// verifyChunk checks one chunk signature:
//
//	HMAC(key, "AWS4-HMAC-SHA256-PAYLOAD\n" + date + "\n" + scope + "\n" +
//	          hex(previous signature) + "\n" + hex(SHA256("")) + "\n" + hex(SHA256(chunk)))
func (c *chunkedReader) verifyChunk(chunkDigest string) error {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.signer.amzDate + "\n" + c.signer.scope + "\n" +
		hex.EncodeToString(c.prevSig) + "\n" + emptySHA256 + "\n" + chunkDigest
	expected := hmacSHA256(c.signer.key, sts)
	if !hmac.Equal(expected, c.chunkSig) {
		return fmt.Errorf("%w: chunk signature at decoded offset %d", ErrSignatureDoesNotMatch, c.decoded)
	}
	c.prevSig = expected
	return nil
}

// finish runs after the final (zero-size) chunk header: it checks the
// final chunk's signature, the decoded length and the trailers, then
// arms io.EOF.
func (c *chunkedReader) finish() error {
	if c.signer != nil {
		if err := c.verifyChunk(emptySHA256); err != nil {
			return err
		}
	}
	if c.decoded != c.want {
		return fmt.Errorf("%w: decoded %d bytes, x-amz-decoded-content-length is %d", ErrIncompleteBody, c.decoded, c.want)
	}
	trailers, err := c.readTail()
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.trailers = trailers
	c.mu.Unlock()
	c.err = io.EOF
	return nil
}

// readLine returns one line including its '\n'; io.EOF when none is left.
func (c *chunkedReader) readLine() (string, error) {
	line, err := c.src.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull) || len(line) > maxChunkLine:
		return "", fmt.Errorf("%w: line longer than %d bytes", ErrMalformedChunk, maxChunkLine)
	case errors.Is(err, io.EOF) && len(line) > 0:
		return "", fmt.Errorf("%w: body ended inside a chunk header", ErrIncompleteBody)
	case err != nil:
		return "", err
	}
	return string(line), nil
}
