package fs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cofferlabs/coffer"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var (
	_ coffer.Store    = (*Store)(nil)
	_ coffer.KeyStore = (*Store)(nil)
)

// DefaultInlineThreshold is the largest stored size kept inside meta.db.
//
// Below it, a write costs one share of a group-committed bbolt transaction
// instead of a file creation, a file fdatasync and a share of a directory
// fsync; that is what lets small PUTs exceed the disk's fsync rate. Above it, inline
// values would bloat meta.db (bbolt never shrinks its file and rewrites a
// value's pages on every transaction that touches it) while the file
// path's fixed cost is small next to the transfer. 128 KiB holds two dare
// packages, which covers typical small objects, and bounds a writer's
// buffer.
const DefaultInlineThreshold = 128 << 10

// ErrClosed is returned by operations on a closed Store.
var ErrClosed = errors.New("fs: store is closed")

// Options tune a Store. The zero value is right for production.
type Options struct {
	// InlineThreshold is the largest stored size kept in meta.db rather
	// than in a file. 0 means DefaultInlineThreshold; negative means every
	// object and part gets a file. A writer holds up to this many bytes in
	// memory (then at most two fixed 1 MiB chunks once it spills).
	InlineThreshold int
	// BufferedIO writes data files through the page cache even where the
	// file system takes direct I/O. By default, on Linux, they are written
	// with O_DIRECT wherever the file system takes it, which costs far
	// less CPU (see the package doc); other platforms always write through
	// the page cache.
	BufferedIO bool
	// NoSync skips every fsync, of files, directories and meta.db. UNSAFE:
	// a power loss or kernel crash can then lose or tear committed writes.
	// For tests and benchmarks only.
	NoSync bool
	// LockTimeout is how long Open waits for another process to release
	// the data directory; 0 means one second.
	LockTimeout time.Duration
}

// Store is the local-disk coffer.Store and coffer.KeyStore.
type Store struct {
	dir       string
	db        *bolt.DB
	inlineMax int
	noSync    bool
	commits   *committer

	// life guards shutdown: operations that send to the committer hold it
	// for reading, Close takes it for writing.
	life   sync.RWMutex
	closed bool

	// live holds the data IDs of writers in flight, so the orphan sweep
	// leaves their files alone.
	live sync.Map

	sweep sweepState

	// direct is whether data files are written with O_DIRECT: decided
	// once by Open, and turned off for good if the file system later
	// refuses a direct write.
	direct atomic.Bool

	shards [256]atomic.Bool // shard directories known to exist durably
}

// Open opens (creating if needed) the store in dir and starts the
// background sweep of orphaned data (see Swept).
func Open(dir string, opts Options) (*Store, error) {
	s := &Store{dir: dir, inlineMax: opts.InlineThreshold, noSync: opts.NoSync}
	if s.inlineMax == 0 {
		s.inlineMax = DefaultInlineThreshold
	}
	if err := s.makeDirs(); err != nil {
		return nil, err
	}
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = time.Second
	}
	db, err := bolt.Open(filepath.Join(dir, metaFile), 0o600, &bolt.Options{Timeout: timeout, NoSync: opts.NoSync})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("fs: data dir %s is in use by another process: %w", dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("fs: open %s: %w", dir, err)
	}
	s.db = db
	if err := db.Update(initSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("fs: %s: %w", dir, err)
	}
	// bbolt fsyncs meta.db but not the directory entry of a new file.
	if err := s.syncDir(dir); err != nil {
		db.Close()
		return nil, err
	}
	s.direct.Store(!opts.BufferedIO && s.takesDirectIO())
	s.commits = newCommitter(db, s.placeBatch)
	s.startSweep(time.Now())
	return s, nil
}

// makeDirs creates the data directory layout. Object shard directories
// are made on first use (ensureShard).
func (s *Store) makeDirs() error {
	for _, d := range []string{tmpDir, objectsDir} {
		if err := os.MkdirAll(filepath.Join(s.dir, d), 0o700); err != nil {
			return fmt.Errorf("fs: %w", err)
		}
	}
	return s.syncDir(s.dir)
}

// takesDirectIO finds out whether the file system under dir/tmp accepts
// direct writes, by writing one block with O_DIRECT to a probe file (which
// a crash may leave in tmp for the sweep). Only a refusal counts: any
// other error would hit buffered writes as well.
func (s *Store) takesDirectIO() bool {
	var refused atomic.Bool
	f, err := createDataFile(s.tmpPath(newDataID()), writeDirect, func() { refused.Store(true) })
	if err != nil {
		return directFlag != 0 && !refused.Load()
	}
	defer os.Remove(f.Name())
	defer f.close()
	if _, err := f.Write(make([]byte, blockSize)); err == nil {
		f.finish()
	}
	return f.mode == writeDirect && !refused.Load()
}

func (s *Store) writeMode() writeMode {
	if s.direct.Load() {
		return writeDirect
	}
	return writeBuffered
}

// directRefused records that the file system refused a direct write.
func (s *Store) directRefused() { s.direct.Store(false) }

// ensureShard makes sure the shard directory of a data ID exists durably
// before a file is renamed into it.
func (s *Store) ensureShard(id string) error {
	n, err := strconv.ParseUint(id[:2], 16, 8)
	if err != nil {
		return fmt.Errorf("fs: bad data ID %q", id)
	}
	if s.shards[n].Load() {
		return nil
	}
	if err := os.Mkdir(filepath.Join(s.dir, objectsDir, id[:2]), 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("fs: %w", err)
	}
	if err := s.syncDir(filepath.Join(s.dir, objectsDir)); err != nil {
		return err
	}
	s.shards[n].Store(true)
	return nil
}

// Close waits for commits in flight and the orphan sweep, then closes
// meta.db. Writers still open fail on Commit.
func (s *Store) Close() error {
	s.life.Lock()
	if s.closed {
		s.life.Unlock()
		return nil
	}
	s.closed = true
	s.life.Unlock()
	s.commits.stop()
	s.stopSweep()
	return s.db.Close()
}

// update runs fn in a group-committed transaction; fn may run more than
// once and must not have effects outside the transaction.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	return s.updatePlacing(nil, fn)
}

// updatePlacing is update for a write whose fn names a data file: the
// committer places file first (see placement). file may be nil.
func (s *Store) updatePlacing(file *placement, fn func(*bolt.Tx) error) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return s.commits.update(file, fn)
}

// view runs fn in a read transaction.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return s.db.View(fn)
}
