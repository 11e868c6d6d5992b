package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
)

// writer owns the end of the trail: it seals records (seq and chain) and
// appends them in batches. Only the Log's writer goroutine uses it (and
// Open, before that goroutine starts).
type writer struct {
	dir         string
	keys        keys
	segmentSize int64
	mac         hash.Hash
	fsync       func(*os.File) error

	next uint64 // seq of the next record sealed
	prev chain  // chain of the last record sealed

	file *os.File // current segment; nil until the first write
	size int64    // bytes of it that are synced records

	pending   []byte // sealed lines not yet synced
	ends      []int  // end of each pending line in pending
	headStale bool   // synced records the head does not name yet
}

func newWriter(dir string, k keys, opts Options, st trailState) (*writer, error) {
	w := &writer{dir: dir, keys: k, segmentSize: opts.SegmentSize, mac: hmac.New(sha256.New, k.record),
		fsync: opts.fsync, next: st.next, prev: st.prev, headStale: st.headSeq != st.next-1}
	if st.last != nil {
		f, err := os.OpenFile(st.last.path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		w.file, w.size = f, st.size
	}
	return w, nil
}

func (w *writer) seal(partial []byte) {
	w.pending, w.prev = sealRecord(w.pending, w.mac, w.prev, partial, w.next)
	w.ends = append(w.ends, len(w.pending))
	w.next++
}

func (w *writer) pendingCount() int { return len(w.ends) }

// flush appends and syncs every pending line, rotating segments as they
// fill, then points the head at the last record. It returns how many
// records became durable. On failure the unsynced lines stay pending,
// byte for byte, for the next attempt.
func (w *writer) flush() (int, error) {
	written := 0
	for len(w.ends) > 0 {
		if w.file == nil || w.size > 0 && w.size+int64(w.ends[0]) > w.segmentSize {
			if err := w.rotate(); err != nil {
				return written, err
			}
		}
		n := w.linesThatFit()
		if err := w.appendSynced(w.pending[:w.ends[n-1]]); err != nil {
			return written, err
		}
		w.dropFront(n)
		written += n
		w.headStale = true
	}
	if w.headStale {
		if err := writeHead(w.dir, w.keys.head, head{seq: w.next - 1, chain: w.prev}); err != nil {
			return written, fmt.Errorf("audit: head: %w", err)
		}
		w.headStale = false
	}
	return written, nil
}

// linesThatFit counts the leading pending lines the current segment takes
// (at least one: an empty segment takes any line).
func (w *writer) linesThatFit() int {
	n := 1
	for n < len(w.ends) && w.size+int64(w.ends[n]) <= w.segmentSize {
		n++
	}
	return n
}

// appendSynced writes b at the end of the synced records and syncs it.
// Writing at an explicit offset means a failed attempt's leftovers are
// overwritten by the retry, never built upon.
func (w *writer) appendSynced(b []byte) error {
	_, err := w.file.WriteAt(b, w.size)
	if err == nil {
		err = w.fsync(w.file)
	}
	if err != nil {
		// Best effort: a failed sync may have lost pages, so the retry
		// rewrites the whole batch from the last synced byte.
		w.file.Truncate(w.size)
		return fmt.Errorf("audit: append to %s: %w", filepath.Base(w.file.Name()), err)
	}
	w.size += int64(len(b))
	return nil
}

// rotate starts the segment for the first pending line.
func (w *writer) rotate() error {
	first := w.next - uint64(len(w.ends))
	path := filepath.Join(w.dir, segmentName(first))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		// A rotation that failed after creating the file: take it if empty.
		f, err = reuseEmpty(path)
	}
	if err != nil {
		return fmt.Errorf("audit: new segment: %w", err)
	}
	if err := syncDir(w.dir); err != nil {
		f.Close()
		return fmt.Errorf("audit: new segment: %w", err)
	}
	if w.file != nil {
		w.file.Close()
	}
	w.file, w.size = f, 0
	return nil
}

func reuseEmpty(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err != nil || info.Size() != 0 {
		f.Close()
		return nil, fmt.Errorf("%s exists and is not empty", filepath.Base(path))
	}
	return f, nil
}

func (w *writer) dropFront(n int) {
	cut := w.ends[n-1]
	w.pending = w.pending[:copy(w.pending, w.pending[cut:])]
	w.ends = w.ends[:copy(w.ends, w.ends[n:])]
	for i := range w.ends {
		w.ends[i] -= cut
	}
}

// discard gives up every pending line (Close after a failed final flush).
func (w *writer) discard() int {
	n := len(w.ends)
	w.pending, w.ends = w.pending[:0], w.ends[:0]
	return n
}

func (w *writer) close() error {
	if w.file == nil {
		return nil
	}
	return w.file.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
