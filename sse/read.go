package sse

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/dare"
)

// streamSlice is the part of one stored dare stream that a read needs.
type streamSlice struct {
	index      int    // stream number for Store.OpenObjectData
	part       int    // part number bound into the stream key (0: single-part)
	nonce      []byte // the part's nonce bound into the stream key
	plainSize  int64  // plaintext bytes of the whole stream
	storedSize int64  // stored bytes of the whole stream, as the store recorded them
	offset     int64  // first plaintext byte wanted, within the stream
	length     int64  // plaintext bytes wanted
}

func (s streamSlice) whole() bool { return s.offset == 0 && s.length == s.plainSize }

// streamOf describes stream i of rec in full.
func streamOf(rec coffer.ObjectRecord, i int) streamSlice {
	if len(rec.Parts) == 0 {
		return streamSlice{plainSize: rec.Size, storedSize: rec.StoredSize, length: rec.Size}
	}
	p := rec.Parts[i]
	return streamSlice{index: i, part: p.Number, nonce: p.Nonce, plainSize: p.Size, storedSize: p.StoredSize, length: p.Size}
}

// slicesOf lists the streams of rec that hold plaintext [off, off+n), in
// order. An empty read of an empty object still names every stream, so
// their (empty) ciphertext is authenticated.
func slicesOf(rec coffer.ObjectRecord, off, n int64) []streamSlice {
	streams := max(len(rec.Parts), 1)
	var out []streamSlice
	start := int64(0)
	for i := 0; i < streams; i++ {
		st := streamOf(rec, i)
		end := start + st.plainSize
		switch {
		case n == 0:
			out = append(out, st)
		case end > off && start < off+n:
			st.offset = max(off, start) - start
			st.length = min(off+n, end) - start - st.offset
			out = append(out, st)
		}
		start = end
	}
	return out
}

// objectReader decrypts the slices of an object one stream at a time, so
// memory stays constant whatever the object's size.
type objectReader struct {
	ctx     context.Context
	store   coffer.Store
	rec     coffer.ObjectRecord
	dataKey []byte
	slices  []streamSlice

	next    int
	cur     io.Reader
	curBody io.Closer
	curLeft int64
	err     error
}

var errReaderClosed = errors.New("sse: read after close")

func newObjectReader(ctx context.Context, store coffer.Store, rec coffer.ObjectRecord, dataKey []byte, slices []streamSlice) *objectReader {
	return &objectReader{ctx: ctx, store: store, rec: rec, dataKey: dataKey, slices: slices}
}

func (r *objectReader) Read(p []byte) (int, error) {
	for {
		if r.err != nil {
			return 0, r.err
		}
		if r.cur == nil {
			if r.next == len(r.slices) {
				r.err = io.EOF
				continue
			}
			if err := r.openNext(); err != nil {
				r.err = err
				continue
			}
		}
		n, err := r.cur.Read(p)
		r.curLeft -= int64(n)
		switch {
		case r.curLeft < 0:
			r.err = r.corrupt(errors.New("stream longer than its record says"))
			return 0, r.err
		case err == io.EOF && r.curLeft != 0:
			r.err = r.corrupt(errors.New("stream shorter than its record says"))
		case err == io.EOF:
			r.closeCurrent()
		case err != nil:
			r.err = r.readError(err)
		}
		if n > 0 {
			return n, nil
		}
	}
}

// openNext opens the next slice's stored bytes and its decryption.
func (r *objectReader) openNext() error {
	sl := r.slices[r.next]
	r.next++
	if sl.storedSize != dare.EncryptedSize(sl.plainSize) {
		return r.corrupt(fmt.Errorf("stream %d holds %d stored bytes for %d plaintext bytes", sl.index, sl.storedSize, sl.plainSize))
	}
	start, n := int64(0), sl.storedSize
	if !sl.whole() {
		start, n = dare.CiphertextRange(sl.plainSize, sl.offset, sl.length)
	}
	body, err := r.store.OpenObjectData(r.ctx, r.rec, sl.index, start, n)
	if err != nil {
		return err
	}
	key := streamKey(r.dataKey, sl.part, sl.nonce)
	defer clear(key)
	var plain io.Reader
	if sl.whole() {
		plain, err = dare.NewReader(body, key)
	} else {
		plain, err = dare.NewRangeReader(body, key, sl.plainSize, sl.offset, sl.length)
	}
	if err != nil {
		body.Close()
		return r.readError(err)
	}
	r.cur, r.curBody, r.curLeft = plain, body, sl.length
	return nil
}

func (r *objectReader) closeCurrent() {
	if r.curBody != nil {
		r.curBody.Close()
	}
	r.cur, r.curBody = nil, nil
}

func (r *objectReader) Close() error {
	r.closeCurrent()
	clear(r.dataKey)
	if r.err == nil || r.err == io.EOF {
		r.err = errReaderClosed
	}
	return nil
}

func (r *objectReader) corrupt(cause error) error {
	return fmt.Errorf("sse: %s/%s: %v: %w", r.rec.Bucket, r.rec.Key, cause, coffer.ErrCorruptData)
}

// readError turns dare's authentication failures into ErrCorruptData and
// passes other errors (cancellation, storage) through.
func (r *objectReader) readError(err error) error {
	if errors.Is(err, dare.ErrAuthentication) {
		return r.corrupt(err)
	}
	return err
}
