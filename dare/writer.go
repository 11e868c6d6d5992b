package dare

import (
	"crypto/rand"
	"io"
)

// writer encrypts a stream into dst. It keeps one package buffer: the
// plaintext waiting in it is sealed in place once the writer knows whether
// more data follows (a full package is final only if nothing comes after).
type writer struct {
	dst      io.Writer
	s        sealer
	pb       *packageBuffer // nil once closed
	buf      []byte         // pb[:]: header | payload (PackageSize) | tag
	pending  int            // plaintext bytes waiting in buf[headerSize:]
	err      error          // sticky: first error from dst or the format
	closed   bool
	closeErr error
}

// NewWriter returns a writer that encrypts what is written to it into dst
// under key (32 bytes), with a fresh random stream nonce. Close writes the
// final package; it does not close dst. The stream is complete only after
// Close returned nil.
func NewWriter(dst io.Writer, key []byte) (io.WriteCloser, error) {
	var nonce [streamNonceSize]byte
	rand.Read(nonce[:]) // crypto/rand.Read never fails
	return newWriterWithNonce(dst, key, nonce)
}

// newWriterWithNonce is NewWriter with a chosen stream nonce. Only tests
// (the known-answer vectors) choose one.
func newWriterWithNonce(dst io.Writer, key []byte, nonce [streamNonceSize]byte) (*writer, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	pb := getPackageBuffer()
	return &writer{
		dst: dst,
		s:   sealer{aead: aead, streamNonce: nonce},
		pb:  pb,
		buf: pb[:],
	}, nil
}

// Write encrypts p. Whole packages are sealed straight from p; only the
// tail that may turn out to be the final package is copied.
func (w *writer) Write(p []byte) (int, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	written := 0
	for len(p) > 0 {
		if w.pending == PackageSize {
			if err := w.flush(notFinal); err != nil {
				return written, err
			}
		}
		if w.pending == 0 && len(p) > PackageSize {
			if err := w.emit(p[:PackageSize], notFinal); err != nil {
				return written, err
			}
			p = p[PackageSize:]
			written += PackageSize
			continue
		}
		n := copy(w.buf[headerSize+w.pending:headerSize+PackageSize], p)
		w.pending += n
		p = p[n:]
		written += n
	}
	return written, nil
}

// ReadFrom encrypts everything r yields, reading straight into the package
// buffer. It reads one byte beyond a full package (into the tag's room) to
// learn whether the package is final, and carries that byte over.
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	var total int64
	for {
		n, err := io.ReadFull(r, w.buf[headerSize+w.pending:headerSize+PackageSize+1])
		w.pending += n
		total += int64(n)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		carried := w.buf[headerSize+PackageSize]
		w.pending = PackageSize
		if err := w.flush(notFinal); err != nil {
			return total, err
		}
		w.buf[headerSize] = carried
		w.pending = 1
	}
}

// Close seals and writes the final package (possibly empty) and returns
// the wiped buffer to the pool. Calling Close again returns the first result.
func (w *writer) Close() error {
	if w.closed {
		return w.closeErr
	}
	w.closed = true
	if w.err == nil {
		w.flush(flagFinal)
	}
	putPackageBuffer(w.pb)
	w.pb, w.buf = nil, nil
	w.closeErr = w.err
	return w.closeErr
}

func (w *writer) usable() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errClosed
	}
	return nil
}

// flush seals the buffered plaintext in place and writes the package.
func (w *writer) flush(flags packageFlags) error {
	err := w.emit(w.buf[headerSize:headerSize+w.pending], flags)
	w.pending = 0
	return err
}

// emit seals plaintext into the package buffer and writes it to dst.
func (w *writer) emit(plaintext []byte, flags packageFlags) error {
	pkg, err := w.s.seal(w.buf, plaintext, flags)
	if err == nil {
		var n int
		n, err = w.dst.Write(pkg)
		if err == nil && n != len(pkg) {
			err = io.ErrShortWrite
		}
	}
	if err != nil {
		w.err = err
	}
	return err
}
