package cse

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"io"
)

// V3 (algorithm suite 115, ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY) derives
// the content key and a key commitment from the data key:
//
//	PRK = HKDF-Extract(SHA-512, salt = message ID (28 bytes), IKM = data key)
//	DEK = HKDF-Expand(PRK, 0x00 0x73 || "DERIVEKEY", 32)
//	CK  = HKDF-Expand(PRK, 0x00 0x73 || "COMMITKEY", 28)
//
// and encrypts with AES-256-GCM(DEK, nonce = 0x01 x 12, AAD = 0x00 0x73).
var (
	v3SuiteID = []byte{0x00, 0x73}
	v3Nonce   = []byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
)

const (
	v3DeriveInfo = "\x00\x73DERIVEKEY"
	v3CommitInfo = "\x00\x73COMMITKEY"
)

// v3Commitment derives the key commitment of dataKey under messageID and
// returns it with the extracted PRK (for v3ContentKey).
func v3Commitment(dataKey, messageID []byte) (commitment, prk []byte, err error) {
	prk, err = hkdf.Extract(sha512.New, dataKey, messageID)
	if err != nil {
		return nil, nil, fmt.Errorf("cse: HKDF-Extract: %w", err)
	}
	commitment, err = hkdf.Expand(sha512.New, prk, v3CommitInfo, v3CommitmentSize)
	if err != nil {
		clear(prk)
		return nil, nil, fmt.Errorf("cse: HKDF-Expand: %w", err)
	}
	return commitment, prk, nil
}

// v3ContentKey expands the content key from the PRK.
func v3ContentKey(prk []byte) ([]byte, error) {
	dek, err := hkdf.Expand(sha512.New, prk, v3DeriveInfo, dataKeySize)
	if err != nil {
		return nil, fmt.Errorf("cse: HKDF-Expand: %w", err)
	}
	return dek, nil
}

// v3OpenKey checks the stored commitment against the data key, in constant
// time, before deriving the content key, as the suite requires.
func v3OpenKey(dataKey, messageID, stored []byte) ([]byte, error) {
	commitment, prk, err := v3Commitment(dataKey, messageID)
	if err != nil {
		return nil, err
	}
	defer clear(prk)
	if subtle.ConstantTimeCompare(commitment, stored) != 1 {
		return nil, fmt.Errorf("%w: the key commitment (x-amz-d) does not match the data key and message ID", ErrTampered)
	}
	return v3ContentKey(prk)
}

// openContent returns a reader of the plaintext of body under the
// unwrapped data key. want is the expected plaintext length, or -1.
func openContent(env *envelope, dataKey []byte, body io.Reader, want int64) (io.Reader, error) {
	switch env.cekAlg {
	case cekGCM:
		if len(dataKey) != dataKeySize {
			return nil, fmt.Errorf("%w: a %d-byte data key for AES-256-GCM", ErrTampered, len(dataKey))
		}
		return newOpenReader(body, dataKey, env.iv, nil, want)
	case cekV3:
		if len(dataKey) != dataKeySize {
			return nil, fmt.Errorf("%w: a %d-byte data key for suite 115", ErrTampered, len(dataKey))
		}
		dek, err := v3OpenKey(dataKey, env.iv, env.commitment)
		if err != nil {
			return nil, err
		}
		defer clear(dek)
		return newOpenReader(body, dek, v3Nonce, v3SuiteID, want)
	case cekCBC:
		return newCBCReader(body, dataKey, env.iv, want)
	}
	return nil, fmt.Errorf("%w: content algorithm %q", ErrUnsupportedFormat, env.cekAlg)
}

// cbcReader decrypts legacy AES/CBC/PKCS5Padding content. Nothing
// authenticates it: a changed ciphertext decrypts to changed plaintext and
// only a broken padding (or length) is noticed, as ErrTampered.
type cbcReader struct {
	src    io.Reader
	mode   cipher.BlockMode
	buf    []byte
	filled int    // ciphertext bytes in buf
	out    []byte // plaintext ready to return
	want   int64
	n      int64
	err    error
}

func newCBCReader(src io.Reader, key, iv []byte, want int64) (*cbcReader, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTampered, err)
	}
	return &cbcReader{src: src, mode: cipher.NewCBCDecrypter(block, iv), buf: make([]byte, 64<<10), want: want}, nil
}

func (r *cbcReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.fill()
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// fill reads more ciphertext and decrypts every whole block but the last,
// which may hold the padding; at the end it unpads.
func (r *cbcReader) fill() {
	n, err := io.ReadFull(r.src, r.buf[r.filled:])
	r.filled += n
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if r.filled == 0 || r.filled%aes.BlockSize != 0 {
			r.err = fmt.Errorf("%w: AES/CBC ciphertext of a length that is not whole blocks", ErrTampered)
			return
		}
		r.mode.CryptBlocks(r.buf[:r.filled], r.buf[:r.filled])
		plain, ok := unpadPKCS7(r.buf[:r.filled])
		if !ok {
			r.err = fmt.Errorf("%w: AES/CBC padding is invalid: wrong key or altered ciphertext", ErrTampered)
			return
		}
		r.n += int64(plain)
		if r.want >= 0 && r.n != r.want {
			r.err = fmt.Errorf("%w: %d plaintext bytes, the envelope says %d", ErrTampered, r.n, r.want)
			return
		}
		r.out, r.err, r.filled = r.buf[:plain], io.EOF, 0
		return
	}
	if err != nil {
		r.err = err
		return
	}
	// Buffer full: keep the last block back.
	keep := aes.BlockSize
	done := r.filled - keep
	r.mode.CryptBlocks(r.buf[:done], r.buf[:done])
	r.n += int64(done)
	out := make([]byte, done)
	copy(out, r.buf[:done])
	copy(r.buf, r.buf[done:r.filled])
	r.filled = keep
	r.out = out
}
