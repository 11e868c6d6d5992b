package dare

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
)

// Package geometry. FORMAT.md documents the byte layout.
const (
	// PackageSize is the plaintext carried by every package but the final
	// one, which holds 0..PackageSize bytes.
	PackageSize = 64 << 10
	// PackageOverhead is what every package adds to its plaintext: the
	// header and the GCM tag.
	PackageOverhead = headerSize + tagSize
)

const (
	headerSize      = 18
	tagSize         = 16
	streamNonceSize = 12
	keySize         = 32

	// maxPackages bounds a stream because the sequence number mixed into
	// the nonce is 32 bits wide: 2^32 packages hold 256 TiB.
	maxPackages = 1 << 32

	// formatVersion is the only version this code reads or writes.
	formatVersion byte = 0x01

	// maxStoredPackage is the largest package on disk.
	maxStoredPackage = PackageSize + PackageOverhead
)

// packageFlags is the flags byte of a package header.
type packageFlags byte

const (
	// notFinal is the flags byte of every package but the last.
	notFinal packageFlags = 0x00
	// flagFinal marks the last package of a stream.
	flagFinal packageFlags = 0x01

	knownFlags = flagFinal
)

// ErrAuthentication is returned (possibly wrapped, match it with errors.Is)
// when ciphertext was modified, truncated, extended, reordered or spliced,
// or was sealed under another key.
var ErrAuthentication = errors.New("dare: ciphertext failed authentication")

var (
	errKeySize       = errors.New("dare: key must be 32 bytes")
	errStreamTooLong = errors.New("dare: stream exceeds 2^32 packages")
	errClosed        = errors.New("dare: write to a closed writer")
)

// packageHeader is the authenticated header in front of every package.
type packageHeader struct {
	flags       packageFlags
	length      int // plaintext bytes in this package
	streamNonce [streamNonceSize]byte
}

func (h *packageHeader) final() bool { return h.flags&flagFinal != 0 }

// put writes the header's wire form into b[:headerSize].
func (h *packageHeader) put(b []byte) {
	b[0] = formatVersion
	b[1] = byte(h.flags)
	binary.BigEndian.PutUint32(b[2:6], uint32(h.length))
	copy(b[6:headerSize], h.streamNonce[:])
}

// parseHeader decodes and sanity-checks a header. A header that fails here
// may be a tampered one, so every error is an ErrAuthentication.
func parseHeader(b []byte) (packageHeader, error) {
	var h packageHeader
	if b[0] != formatVersion {
		return h, fmt.Errorf("%w: unknown format version %d", ErrAuthentication, b[0])
	}
	h.flags = packageFlags(b[1])
	if h.flags&^knownFlags != 0 {
		return h, fmt.Errorf("%w: unknown package flags %#02x", ErrAuthentication, b[1])
	}
	length := binary.BigEndian.Uint32(b[2:6])
	if length > PackageSize {
		return h, fmt.Errorf("%w: package length %d exceeds %d", ErrAuthentication, length, PackageSize)
	}
	h.length = int(length)
	if !h.final() && h.length != PackageSize {
		return h, fmt.Errorf("%w: non-final package of %d bytes", ErrAuthentication, h.length)
	}
	copy(h.streamNonce[:], b[6:headerSize])
	return h, nil
}

// newAEAD builds the one AES-256-GCM instance a stream uses.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != keySize {
		return nil, errKeySize
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// packageNonce sets out to the GCM nonce of package seq: the stream nonce
// with seq XORed into its last four bytes. Distinct packages of one stream
// get distinct nonces; two streams under one key collide only if their
// random stream nonces agree on the first 64 bits (see FORMAT.md).
func packageNonce(out *[streamNonceSize]byte, streamNonce *[streamNonceSize]byte, seq uint64) {
	*out = *streamNonce
	tail := binary.BigEndian.Uint32(streamNonce[8:]) ^ uint32(seq)
	binary.BigEndian.PutUint32(out[8:], tail)
}

// packageCount is the number of packages of a stream of plaintext bytes:
// an empty stream still has its (empty, final) package.
func packageCount(plaintext int64) int64 {
	if plaintext == 0 {
		return 1
	}
	return (plaintext + PackageSize - 1) / PackageSize
}

// EncryptedSize is the size of the stream that plaintext bytes encrypt to,
// or -1 if plaintext is negative or too large for the format (more than
// 2^32 packages).
func EncryptedSize(plaintext int64) int64 {
	if plaintext < 0 || packageCount(plaintext) > maxPackages {
		return -1
	}
	return plaintext + packageCount(plaintext)*PackageOverhead
}

// CiphertextRange names the stored bytes [start, start+n) of a stream of
// plaintextSize bytes that hold plaintext [offset, offset+length): the
// whole packages overlapping it. It returns 0, 0 when length is zero or the
// range lies outside the plaintext (NewRangeReader rejects the latter).
func CiphertextRange(plaintextSize, offset, length int64) (start, n int64) {
	if !validRange(plaintextSize, offset, length) || length == 0 {
		return 0, 0
	}
	first := offset / PackageSize
	last := (offset + length - 1) / PackageSize
	start = first * maxStoredPackage
	end := min((last+1)*maxStoredPackage, EncryptedSize(plaintextSize))
	return start, end - start
}

func validRange(plaintextSize, offset, length int64) bool {
	return EncryptedSize(plaintextSize) >= 0 && offset >= 0 && length >= 0 &&
		offset <= plaintextSize-length
}
