package dare

import (
	"errors"
	"fmt"
	"io"
)

var errRange = errors.New("dare: range lies outside the plaintext")

// rangeReader decrypts the packages overlapping a plaintext range. Knowing
// the plaintext size, it knows the exact length and finality each package
// must have, so it reads exactly one stored package per step.
type rangeReader struct {
	src       io.Reader
	o         opener
	size      int64          // plaintext bytes in the whole stream
	seq       uint64         // sequence number of the next package
	lastSeq   uint64         // sequence number of the stream's final package
	skip      int            // plaintext bytes to drop from the front of the next package
	remaining int64          // plaintext bytes still to deliver
	pb        *packageBuffer // nil when the range is empty or over
	buf       []byte         // pb[:]
	plain     []byte         // verified plaintext not yet returned (in buf)
	err       error          // sticky
}

// NewRangeReader returns a reader of plaintext [offset, offset+length) of a
// stream of plaintextSize bytes encrypted under key. src must hold exactly
// the stored bytes CiphertextRange(plaintextSize, offset, length) names;
// only those packages are read and decrypted. A package that is not where
// plaintextSize puts it (wrong length, final flag where none belongs or
// missing on the stream's last package), or that fails to verify, makes
// Read fail with ErrAuthentication.
func NewRangeReader(src io.Reader, key []byte, plaintextSize, offset, length int64) (io.Reader, error) {
	if !validRange(plaintextSize, offset, length) {
		return nil, fmt.Errorf("%w: offset %d, length %d, size %d", errRange, offset, length, plaintextSize)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	r := &rangeReader{
		src:       src,
		o:         opener{aead: aead},
		size:      plaintextSize,
		seq:       uint64(offset / PackageSize),
		lastSeq:   uint64(packageCount(plaintextSize) - 1),
		skip:      int(offset % PackageSize),
		remaining: length,
	}
	if length > 0 {
		r.pb = getPackageBuffer()
		r.buf = r.pb[:]
	}
	return r, nil
}

// Read returns verified plaintext of the range. A whole package that falls
// inside the range and fits p is decrypted straight into p.
func (r *rangeReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(r.plain) == 0 {
		if err := r.finished(); err != nil {
			return 0, err
		}
		if want := r.packageLength(); r.skip == 0 && int64(want) <= r.remaining && len(p) >= want {
			plaintext, err := r.next(p)
			if err != nil {
				r.err = err
				return 0, err
			}
			return len(plaintext), nil
		}
		r.plain, r.err = r.next(nil)
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

// WriteTo decrypts the range package by package and hands it to w.
func (r *rangeReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(r.plain) > 0 {
			n, err := w.Write(r.plain)
			total += int64(n)
			r.plain = r.plain[n:]
			if err != nil {
				return total, err
			}
		}
		if err := r.finished(); err == io.EOF {
			return total, nil
		} else if err != nil {
			return total, err
		}
		r.plain, r.err = r.next(nil)
	}
}

// finished reports io.EOF once the range is delivered, the sticky error
// after a failure, nil while packages remain; when over, it returns the
// buffer, which no pending plaintext points into any more.
func (r *rangeReader) finished() error {
	if r.err == nil && r.remaining > 0 {
		return nil
	}
	if r.pb != nil {
		putPackageBuffer(r.pb)
		r.pb, r.buf = nil, nil
	}
	if r.err != nil {
		return r.err
	}
	return io.EOF
}

// packageLength is the plaintext length package r.seq must have.
func (r *rangeReader) packageLength() int {
	if r.seq == r.lastSeq {
		return int(r.size - int64(r.lastSeq)*PackageSize)
	}
	return PackageSize
}

// next reads package r.seq, verifies it is the package plaintextSize says
// belongs there, decrypts it into dst (nil: in place) and returns the part
// of its plaintext inside the range.
func (r *rangeReader) next(dst []byte) ([]byte, error) {
	pkg := r.buf[:r.packageLength()+PackageOverhead]
	if _, err := io.ReadFull(r.src, pkg); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: range ends inside package %d", ErrAuthentication, r.seq)
		}
		return nil, err
	}
	plaintext, h, err := r.o.open(dst, pkg, r.seq)
	if err != nil {
		return nil, err
	}
	isLast := r.seq == r.lastSeq
	if h.final() != isLast {
		return nil, fmt.Errorf("%w: package %d has the wrong final flag", ErrAuthentication, r.seq)
	}
	if isLast {
		if err := expectEOF(r.src); err != nil {
			return nil, err
		}
	}
	r.seq++
	plaintext = plaintext[r.skip:]
	r.skip = 0
	if int64(len(plaintext)) > r.remaining {
		plaintext = plaintext[:r.remaining]
	}
	r.remaining -= int64(len(plaintext))
	return plaintext, nil
}
