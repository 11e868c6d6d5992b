package cse

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Streaming AES-GCM.
//
// crypto/cipher's GCM seals and opens whole messages, but an object can be
// many GiB, so this file computes exactly the same ciphertext and tag (NIST
// SP 800-38D with a 96-bit IV and a 128-bit tag) a chunk at a time in
// constant memory, still using the standard library's accelerated code for
// both halves of the work:
//
//   - Encryption is AES-CTR (cipher.NewCTR) from the counter block
//     inc32(J0) = IV || 0x00000002. cipher.NewCTR increments the whole
//     128-bit block, GCM only its last 32 bits; the two agree because a GCM
//     message has at most 2^32 - 2 blocks, so the 32-bit counter (starting at
//     2) never wraps. The readers below enforce that limit.
//
//   - GHASH is linear: for blocks X_1..X_m, GHASH_H(X) = sum X_i·H^(m-i+1).
//     Sealing an empty plaintext whose additional data is a chunk c of n
//     blocks, with the same key under a fixed nonce N, returns
//       T_c = E_K(J0_N) + H·G_c + H·L_c
//     where G_c = sum c_i·H^(n-i+1) is the chunk's own GHASH and L_c its
//     length block (bit length of c, then 64 zero bits). With the state kept
//     as Z = H·Y (Y the running GHASH of everything absorbed so far), a
//     chunk updates it as
//       Z' = Z·H^n + (T_c + E_K(J0_N)) + L_c·H
//     which costs two multiplications in GF(2^128) done by the small
//     constant-time mul, and no inverse of H. At the end the tag is
//       E_K(J0) + Y_final, Y_final = Z + L·H
//     with L the message's length block (bit lengths of the additional data
//     and of the ciphertext). The values T_c never leave this process.
//
// Chunks must be whole blocks except at the end of a section (the additional
// data, or the ciphertext), which GCM zero-pads; gcmState.absorb keeps a
// partial block back until it can be completed, so callers may pass slices
// of any length.

const (
	gcmBlockSize = 16
	gcmTagSize   = 16
	gcmIVSize    = 12
	// gcmMaxPlaintext is the most plaintext one GCM message may hold:
	// 2^32 - 2 blocks (SP 800-38D §5.2.1.1), about 64 GiB.
	gcmMaxPlaintext = (1<<32 - 2) * gcmBlockSize
)

// errGCMTooLong is returned when a stream would exceed gcmMaxPlaintext.
var errGCMTooLong = errors.New("cse: AES-GCM cannot encrypt more than 68719476704 bytes under one data key")

// gcmState encrypts or decrypts one GCM message incrementally.
type gcmState struct {
	ctr  cipher.Stream
	aead cipher.AEAD // the same key; its tags over additional data only give chunk GHASHes

	h       fieldElement
	powers  *powerTable
	nonceN  [gcmIVSize]byte    // the fixed nonce N of the GHASH-only seals (all zero)
	maskN   fieldElement       // E_K(J0_N)
	tagMask [gcmBlockSize]byte // E_K(J0) of the message's own IV
	z       fieldElement       // H·Y
	partial [gcmBlockSize]byte // a partial ciphertext block not yet absorbed
	npart   int                // bytes held in partial
	sealOut [gcmTagSize]byte   // scratch for the GHASH-only seals
	cache   [4]chunkFactors    // for the chunk sizes seen last
	victim  int                // next cache entry to replace
	aadLen  uint64             // bytes of additional data
	ctLen   uint64             // bytes of ciphertext so far
	done    bool
}

// newGCMState starts a GCM message under key with a 12-byte iv and the
// given additional data (absorbed at once).
func newGCMState(key, iv, aad []byte) (*gcmState, error) {
	if len(iv) != gcmIVSize {
		return nil, fmt.Errorf("cse: GCM IV of %d bytes, want %d", len(iv), gcmIVSize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cse: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("cse: %w", err)
	}
	g := &gcmState{aead: aead}

	var blk [gcmBlockSize]byte
	block.Encrypt(blk[:], blk[:]) // H = E_K(0^128)
	g.h = loadElement(blk[:])
	g.powers = newPowerTable(g.h)

	j0 := counterBlock(g.nonceN[:], 1)
	block.Encrypt(blk[:], j0[:])
	g.maskN = loadElement(blk[:])

	j0 = counterBlock(iv, 1)
	block.Encrypt(g.tagMask[:], j0[:])
	first := counterBlock(iv, 2)
	g.ctr = cipher.NewCTR(block, first[:])

	if len(aad) > 0 {
		g.absorbSection(aad)
		g.aadLen = uint64(len(aad))
	}
	return g, nil
}

// counterBlock is iv || uint32be(counter).
func counterBlock(iv []byte, counter uint32) [gcmBlockSize]byte {
	var b [gcmBlockSize]byte
	copy(b[:], iv)
	binary.BigEndian.PutUint32(b[12:], counter)
	return b
}

// gcmPass is how much data one pass of CTR and then GHASH covers: small
// enough that the second pass finds the bytes still in cache.
const gcmPass = 64 << 10

// encrypt encrypts p in place and absorbs the ciphertext.
func (g *gcmState) encrypt(p []byte) {
	for len(p) > 0 {
		n := min(len(p), gcmPass)
		g.ctr.XORKeyStream(p[:n], p[:n])
		g.absorb(p[:n])
		p = p[n:]
	}
}

// decrypt absorbs the ciphertext p and decrypts it in place.
func (g *gcmState) decrypt(p []byte) {
	for len(p) > 0 {
		n := min(len(p), gcmPass)
		g.absorb(p[:n])
		g.ctr.XORKeyStream(p[:n], p[:n])
		p = p[n:]
	}
}

// absorb adds ciphertext of any length to the GHASH state, holding back a
// trailing partial block until more ciphertext (or the end) arrives.
func (g *gcmState) absorb(p []byte) {
	g.ctLen += uint64(len(p))
	if g.npart > 0 {
		n := copy(g.partial[g.npart:], p)
		g.npart += n
		p = p[n:]
		if g.npart < gcmBlockSize {
			return
		}
		g.absorbSection(g.partial[:])
		g.npart = 0
	}
	whole := len(p) &^ (gcmBlockSize - 1)
	if whole > 0 {
		g.absorbSection(p[:whole])
	}
	g.npart = copy(g.partial[:], p[whole:])
}

// chunkFactors are what a chunk of a given byte length multiplies and adds:
// H^n (n its blocks) and L_c·H (L_c its length block).
type chunkFactors struct {
	length int
	hn, lh fieldElement
}

// factors returns the chunkFactors of a chunk of length bytes, from a small
// cache: streams absorb chunks of one or two sizes over and over.
func (g *gcmState) factors(length int) *chunkFactors {
	for i := range g.cache {
		if g.cache[i].length == length {
			return &g.cache[i]
		}
	}
	f := &g.cache[g.victim]
	g.victim = (g.victim + 1) % len(g.cache)
	n := uint64(length+gcmBlockSize-1) / gcmBlockSize
	lc := fieldElement{hi: uint64(length) * 8} // bit length of the "additional data", then 0
	*f = chunkFactors{length: length, hn: g.powers.pow(n), lh: mul(lc, g.h)}
	return f
}

// absorbSection adds a chunk of whole blocks, or the zero-padded end of a
// section, to the GHASH state.
func (g *gcmState) absorbSection(c []byte) {
	if len(c) == 0 {
		return
	}
	f := g.factors(len(c))
	g.z = mul(g.z, f.hn).add(g.sealChunk(c)).add(f.lh)
}

// sealChunk returns H·G_c + H·L_c for chunk c, from the standard library's
// GCM: the tag of an empty message with c as additional data, minus E_K(J0_N).
func (g *gcmState) sealChunk(c []byte) fieldElement {
	t := g.aead.Seal(g.sealOut[:0], g.nonceN[:], nil, c)
	return loadElement(t).add(g.maskN)
}

// sum finishes the message and returns its tag. No more data may follow.
func (g *gcmState) sum() [gcmTagSize]byte {
	if !g.done {
		if g.npart > 0 {
			g.absorbSection(g.partial[:g.npart])
			g.npart = 0
		}
		lengths := fieldElement{hi: g.aadLen * 8, lo: g.ctLen * 8}
		y := g.z.add(mul(lengths, g.h))
		var out [gcmTagSize]byte
		y.put(out[:])
		subtle.XORBytes(g.tagMask[:], g.tagMask[:], out[:])
		g.done = true
	}
	return g.tagMask
}

// sealReader encrypts a plaintext stream into ciphertext || tag, in the
// caller's buffer, in constant memory.
type sealReader struct {
	src     io.Reader
	g       *gcmState
	n       int64 // plaintext bytes read
	tag     [gcmTagSize]byte
	tagLeft []byte // unread part of the tag, once the plaintext has ended
	ended   bool
	err     error // sticky error
}

func newSealReader(src io.Reader, key, iv, aad []byte) (*sealReader, error) {
	g, err := newGCMState(key, iv, aad)
	if err != nil {
		return nil, err
	}
	return &sealReader{src: src, g: g}, nil
}

func (r *sealReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.ended {
		n := copy(p, r.tagLeft)
		r.tagLeft = r.tagLeft[n:]
		if len(r.tagLeft) == 0 {
			r.err = io.EOF
			if n == 0 {
				return 0, io.EOF
			}
		}
		return n, nil
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := r.src.Read(p)
	if n > 0 {
		if r.n+int64(n) > gcmMaxPlaintext {
			r.err = errGCMTooLong
			clear(p[:n])
			return 0, r.err
		}
		r.n += int64(n)
		r.g.encrypt(p[:n])
	}
	switch {
	case err == io.EOF:
		r.tag = r.g.sum()
		r.tagLeft, r.ended = r.tag[:], true
		if n == 0 {
			return r.Read(p)
		}
	case err != nil:
		r.err = err
		clear(p[:n])
		return 0, err
	}
	return n, nil
}

// plaintextLen is the number of plaintext bytes encrypted so far.
func (r *sealReader) plaintextLen() int64 { return r.n }

// openReader decrypts ciphertext || tag as it streams. Plaintext is handed
// out before the tag is known: the final Read reports a wrapped ErrTampered
// if the tag (or the expected length) does not verify, and every byte it
// returned before that must then be discarded by the caller.
type openReader struct {
	src      io.Reader
	g        *gcmState
	hold     [gcmTagSize]byte // the last bytes read: possibly the tag
	nhold    int
	want     int64 // expected plaintext length, or -1
	n        int64 // plaintext bytes returned
	scratch  []byte
	pending  []byte // decrypted bytes of scratch not yet returned
	err      error  // sticky: io.EOF once verified, else the failure
	srcEnded bool
}

// newOpenReader decrypts src (ciphertext then the 16-byte tag). want is the
// plaintext length the envelope promises, or -1.
func newOpenReader(src io.Reader, key, iv, aad []byte, want int64) (*openReader, error) {
	g, err := newGCMState(key, iv, aad)
	if err != nil {
		return nil, err
	}
	return &openReader{src: src, g: g, want: want}, nil
}

func (r *openReader) Read(p []byte) (int, error) {
	if len(r.pending) > 0 {
		n := copy(p, r.pending)
		r.pending = r.pending[n:]
		return n, nil
	}
	if r.err != nil {
		return 0, r.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(p) < 2*gcmTagSize {
		// Too small to work in place with the tag held back: go through a
		// small buffer of our own.
		if r.scratch == nil {
			r.scratch = make([]byte, 4096)
		}
		n, err := r.readInPlace(r.scratch)
		r.pending = r.scratch[:n]
		m := copy(p, r.pending)
		r.pending = r.pending[m:]
		if len(r.pending) > 0 {
			return m, nil // the error, if any, is still sticky in r.err
		}
		return m, err
	}
	return r.readInPlace(p)
}

// readInPlace fills p (len(p) >= 32) with the held-back bytes and new
// ciphertext, decrypts all but the last 16 bytes in place and holds those
// back: at the end of the stream they are the tag.
func (r *openReader) readInPlace(p []byte) (int, error) {
	for {
		copy(p, r.hold[:r.nhold])
		m := r.nhold
		var err error
		if !r.srcEnded {
			// Fill p, so that steady reads absorb chunks of one size.
			var n int
			n, err = io.ReadFull(r.src, p[m:])
			m += n
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				r.srcEnded, err = true, nil
			}
		}
		if err != nil {
			r.err = err
			clear(p)
			return 0, err
		}
		keep := min(m, gcmTagSize)
		r.nhold = copy(r.hold[:], p[m-keep:m])
		out := p[:m-keep]
		if len(out) > 0 {
			if r.n+int64(len(out)) > gcmMaxPlaintext {
				r.err = fmt.Errorf("%w: the ciphertext is longer than one GCM message can be", ErrTampered)
				clear(p)
				return 0, r.err
			}
			r.g.decrypt(out)
			r.n += int64(len(out))
		}
		if r.srcEnded {
			if err := r.verify(); err != nil {
				r.err = err
				clear(p)
				return 0, err
			}
			r.err = io.EOF
			if len(out) == 0 {
				return 0, io.EOF
			}
			return len(out), nil
		}
		if len(out) > 0 {
			return len(out), nil
		}
	}
}

// verify checks the tag and the length once the ciphertext has ended.
func (r *openReader) verify() error {
	if r.nhold < gcmTagSize {
		return fmt.Errorf("%w: the ciphertext is shorter than its authentication tag", ErrTampered)
	}
	tag := r.g.sum()
	if subtle.ConstantTimeCompare(tag[:], r.hold[:]) != 1 {
		return fmt.Errorf("%w: the authentication tag does not match: the ciphertext, its key or its envelope was changed", ErrTampered)
	}
	if r.want >= 0 && r.n != r.want {
		return fmt.Errorf("%w: %d plaintext bytes, the envelope says %d", ErrTampered, r.n, r.want)
	}
	return nil
}
