package checksum

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/cofferlabs/coffer"
)

// hashMode says where a Reader runs its hashes.
type hashMode int

const (
	// hashInline runs every hash on the reading goroutine.
	hashInline hashMode = iota
	// hashParallel runs one goroutine per hash when there is more than one.
	hashParallel
)

// Reader passes a body through while hashing it, and checks the hashes
// against a coffer.BodyCheck when the body ends. It is not safe for
// concurrent use.
type Reader struct {
	src      io.Reader // the body, limited to Size+1 bytes when Size is known
	check    coffer.BodyCheck
	md5      hash.Hash
	sha256   hash.Hash   // nil unless asked for
	sum      hash.Hash   // the additional checksum, nil if none; may be sha256
	hashes   []hash.Hash // each distinct hash once, md5 first
	chunks   *pipeline   // nil: hashes run inline
	n        int64       // body bytes passed through
	tooLong  bool        // the body went past check.Size
	srcEOF   bool        // src has nothing more
	result   error       // sticky: io.EOF after a verified body, else the error
	md5Sum   []byte
	checksum coffer.Checksum
}

// NewReader returns a Reader of r that computes the MD5 (always), the
// SHA-256 (when check.SHA256 is set or the checksum algorithm is SHA256)
// and the additional checksum check.Checksum (when set). With more than one
// hash they run in parallel, one goroutine each.
//
// When r ends, Read verifies in this order and returns, instead of io.EOF:
// coffer.ErrIncompleteBody if check.Size >= 0 and the body is shorter or
// longer (no more than Size+1 bytes are ever read from r);
// coffer.ErrBadDigest if check.ContentMD5 is set and differs;
// coffer.ErrSHA256Mismatch if check.SHA256 is set and differs;
// coffer.ErrChecksumMismatch if the checksum value, from
// check.ChecksumValue or else check.ChecksumTrailer(), differs. A checksum
// with no value to compare is computed and not checked. An unknown
// algorithm or a malformed trailer value is a *coffer.ArgumentError.
// Errors from r are returned as they are.
func NewReader(r io.Reader, check coffer.BodyCheck) *Reader {
	return newReader(r, check, hashParallel)
}

func newReader(r io.Reader, check coffer.BodyCheck, mode hashMode) *Reader {
	rd := &Reader{src: r, check: check, md5: md5.New()}
	if check.Size < 0 {
		rd.check.Size = -1
	} else {
		rd.src = io.LimitReader(r, check.Size+1)
	}
	rd.hashes = []hash.Hash{rd.md5}
	if check.Checksum != coffer.ChecksumNone {
		rd.sum = New(check.Checksum)
		if rd.sum == nil {
			rd.result = &coffer.ArgumentError{
				Name: "x-amz-checksum-algorithm", Value: string(check.Checksum),
				Message: "Checksum algorithm provided is unsupported.",
			}
			return rd
		}
	}
	switch {
	case check.Checksum == coffer.ChecksumSHA256:
		rd.sha256 = rd.sum
	case check.SHA256 != "":
		rd.sha256 = sha256.New()
		rd.hashes = append(rd.hashes, rd.sha256)
	}
	if rd.sum != nil {
		rd.hashes = append(rd.hashes, rd.sum)
	}
	if mode == hashParallel && len(rd.hashes) > 1 {
		rd.chunks = new(pipeline)
	}
	return rd
}

// N is the number of body bytes read so far.
func (r *Reader) N() int64 { return r.n }

// MD5 is the body's MD5, once Read has reached the end; nil before.
func (r *Reader) MD5() []byte { return r.md5Sum }

// Checksum is the body's additional checksum (FULL_OBJECT), once Read has
// reached the end; the zero Checksum before, or when none was asked for.
func (r *Reader) Checksum() coffer.Checksum { return r.checksum }

// Read passes the body through. At the end it returns io.EOF if every
// check passed, or the first failed check's error.
func (r *Reader) Read(p []byte) (int, error) {
	if r.result != nil {
		return 0, r.result
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.chunks != nil {
		return r.readChunked(p)
	}
	return r.readInline(p)
}

// WriteTo passes the body to w. It returns nil if every check passed.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	if r.chunks == nil {
		// Hide WriteTo so that io.Copy reads straight into w's own
		// buffer when w is an io.ReaderFrom.
		return io.Copy(w, struct{ io.Reader }{r})
	}
	return r.writeChunked(w)
}

// readInline reads straight into p and hashes it there.
func (r *Reader) readInline(p []byte) (int, error) {
	for !r.srcEOF {
		n, err := r.src.Read(p)
		data := r.admit(p[:n])
		for _, h := range r.hashes {
			h.Write(data)
		}
		switch {
		case err == io.EOF:
			r.srcEOF = true
		case err != nil:
			r.result = err
			return len(data), err
		}
		if len(data) > 0 {
			return len(data), nil
		}
	}
	return 0, r.finish()
}

// admit counts data in and cuts it at the declared size; anything beyond
// it ends the body.
func (r *Reader) admit(data []byte) []byte {
	if r.check.Size >= 0 && r.n+int64(len(data)) > r.check.Size {
		data = data[:r.check.Size-r.n]
		r.tooLong, r.srcEOF = true, true
	}
	r.n += int64(len(data))
	return data
}

// finish waits for the hashes, records the sums and verifies them.
func (r *Reader) finish() error {
	if r.chunks != nil {
		r.chunks.release()
	}
	r.md5Sum = r.md5.Sum(nil)
	if r.sum != nil {
		r.checksum = coffer.Checksum{
			Algorithm: r.check.Checksum,
			Type:      coffer.ChecksumFullObject,
			Value:     encodeValue(r.sum.Sum(nil)),
		}
	}
	r.result = r.verify()
	return r.result
}

// verify checks the body against the request, in the order S3 does.
func (r *Reader) verify() error {
	c := r.check
	switch {
	case r.tooLong:
		return fmt.Errorf("%w: body is longer than the declared %d bytes", coffer.ErrIncompleteBody, c.Size)
	case c.Size >= 0 && r.n < c.Size:
		return fmt.Errorf("%w: got %d of %d bytes", coffer.ErrIncompleteBody, r.n, c.Size)
	}
	if len(c.ContentMD5) > 0 && subtle.ConstantTimeCompare(c.ContentMD5, r.md5Sum) != 1 {
		return coffer.ErrBadDigest
	}
	if c.SHA256 != "" {
		want, err := hex.DecodeString(c.SHA256)
		if err != nil || subtle.ConstantTimeCompare(want, r.sha256.Sum(nil)) != 1 {
			return coffer.ErrSHA256Mismatch
		}
	}
	if r.sum == nil {
		return io.EOF
	}
	value := c.ChecksumValue
	if value == "" && c.ChecksumTrailer != nil {
		value = c.ChecksumTrailer()
	}
	if value == "" {
		return io.EOF
	}
	want, ok := decodeValue(c.Checksum, value)
	if !ok {
		header := "x-amz-checksum-" + strings.ToLower(string(c.Checksum))
		return &coffer.ArgumentError{
			Code: "InvalidRequest", Name: header, Value: value,
			Message: "Value for " + header + " header is invalid.",
		}
	}
	if subtle.ConstantTimeCompare(want, r.sum.Sum(nil)) != 1 {
		return coffer.ErrChecksumMismatch
	}
	return io.EOF
}
