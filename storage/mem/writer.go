package mem

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/cofferlabs/coffer"
)

var errWriterDone = errors.New("mem: writer already committed or aborted")

// writer buffers data until Commit installs it with its record.
type writer struct {
	store    *Store
	bucket   string
	key      string
	uploadID string // set for part writers
	part     int
	buf      bytes.Buffer
	done     bool
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errWriterDone
	}
	return w.buf.Write(p)
}

func (w *writer) Abort() error {
	w.done = true
	w.buf = bytes.Buffer{}
	return nil
}

// Commit ends the writer whatever its outcome: on failure the data is gone.
func (w *writer) Commit(ctx context.Context, rec coffer.CommitRecord) error {
	if w.done {
		return errWriterDone
	}
	defer w.Abort()
	if err := ctx.Err(); err != nil {
		return err
	}
	if w.uploadID != "" {
		if rec.Part == nil {
			return fmt.Errorf("mem: part writer committed without a part record")
		}
		return w.store.commitPart(w, rec.Part)
	}
	if rec.Object == nil {
		return fmt.Errorf("mem: object writer committed without an object record")
	}
	return w.store.commitObject(w, rec.Object, rec.Check)
}

func (s *Store) commitObject(w *writer, rec *coffer.ObjectRecord, check func(*coffer.ObjectRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(w.bucket)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(b.current(w.key)); err != nil {
			return preconditionFailed(err)
		}
	}
	rec.Bucket, rec.Key = w.bucket, w.key
	rec.DataID = newDataID()
	rec.StoredSize = int64(w.buf.Len())
	rec.UploadID, rec.Parts = "", nil
	s.data[rec.DataID] = bytes.Clone(w.buf.Bytes())
	s.install(b, cloneObject(*rec))
	return nil
}

// preconditionFailed makes err match coffer.ErrPreconditionFailed while
// keeping whatever the check said.
func preconditionFailed(err error) error {
	if errors.Is(err, coffer.ErrPreconditionFailed) {
		return err
	}
	return fmt.Errorf("%w: %w", coffer.ErrPreconditionFailed, err)
}
