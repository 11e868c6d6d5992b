package fs

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cofferlabs/coffer"
	bolt "go.etcd.io/bbolt"
)

// newDataID names a new version of data: 128 random bits in hex.
func newDataID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validDataID reports whether id can name a file (it came from newDataID).
func validDataID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (s *Store) dataPath(id string) string {
	return filepath.Join(s.dir, objectsDir, id[:2], id)
}

func (s *Store) tmpPath(id string) string {
	return filepath.Join(s.dir, tmpDir, id)
}

func (s *Store) syncDir(dir string) error {
	if s.noSync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fs: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fs: sync %s: %w", dir, err)
	}
	return nil
}

// dropData removes a data ID from meta.db inside tx: the inline value goes
// with the transaction, a file is named in gone for removal once the
// transaction has committed.
func dropData(tx *bolt.Tx, id string, gone *[]string) error {
	inline := tx.Bucket(bucketInline)
	if inline.Get([]byte(id)) != nil {
		return inline.Delete([]byte(id))
	}
	files := tx.Bucket(bucketFiles)
	if files.Get([]byte(id)) != nil {
		*gone = append(*gone, id)
		return files.Delete([]byte(id))
	}
	return nil
}

func dropObjectData(tx *bolt.Tx, rec coffer.ObjectRecord, gone *[]string) error {
	if len(rec.Parts) == 0 {
		return dropData(tx, rec.DataID, gone)
	}
	for _, p := range rec.Parts {
		if err := dropData(tx, p.DataID, gone); err != nil {
			return err
		}
	}
	return nil
}

// removeFiles deletes data files whose records are gone. A failure only
// leaves an orphan for the next sweep.
func (s *Store) removeFiles(ids []string) {
	for _, id := range ids {
		os.Remove(s.dataPath(id))
	}
}

// openData reads length bytes from offset of the data named id.
func (s *Store) openData(id string, offset, length int64) (io.ReadCloser, error) {
	var inline []byte
	err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketInline).Get([]byte(id)); v != nil {
			if len(v) == 0 || v[0] != recordVersion {
				return fmt.Errorf("fs: inline data %s of unknown version", id)
			}
			if int64(len(v)-1) < offset+length {
				return fmt.Errorf("fs: inline data %s holds %d bytes, need %d", id, len(v)-1, offset+length)
			}
			inline = bytes.Clone(v[1+offset : 1+offset+length])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if inline != nil {
		return io.NopCloser(bytes.NewReader(inline)), nil
	}
	if !validDataID(id) {
		return nil, fmt.Errorf("%w: unknown data %q", coffer.ErrConcurrentUpdate, id)
	}
	f, err := os.Open(s.dataPath(id))
	if os.IsNotExist(err) {
		return nil, coffer.ErrConcurrentUpdate
	}
	if err != nil {
		return nil, fmt.Errorf("fs: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("fs: %w", err)
	}
	if st.Size() < offset+length {
		f.Close()
		return nil, fmt.Errorf("fs: data file %s holds %d bytes, need %d", id, st.Size(), offset+length)
	}
	readAhead(f, offset, length)
	return &fileSection{SectionReader: io.NewSectionReader(f, offset, length), f: f}, nil
}

type fileSection struct {
	*io.SectionReader
	f *os.File
}

func (r *fileSection) Close() error { return r.f.Close() }
