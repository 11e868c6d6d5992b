package sigv4

import (
	"bufio"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// readTail parses everything after the final chunk header up to the end of
// the body: "name:value" trailer lines and, for signed trailers, the
// x-amz-trailer-signature line. Line ends may be CRLF or LF and blank lines
// are skipped, because clients differ: AWS SDKs send "name:value\r\n\r\n",
// minio-go sends "name:value\n\r\n" (and "\r\n" before the signature line).
func (c *chunkedReader) readTail() (map[string]string, error) {
	trailers := make(map[string]string)
	var canonical strings.Builder
	var sigHex string
	haveSig := false
	total, lines := 0, 0
	for {
		line, err := c.src.ReadSlice('\n')
		total += len(line)
		if errors.Is(err, bufio.ErrBufferFull) || total > maxTailBytes {
			return nil, fmt.Errorf("%w: trailer section longer than %d bytes", ErrMalformedChunk, maxTailBytes)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		text := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
		if text != "" {
			if lines++; lines > maxTrailers+1 {
				return nil, fmt.Errorf("%w: more than %d trailers", ErrMalformedChunk, maxTrailers)
			}
			if haveSig {
				return nil, fmt.Errorf("%w: data after the trailer signature", ErrMalformedChunk)
			}
			name, value, ok := strings.Cut(text, ":")
			if !ok {
				return nil, fmt.Errorf("%w: trailer line without ':'", ErrMalformedChunk)
			}
			name = strings.ToLower(strings.Trim(name, " \t"))
			value = strings.Trim(value, " \t")
			switch {
			case name == "x-amz-trailer-signature":
				if c.mode != payloadStreamingSignedTrailer {
					return nil, fmt.Errorf("%w: trailer signature on a payload without signed trailers", ErrMalformedChunk)
				}
				sigHex, haveSig = value, true
			case c.mode == payloadStreamingSigned:
				return nil, fmt.Errorf("%w: trailer on a payload without trailers", ErrMalformedChunk)
			case !c.declared[name]:
				return nil, fmt.Errorf("%w: trailer %q not declared in x-amz-trailer", ErrMalformedChunk, truncate(name, 64))
			case hasKey(trailers, name):
				return nil, fmt.Errorf("%w: trailer %q sent twice", ErrMalformedChunk, name)
			default:
				trailers[name] = value
				canonical.WriteString(name + ":" + value + "\n")
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	for name := range c.declared {
		if !hasKey(trailers, name) {
			return nil, fmt.Errorf("%w: declared trailer %q missing", ErrMalformedChunk, name)
		}
	}
	if c.mode == payloadStreamingSignedTrailer {
		if !haveSig {
			return nil, fmt.Errorf("%w: x-amz-trailer-signature missing", ErrMalformedChunk)
		}
		if err := c.verifyTrailer(sigHex, canonical.String()); err != nil {
			return nil, err
		}
	}
	return trailers, nil
}

// verifyTrailer checks the trailer signature:
//
//	HMAC(key, "AWS4-HMAC-SHA256-TRAILER\n" + date + "\n" + scope + "\n" +
//	          hex(final chunk signature) + "\n" + hex(SHA256(trailer lines)))
//
// where the trailer lines are "name:value\n" each, in the order sent.
func (c *chunkedReader) verifyTrailer(sigHex, canonical string) error {
	sig, err := decodeSignature(sigHex, ErrMalformedChunk)
	if err != nil {
		return err
	}
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + c.signer.amzDate + "\n" + c.signer.scope + "\n" +
		hex.EncodeToString(c.prevSig) + "\n" + sha256Hex([]byte(canonical))
	if !hmac.Equal(hmacSHA256(c.signer.key, sts), sig) {
		return fmt.Errorf("%w: trailer signature", ErrSignatureDoesNotMatch)
	}
	return nil
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}
