package fs

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/cofferlabs/coffer"
	bolt "go.etcd.io/bbolt"
)

var errWriterDone = errors.New("fs: writer already committed or aborted")

// writer holds up to the inline threshold in memory; the first write that
// would pass it spills everything to a temp file, and later writes stream
// there through the data file's fixed chunk.
type writer struct {
	s        *Store
	bucket   string
	key      string
	uploadID string // set for part writers
	part     int
	// id is random: it names inline data, and the temp file once spilled.
	// A file's final data ID is chosen when it is placed (see placement).
	id string

	buf    []byte    // inline data, while not spilled
	file   *dataFile // open while a spilled writer is writing
	tmp    string    // the temp file's path once spilled
	placed *placement
	size   int64
	err    error // sticky write error
	done   bool
}

func (s *Store) newWriter(bucket, key, uploadID string, part int) *writer {
	w := &writer{s: s, bucket: bucket, key: key, uploadID: uploadID, part: part, id: newDataID()}
	s.live.Store(w.id, true)
	return w
}

// dataID is the ID the commit records: the placed file's, or the inline
// data's.
func (w *writer) dataID() string {
	if w.placed != nil {
		return w.placed.id
	}
	return w.id
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errWriterDone
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.tmp == "" && int64(len(w.buf)+len(p)) <= int64(w.s.inlineMax) {
		w.buf = append(w.buf, p...)
		w.size += int64(len(p))
		return len(p), nil
	}
	if w.tmp == "" {
		if w.err = w.spill(); w.err != nil {
			return 0, w.err
		}
	}
	n, err := w.file.Write(p)
	w.size += int64(n)
	w.err = err
	return n, err
}

func (w *writer) spill() error {
	f, err := createDataFile(w.s.tmpPath(w.id), w.s.writeMode(), w.s.directRefused)
	if err != nil {
		return err
	}
	w.file, w.tmp = f, f.Name()
	_, err = f.Write(w.buf)
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
		w.file.close()
		w.file = nil
	}
	if w.tmp != "" {
		os.Remove(w.tmp)
	}
	if w.placed != nil && w.placed.id != "" {
		os.Remove(w.s.dataPath(w.placed.id))
	}
	w.forget()
}

// forget takes the writer's data IDs out of the live set.
func (w *writer) forget() {
	w.s.live.Delete(w.id)
	if w.placed != nil && w.placed.id != "" {
		w.s.live.Delete(w.placed.id)
	}
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
	if err := w.persist(); err != nil {
		w.finish()
		return err
	}
	var gone []string
	var err error
	switch {
	case w.uploadID != "" && rec.Part != nil:
		part := *rec.Part
		err = w.s.updatePlacing(w.placed, func(tx *bolt.Tx) error { return w.commitPart(tx, &part, &gone) })
		if err == nil {
			*rec.Part = part
		}
	case w.uploadID == "" && rec.Object != nil:
		obj := *rec.Object
		err = w.s.updatePlacing(w.placed, func(tx *bolt.Tx) error { return w.commitObject(tx, &obj, rec.Check, &gone) })
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
	w.forget()
	w.s.removeFiles(gone)
	crashPoint("removed")
	return nil
}

// persist makes a spilled writer's file durable in tmp: write what is
// buffered, fdatasync, close. The commit batch then places it (see
// placement) before its record can name it.
func (w *writer) persist() error {
	if w.tmp == "" && w.s.inlineMax < 0 {
		if err := w.spill(); err != nil {
			return err
		}
	}
	if w.tmp == "" {
		return nil
	}
	f := w.file
	w.file = nil
	if err := f.finish(); err != nil {
		f.close()
		return err
	}
	if !w.s.noSync {
		if err := syncData(f.f); err != nil {
			f.close()
			return fmt.Errorf("fs: sync %s: %w", f.Name(), err)
		}
	}
	crashPoint("synced")
	if err := f.close(); err != nil {
		return fmt.Errorf("fs: %w", err)
	}
	w.placed = &placement{tmp: w.tmp}
	return nil
}

// storeData records this writer's data in tx: inline bytes, or the file's
// data ID in the files index.
func (w *writer) storeData(tx *bolt.Tx) error {
	if w.placed != nil {
		return tx.Bucket(bucketFiles).Put([]byte(w.placed.id), []byte{recordVersion})
	}
	v := make([]byte, 1+len(w.buf))
	v[0] = recordVersion
	copy(v[1:], w.buf)
	return tx.Bucket(bucketInline).Put([]byte(w.id), v)
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
	rec.DataID, rec.StoredSize = w.dataID(), w.size
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
	rec.DataID, rec.StoredSize = w.dataID(), w.size
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
