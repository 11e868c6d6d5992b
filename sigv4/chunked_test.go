package sigv4

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// flipByteAt flips one bit of the body at offset, counted from the end when
// negative.
func flipByteAt(offset int) func(string) string {
	return func(body string) string {
		b := []byte(body)
		if offset < 0 {
			offset += len(b)
		}
		b[offset] ^= 0x01
		return string(b)
	}
}

// replaceOnce swaps the first occurrence of old for new.
func replaceOnce(old, new string) func(string) string {
	return func(body string) string { return strings.Replace(body, old, new, 1) }
}

func truncateTo(n int) func(string) string {
	return func(body string) string {
		if n < 0 {
			n += len(body)
		}
		return body[:n]
	}
}

func TestChunkedDecoding(t *testing.T) {
	data := testData(200<<10 + 7)
	crc := []header{{"x-amz-checksum-crc32", crcBase64(data, crc32IEEE)}}
	two := []header{{"x-amz-checksum-crc32", crcBase64(data, crc32IEEE)}, {"x-amz-checksum-sha256", sha256Base64(data)}}
	tests := []struct {
		name string
		c    chunkCase
	}{
		{"signed", chunkCase{mode: payloadStreamingSigned, data: data}},
		{"signed one-byte chunks", chunkCase{mode: payloadStreamingSigned, data: data[:300], chunkSize: 1}},
		{"signed empty body", chunkCase{mode: payloadStreamingSigned}},
		{"signed chunk larger than the read buffer", chunkCase{mode: payloadStreamingSigned, data: data, chunkSize: 150 << 10}},
		{"signed trailer aws style", chunkCase{mode: payloadStreamingSignedTrailer, data: data, trailers: crc}},
		{"signed trailer minio style", chunkCase{mode: payloadStreamingSignedTrailer, style: minioStyle, data: data, trailers: crc}},
		{"signed two trailers", chunkCase{mode: payloadStreamingSignedTrailer, data: data, trailers: two}},
		{"signed trailer mode without trailers", chunkCase{mode: payloadStreamingSignedTrailer, data: data}},
		{"unsigned trailer aws style", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc}},
		{"unsigned trailer minio style", chunkCase{mode: payloadStreamingUnsignedTrailer, style: minioStyle, data: data, trailers: crc}},
		{"unsigned trailer empty body", chunkCase{mode: payloadStreamingUnsignedTrailer, trailers: []header{{"x-amz-checksum-crc32", "AAAAAA=="}}}},
		{"declared names mixed case and spaced", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: two, declare: ptr(" X-Amz-Checksum-CRC32 , x-amz-checksum-sha256")}},
		{"final CRLF missing", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: truncateTo(-2)}},
		{"upper-case hex sizes", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, chunkSize: 0xABCD, corrupt: replaceOnce("abcd\r\n", "ABCD\r\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, r := buildChunked(t, tt.c)
			a, err := v.Verify(r, "s3")
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			got, err := readAll(t, a)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !bytes.Equal(got, tt.c.data) {
				t.Fatalf("decoded %d bytes, want %d", len(got), len(tt.c.data))
			}
			for _, tr := range tt.c.trailers {
				if v := a.Trailer(tr.name); v != tr.value {
					t.Fatalf("trailer %s = %q, want %q", tr.name, v, tr.value)
				}
			}
			if a.DecodedLength != int64(len(tt.c.data)) {
				t.Fatalf("DecodedLength = %d", a.DecodedLength)
			}
		})
	}
}

func TestChunkedErrors(t *testing.T) {
	data := testData(130 << 10)
	crc := []header{{"x-amz-checksum-crc32", crcBase64(data, crc32IEEE)}}
	tests := []struct {
		name    string
		c       chunkCase
		wantErr error
	}{
		{"tampered chunk data", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: flipByteAt(1000)}, ErrSignatureDoesNotMatch},
		{"tampered last chunk data", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: flipByteAt(-200)}, ErrSignatureDoesNotMatch},
		{"wrong chunk signature", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: replaceOnce(";chunk-signature=", ";chunk-signature=0")}, ErrMalformedChunk},
		{"chunk signature of another chunk", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: swapFirstSignatures}, ErrSignatureDoesNotMatch},
		{"final chunk signature wrong", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: func(b string) string {
			i := strings.LastIndex(b, "chunk-signature=") + len("chunk-signature=")
			return b[:i] + strings.Repeat("0", 64) + b[i+64:]
		}}, ErrSignatureDoesNotMatch},
		{"chunk signature missing", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: func(b string) string {
			i := strings.Index(b, ";")
			return b[:i] + b[i+82:]
		}}, ErrMalformedChunk},
		{"chunk extension on unsigned payload", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: replaceOnce("\r\n", ";ext=1\r\n")}, ErrMalformedChunk},
		{"truncated in chunk data", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: truncateTo(5000)}, ErrIncompleteBody},
		{"truncated in chunk header", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: truncateTo(10)}, ErrIncompleteBody},
		{"truncated before final chunk", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: func(b string) string {
			return b[:strings.Index(b, "\r\n0\r\n")+2]
		}}, ErrIncompleteBody},
		{"truncated after data before CRLF", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data[:10], trailers: crc, corrupt: truncateTo(len("a\r\n") + 10)}, ErrIncompleteBody},
		{"empty body", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: truncateTo(0)}, ErrIncompleteBody},
		{"declared length too small", chunkCase{mode: payloadStreamingSigned, data: data, decoded: ptr(int64(len(data) - 1))}, ErrIncompleteBody},
		{"declared length too large", chunkCase{mode: payloadStreamingSigned, data: data, decoded: ptr(int64(len(data) + 1))}, ErrIncompleteBody},
		{"size not hex", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: replaceOnce("10000\r\n", "1000g\r\n")}, ErrMalformedChunk},
		{"size with sign", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: replaceOnce("10000\r\n", "+10000\r\n")}, ErrMalformedChunk},
		{"size with 0x prefix", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: replaceOnce("10000\r\n", "0x10000\r\n")}, ErrMalformedChunk},
		{"size too long", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: replaceOnce("10000\r\n", "0000000000010000\r\n")}, ErrMalformedChunk},
		{"empty size", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: replaceOnce("10000\r\n", "\r\n")}, ErrMalformedChunk},
		{"chunk header ends in bare LF", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: replaceOnce("10000\r\n", "10000\n")}, ErrMalformedChunk},
		{"data not followed by CRLF", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: func(b string) string {
			i := len("10000\r\n") + 65536
			return b[:i] + "XX" + b[i+2:]
		}}, ErrMalformedChunk},
		{"chunk header line too long", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: replaceOnce("10000\r\n", strings.Repeat("0", 5000)+"10000\r\n")}, ErrMalformedChunk},
		{"undeclared trailer", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, declare: ptr("x-amz-checksum-crc32c")}, ErrMalformedChunk},
		{"declared trailer missing", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, declare: ptr("x-amz-checksum-crc32,x-amz-checksum-sha1")}, ErrMalformedChunk},
		{"trailer sent twice", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: append(crc, crc...)}, ErrMalformedChunk},
		{"trailer without colon", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: replaceOnce("x-amz-checksum-crc32:", "x-amz-checksum-crc32=")}, ErrMalformedChunk},
		{"trailer value tampered", chunkCase{mode: payloadStreamingSignedTrailer, data: data, trailers: crc, corrupt: replaceOnce("x-amz-checksum-crc32:", "x-amz-checksum-crc32:A")}, ErrSignatureDoesNotMatch},
		{"trailer signature wrong", chunkCase{mode: payloadStreamingSignedTrailer, data: data, trailers: crc, corrupt: func(b string) string {
			i := strings.Index(b, "x-amz-trailer-signature:") + len("x-amz-trailer-signature:")
			return b[:i] + strings.Repeat("f", 64) + b[i+64:]
		}}, ErrSignatureDoesNotMatch},
		{"trailer signature missing", chunkCase{mode: payloadStreamingSignedTrailer, data: data, trailers: crc, corrupt: func(b string) string {
			i := strings.Index(b, "x-amz-trailer-signature:")
			return b[:i] + "\r\n"
		}}, ErrMalformedChunk},
		{"trailer signature on unsigned trailer", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: func(b string) string {
			return strings.TrimSuffix(b, "\r\n") + "x-amz-trailer-signature:" + strings.Repeat("0", 64) + "\r\n\r\n"
		}}, ErrMalformedChunk},
		{"trailer on payload without trailers", chunkCase{mode: payloadStreamingSigned, data: data, corrupt: func(b string) string {
			return b + "x-amz-checksum-crc32:AAAAAA==\r\n"
		}}, ErrMalformedChunk},
		{"data after trailer signature", chunkCase{mode: payloadStreamingSignedTrailer, data: data, trailers: crc, corrupt: func(b string) string {
			return b + "x-amz-meta-late:1\r\n"
		}}, ErrMalformedChunk},
		{"too many trailer bytes", chunkCase{mode: payloadStreamingUnsignedTrailer, data: data, trailers: crc, corrupt: func(b string) string {
			return b + strings.Repeat("\r\n", maxTailBytes)
		}}, ErrMalformedChunk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, r := buildChunked(t, tt.c)
			a, err := v.Verify(r, "s3")
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			_, err = readAll(t, a)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("read error = %v, want %v", err, tt.wantErr)
			}
			if _, again := a.Body.Read(make([]byte, 1)); !errors.Is(again, tt.wantErr) {
				t.Fatalf("error not sticky: second Read = %v", again)
			}
			for _, tr := range tt.c.trailers {
				if v := a.Trailer(tr.name); v != "" {
					t.Fatalf("trailer %s visible after a failed body: %q", tr.name, v)
				}
			}
		})
	}
}

// swapFirstSignatures exchanges the signatures of the first two chunks.
func swapFirstSignatures(b string) string {
	const tag = "chunk-signature="
	i := strings.Index(b, tag) + len(tag)
	j := strings.Index(b[i:], tag) + i + len(tag)
	first, second := b[i:i+64], b[j:j+64]
	return b[:i] + second + b[i+64:j] + first + b[j+64:]
}

func TestChunkedRequestHeaders(t *testing.T) {
	base := chunkCase{mode: payloadStreamingSigned, data: testData(10)}
	tests := []struct {
		name    string
		edit    func(r *headerEditor)
		wantErr error
	}{
		{"decoded length missing", func(e *headerEditor) { e.del("X-Amz-Decoded-Content-Length") }, ErrMissingContentLength},
		{"decoded length negative", func(e *headerEditor) { e.set("X-Amz-Decoded-Content-Length", "-1") }, ErrMissingContentLength},
		{"decoded length with plus", func(e *headerEditor) { e.set("X-Amz-Decoded-Content-Length", "+10") }, ErrMissingContentLength},
		{"decoded length not a number", func(e *headerEditor) { e.set("X-Amz-Decoded-Content-Length", "ten") }, ErrMissingContentLength},
		{"trailer declared on a payload without trailers", func(e *headerEditor) { e.set("X-Amz-Trailer", "x-amz-checksum-crc32") }, ErrInvalidContentSHA256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, r := buildChunked(t, base)
			// Headers are edited after signing, so only unsigned ones
			// can change; re-sign to keep the signature valid.
			tt.edit(&headerEditor{r: r})
			resign(t, r, StreamingPayload)
			if _, err := v.Verify(r, "s3"); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// The decoder hands data over before its chunk is complete: memory stays
// bounded whatever the chunk size, which is why callers must wait for EOF.
func TestChunkedDecoderStreams(t *testing.T) {
	data := testData(1 << 20)
	e := newChunkEncoder(payloadStreamingUnsignedTrailer, awsStyle, nil)
	body := e.encode(data, len(data)) // one 1 MiB chunk
	pr, pw := io.Pipe()
	c := newChunkedReader(pr, payloadStreamingUnsignedTrailer, nil, int64(len(data)), map[string]bool{})
	half := len("100000\r\n") + len(data)/2
	go pw.Write([]byte(body[:half]))
	got := make([]byte, 0, len(data))
	buf := make([]byte, 32<<10)
	// Only half the chunk has been written: a decoder that waited for the
	// whole chunk would block here forever.
	for len(got) < len(data)/2 {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, data[:len(got)]) {
		t.Fatal("streamed bytes differ")
	}
	go func() {
		pw.Write([]byte(body[half:]))
		pw.Close()
	}()
	rest, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(append(got, rest...), data) {
		t.Fatalf("rest: %d bytes, %v", len(rest), err)
	}
}
