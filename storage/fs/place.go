package fs

import (
	"fmt"
	"os"
	"path/filepath"
)

// placement is a durable data file in tmp waiting for the commit batch
// whose transaction will name it.
//
// The committer places every file of a batch in one shard directory
// before the batch's transaction runs: it gives each file its final data
// ID (the batch's shard as the first two hex digits, then the 30 random
// digits of its temp name), renames it there, and fsyncs that one
// directory. Concurrent writers so share one directory fsync, where
// random shards would cost one each (on journaled ext4 every directory
// fsync forces a journal commit).
type placement struct {
	tmp string // the file's path under tmp/
	id  string // its data ID once renamed into objects/; "" before
}

// placeBatch places files as one shard and returns, per file, why it
// could not be placed, or nil. A file renamed but not made durable keeps
// its id, so its writer removes it.
func (s *Store) placeBatch(files []*placement) []error {
	errs := make([]error, len(files))
	fail := func(err error) []error {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		return errs
	}
	shard := newDataID()[:2]
	if err := s.ensureShard(shard); err != nil {
		return fail(err)
	}
	for i, p := range files {
		id := shard + filepath.Base(p.tmp)[2:]
		// Live before it exists, so the orphan sweep never takes it.
		s.live.Store(id, true)
		if err := os.Rename(p.tmp, s.dataPath(id)); err != nil {
			s.live.Delete(id)
			errs[i] = fmt.Errorf("fs: %w", err)
			continue
		}
		p.id = id
	}
	crashPoint("renamed")
	if err := s.syncDir(filepath.Join(s.dir, objectsDir, shard)); err != nil {
		return fail(err)
	}
	crashPoint("placed")
	return errs
}
