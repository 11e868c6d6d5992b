package fs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cofferlabs/coffer"
	bolt "go.etcd.io/bbolt"
)

var errWriterDone = errors.New("fs: writer already committed or aborted")

// fileBuffer is the write buffer of a spilled writer; with the inline
// buffer it bounds a writer's memory whatever the object's size.
const fileBuffer = 256 << 10

// writer holds up to the inline threshold in memory; the first write that
// would pass it spills everything to a temp file, and later writes stream
// there.
type writer struct {
	s        *Store
	bucket   string
	key      string
	uploadID string // set for part writers
	part     int
	dataID   string

	buf  []byte // inline data, while not spilled
	file *os.File
	bw   *bufio.Writer
	size int64
	err  error // sticky write error
	done bool
}

func (s *Store) newWriter(bucket, key, uploadID string, part int) *writer {
	w := &writer{s: s, bucket: bucket, key: key, uploadID: uploadID, part: part, dataID: newDataID()}
	s.live.Store(w.dataID, true)
	return w
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errWriterDone
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.file == nil && int64(len(w.buf)+len(p)) <= int64(w.s.inlineMax) {
		w.buf = append(w.buf, p...)
		w.size += int64(len(p))
		return len(p), nil
	}
	if w.file == nil {
		if w.err = w.spill(); w.err != nil {
			return 0, w.err
		}
	}
	n, err := w.bw.Write(p)
	w.size += int64(n)
	if err != nil {
		w.err = fmt.Errorf("fs: write %s: %w", w.file.Name(), err)
	}
	return n, w.err
}

func (w *writer) spill() error {
	f, err := os.OpenFile(w.s.tmpPath(w.dataID), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("fs: %w", err)
	}
	w.file = f
	w.bw = bufio.NewWriterSize(f, fileBuffer)
	_, err = w.bw.Write(w.buf)
	w.buf = nil
	crashPoint("spilled")
	return err
}

// Abort drops the data. It is safe after Commit.
func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.finish()
	return nil
}

// finish ends the writer, removing whatever it wrote to disk.
func (w *writer) finish() {
	w.done = true
	w.buf = nil
	if w.file != nil {
		w.file.Close()
		os.Remove(w.file.Name())
		os.Remove(w.s.dataPath(w.dataID))
		w.file = nil
	}
	w.s.live.Delete(w.dataID)
}

// Commit makes the data durable and installs the record, filling in the
// caller's record (Bucket, Key, DataID, StoredSize; Number for parts) on
// success. It ends the writer whatever the outcome; on failure nothing of
// it remains. rec.Check runs inside the group-commit transaction and may
// run more than once, so it must only inspect the record it is given.
func (w *writer) Commit(ctx context.Context, rec coffer.CommitRecord) error {
	if w.done {
		return errWriterDone
	}
	if w.err != nil {
		w.finish()
		return w.err
	}
	if err := ctx.Err(); err != nil {
		w.finish()
		return err
	}
	if err := w.place(); err != nil {
		w.finish()
		return err
	}
	var gone []string
	var err error
	switch {
	case w.uploadID != "" && rec.Part != nil:
		part := *rec.Part
		err = w.s.update(func(tx *bolt.Tx) error { return w.commitPart(tx, &part, &gone) })
		if err == nil {
			*rec.Part = part
		}
	case w.uploadID == "" && rec.Object != nil:
		obj := *rec.Object
		err = w.s.update(func(tx *bolt.Tx) error { return w.commitObject(tx, &obj, rec.Check, &gone) })
		if err == nil {
			*rec.Object = obj
		}
	default:
		err = fmt.Errorf("fs: commit needs an object record for object writers and a part record for part writers")
	}
	if err != nil {
		w.finish()
		return err
	}
	crashPoint("committed")
	w.done = true
	w.file = nil
	w.s.live.Delete(w.dataID)
	w.s.removeFiles(gone)
	crashPoint("removed")
	return nil
}

// place makes a spilled writer's file durable under its final name:
// flush, fsync, rename out of tmp, fsync the shard directory. Only then
// may a record name it.
func (w *writer) place() error {
	if w.file == nil && w.s.inlineMax < 0 {
		if err := w.spill(); err != nil {
			return err
		}
	}
	if w.file == nil {
		return nil
	}
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("fs: write %s: %w", w.file.Name(), err)
	}
	if !w.s.noSync {
		if err := w.file.Sync(); err != nil {
			return fmt.Errorf("fs: sync %s: %w", w.file.Name(), err)
		}
	}
	crashPoint("synced")
	if err := w.file.Close(); err != nil {
		return fmt.Errorf("fs: %w", err)
	}
	if err := w.s.ensureShard(w.dataID); err != nil {
		return err
	}
	final := w.s.dataPath(w.dataID)
	if err := os.Rename(w.file.Name(), final); err != nil {
		return fmt.Errorf("fs: %w", err)
	}
	crashPoint("renamed")
	if err := w.s.syncDir(filepath.Dir(final)); err != nil {
		return err
	}
	crashPoint("placed")
	return nil
}

// storeData records this writer's data in tx: inline bytes, or the file's
// data ID in the files index.
func (w *writer) storeData(tx *bolt.Tx) error {
	if w.file != nil {
		return tx.Bucket(bucketFiles).Put([]byte(w.dataID), []byte{recordVersion})
	}
	v := make([]byte, 1+len(w.buf))
	v[0] = recordVersion
	copy(v[1:], w.buf)
	return tx.Bucket(bucketInline).Put([]byte(w.dataID), v)
}

func (w *writer) commitObject(tx *bolt.Tx, rec *coffer.ObjectRecord, check func(*coffer.ObjectRecord) error, gone *[]string) error {
	*gone = (*gone)[:0]
	objects := tx.Bucket(bucketObjects).Bucket([]byte(w.bucket))
	if objects == nil {
		return fmt.Errorf("%w: %s", coffer.ErrNoSuchBucket, w.bucket)
	}
	cur, err := getObject(objects, w.key)
	if err != nil && !errors.Is(err, coffer.ErrNoSuchKey) {
		return err
	}
	if check != nil {
		if err := check(cur); err != nil {
			return preconditionFailed(err)
		}
	}
	if cur != nil {
		if err := dropObjectData(tx, *cur, gone); err != nil {
			return err
		}
	}
	rec.Bucket, rec.Key = w.bucket, w.key
	rec.DataID, rec.StoredSize = w.dataID, w.size
	rec.UploadID, rec.Parts = "", nil
	if err := w.storeData(tx); err != nil {
		return err
	}
	return putRecord(objects, w.key, rec)
}

func (w *writer) commitPart(tx *bolt.Tx, rec *coffer.PartRecord, gone *[]string) error {
	*gone = (*gone)[:0]
	parts, err := uploadParts(tx, w.bucket, w.key, w.uploadID)
	if err != nil {
		return err
	}
	if old := parts.Get(partKey(w.part)); old != nil {
		var p coffer.PartRecord
		if err := decode(old, &p); err != nil {
			return err
		}
		if err := dropData(tx, p.DataID, gone); err != nil {
			return err
		}
	}
	rec.Number = w.part
	rec.DataID, rec.StoredSize = w.dataID, w.size
	if err := w.storeData(tx); err != nil {
		return err
	}
	v, err := encode(rec)
	if err != nil {
		return err
	}
	return parts.Put(partKey(w.part), v)
}

// preconditionFailed makes err match coffer.ErrPreconditionFailed while
// keeping whatever the check said.
func preconditionFailed(err error) error {
	if errors.Is(err, coffer.ErrPreconditionFailed) {
		return err
	}
	return fmt.Errorf("%w: %w", coffer.ErrPreconditionFailed, err)
}
