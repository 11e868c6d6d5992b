package fs

import (
	"context"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// sweepState tracks the orphan sweep that Open starts.
type sweepState struct {
	cancel  context.CancelFunc
	done    chan struct{}
	removed int
	err     error
}

// Swept is closed when the orphan sweep started by Open has finished.
//
// A crash can leave temp files and data files that no record names (a
// writer that had placed its file but not committed, or a replaced
// object's data not yet removed). Open returns at once and removes them in
// the background: only files older than Open, not belonging to a writer
// of this process and not named in the files index are removed, so the
// sweep never races new writes.
func (s *Store) Swept() <-chan struct{} { return s.sweep.done }

// SweepResult reports how many orphaned files the sweep removed and the
// first error it met. Valid once Swept is closed.
func (s *Store) SweepResult() (removed int, err error) {
	<-s.sweep.done
	return s.sweep.removed, s.sweep.err
}

func (s *Store) startSweep(opened time.Time) {
	ctx, cancel := context.WithCancel(context.Background())
	s.sweep.cancel = cancel
	s.sweep.done = make(chan struct{})
	go func() {
		defer close(s.sweep.done)
		s.sweep.removed, s.sweep.err = s.sweepOrphans(ctx, opened)
	}()
}

func (s *Store) stopSweep() {
	s.sweep.cancel()
	<-s.sweep.done
}

func (s *Store) sweepOrphans(ctx context.Context, opened time.Time) (int, error) {
	removed := 0
	dirs := []string{filepath.Join(s.dir, tmpDir)}
	shards, err := filepath.Glob(filepath.Join(s.dir, objectsDir, "[0-9a-f][0-9a-f]"))
	if err != nil {
		return 0, err
	}
	dirs = append(dirs, shards...)
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return removed, err
		}
		for _, e := range entries {
			if ctx.Err() != nil {
				return removed, nil
			}
			orphan, err := s.isOrphan(dir, e, opened)
			if err != nil {
				return removed, err
			}
			if orphan && os.Remove(filepath.Join(dir, e.Name())) == nil {
				removed++
			}
		}
	}
	return removed, nil
}

// isOrphan decides one file. The live check comes before the index check:
// a writer registers its data ID before creating a file and unregisters it
// only after its record is committed, so a file whose writer is not live
// is either indexed by now or abandoned.
func (s *Store) isOrphan(dir string, e os.DirEntry, opened time.Time) (bool, error) {
	info, err := e.Info()
	if err != nil || !info.Mode().IsRegular() || !info.ModTime().Before(opened) {
		return false, nil
	}
	id := e.Name()
	if _, live := s.live.Load(id); live {
		return false, nil
	}
	if filepath.Base(dir) == tmpDir {
		return true, nil
	}
	indexed := false
	err = s.view(func(tx *bolt.Tx) error {
		indexed = tx.Bucket(bucketFiles).Get([]byte(id)) != nil
		return nil
	})
	return !indexed, err
}
