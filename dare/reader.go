package dare

import (
	"fmt"
	"io"
)

// reader decrypts a whole stream, one verified package at a time.
type reader struct {
	src   io.Reader
	o     opener
	seq   uint64         // sequence number of the next package
	pb    *packageBuffer // nil once the stream ended
	buf   []byte         // pb[:]: one stored package
	plain []byte         // verified plaintext not yet returned (in buf)
	done  bool           // the final package has been verified
	err   error          // sticky
}

// NewReader returns a reader of the plaintext of the stream in src,
// encrypted under key (32 bytes). Any modification, truncation, extension,
// reordering or splicing of the stream, or a wrong key, makes Read fail with
// ErrAuthentication; the plaintext of a package is released only after its
// tag verified. Errors from src are returned as they are.
func NewReader(src io.Reader, key []byte) (io.Reader, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	pb := getPackageBuffer()
	return &reader{src: src, o: opener{aead: aead}, pb: pb, buf: pb[:]}, nil
}

// Read returns verified plaintext. When p can take a whole package it is
// decrypted straight into p.
func (r *reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(r.plain) == 0 {
		if err := r.finished(); err != nil {
			return 0, err
		}
		if len(p) >= PackageSize {
			plaintext, err := r.next(p)
			if err != nil {
				r.err = err
				return 0, err
			}
			if len(plaintext) > 0 {
				return len(plaintext), nil
			}
			continue // an empty final package: report EOF now
		}
		r.plain, r.err = r.next(nil)
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

// WriteTo decrypts package after package in place and hands each to w.
func (r *reader) WriteTo(w io.Writer) (int64, error) {
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

// finished reports io.EOF after the final package, the sticky error after
// a failure, nil while packages remain. Once the stream is over it returns
// the buffer, which no pending plaintext points into any more.
func (r *reader) finished() error {
	if r.err == nil && !r.done {
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

// next reads, verifies and decrypts the next package into dst (nil: in
// place). A package is final if its header says so; a final package must be
// followed by the end of src, and src must not end before one.
func (r *reader) next(dst []byte) ([]byte, error) {
	n, err := io.ReadFull(r.src, r.buf)
	atEOF := err == io.ErrUnexpectedEOF
	switch {
	case err == io.EOF:
		return nil, fmt.Errorf("%w: stream ends before its final package", ErrAuthentication)
	case err != nil && !atEOF:
		return nil, err
	}
	plaintext, h, err := r.o.open(dst, r.buf[:n], r.seq)
	if err != nil {
		return nil, err
	}
	r.seq++
	if !h.final() {
		return plaintext, nil
	}
	if !atEOF {
		if err := expectEOF(r.src); err != nil {
			return nil, err
		}
	}
	r.done = true
	return plaintext, nil
}

// expectEOF checks that nothing follows the final package.
func expectEOF(src io.Reader) error {
	var probe [1]byte
	for {
		n, err := src.Read(probe[:])
		switch {
		case n > 0:
			return fmt.Errorf("%w: data after the final package", ErrAuthentication)
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
}
