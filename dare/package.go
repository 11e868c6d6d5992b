package dare

import (
	"bytes"
	"crypto/cipher"
	"fmt"
)

// sealer seals the packages of one stream, in order.
type sealer struct {
	aead        cipher.AEAD
	streamNonce [streamNonceSize]byte
	nonce       [streamNonceSize]byte // scratch, so sealing does not allocate
	seq         uint64                // sequence number of the next package
}

// seal writes package seq into pkg (header, ciphertext, tag) and returns
// it. plaintext is either pkg[headerSize:headerSize+len(plaintext)] (sealed
// in place) or a slice that does not overlap pkg; pkg must have room for
// len(plaintext)+PackageOverhead bytes.
func (s *sealer) seal(pkg, plaintext []byte, flags packageFlags) ([]byte, error) {
	if s.seq >= maxPackages {
		return nil, errStreamTooLong
	}
	h := packageHeader{flags: flags, length: len(plaintext), streamNonce: s.streamNonce}
	h.put(pkg[:headerSize])
	packageNonce(&s.nonce, &s.streamNonce, s.seq)
	s.aead.Seal(pkg[headerSize:headerSize], s.nonce[:], plaintext, pkg[:headerSize])
	s.seq++
	return pkg[:headerSize+len(plaintext)+tagSize], nil
}

// opener authenticates and decrypts the packages of one stream. The first
// package it opens fixes the stream nonce; every later one must carry it.
type opener struct {
	aead        cipher.AEAD
	streamNonce [streamNonceSize]byte
	haveNonce   bool
	nonce       [streamNonceSize]byte
}

// open verifies pkg, the stored package number seq, and decrypts it into
// dst[:0] (nil: in place). It returns the plaintext and the header, or an
// ErrAuthentication; on error nothing decrypted may be used.
func (o *opener) open(dst, pkg []byte, seq uint64) ([]byte, packageHeader, error) {
	if len(pkg) < PackageOverhead {
		return nil, packageHeader{}, fmt.Errorf("%w: truncated package", ErrAuthentication)
	}
	h, err := parseHeader(pkg[:headerSize])
	if err != nil {
		return nil, h, err
	}
	if h.length != len(pkg)-PackageOverhead {
		return nil, h, fmt.Errorf("%w: package length %d does not match %d stored bytes", ErrAuthentication, h.length, len(pkg))
	}
	if seq >= maxPackages {
		return nil, h, fmt.Errorf("%w: stream exceeds 2^32 packages", ErrAuthentication)
	}
	if !o.haveNonce {
		o.streamNonce, o.haveNonce = h.streamNonce, true
	} else if !bytes.Equal(h.streamNonce[:], o.streamNonce[:]) {
		return nil, h, fmt.Errorf("%w: package %d belongs to another stream", ErrAuthentication, seq)
	}
	sealed := pkg[headerSize:]
	if dst == nil {
		dst = sealed
	}
	packageNonce(&o.nonce, &o.streamNonce, seq)
	plaintext, err := o.aead.Open(dst[:0], o.nonce[:], sealed, pkg[:headerSize])
	if err != nil {
		return nil, h, fmt.Errorf("%w: package %d", ErrAuthentication, seq)
	}
	return plaintext, h, nil
}
