package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/google/uuid"
)

// ErrClosed is returned by Sync on a closed Log.
var ErrClosed = errors.New("audit: the log is closed")

// Log is an open audit trail: the coffer.Auditor of a running server.
// Record queues events; one goroutine seals and appends them in batches.
type Log struct {
	dir  string
	keys keys
	opts Options
	lock *os.File
	w    *writer // the writer goroutine's alone once Open returns

	queue   chan []byte     // encoded records waiting for seq and chain
	syncReq chan chan error // Sync's requests to the writer
	closing chan struct{}
	done    chan struct{}

	gate   sync.RWMutex // held shared while enqueueing, exclusively by Close
	closed bool

	closeOnce sync.Once
	closeErr  error

	written atomic.Uint64
	dropped atomic.Uint64
	failing atomic.Bool
	errMu   sync.Mutex
	lastErr error
	errTime time.Time
}

var _ coffer.Auditor = (*Log)(nil)

// Stats describe a Log's health. Dropped should stay 0: it counts events
// given up because the queue stayed full (the disk failing or stalled) or
// the Log was closed.
type Stats struct {
	Written       uint64 // records synced to disk
	Dropped       uint64
	Queued        int  // events waiting for the writer
	Failing       bool // the last write attempt failed
	LastError     error
	LastErrorTime time.Time
}

// Open opens (or creates) the trail in dir, whose records are chained
// under key (32 bytes, which the caller derives from the root key). It
// checks the end of the trail and refuses a damaged one (a *Damage error);
// a torn tail that a crash left past the head is discarded and the
// recovery recorded as an AuditLogRecovered event.
func Open(dir string, key []byte, opts Options) (*Log, error) {
	k, err := deriveKeys(key)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	l, err := open(dir, k, opts, lock)
	if err != nil {
		lock.Close()
		return nil, err
	}
	go l.run()
	return l, nil
}

func open(dir string, k keys, opts Options, lock *os.File) (*Log, error) {
	removeHeadTemps(dir)
	st, err := resumeTrail(dir, k)
	if err != nil {
		return nil, fmt.Errorf("%w (run coffer audit verify; to start a new trail, move %s aside)", err, dir)
	}
	w, err := newWriter(dir, k, opts, st)
	if err != nil {
		return nil, err
	}
	l := &Log{dir: dir, keys: k, opts: opts, lock: lock, w: w,
		queue:   make(chan []byte, opts.QueueSize),
		syncReq: make(chan chan error),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	if st.recovered != nil {
		opts.Logger.Warn("audit: discarded a torn tail left by a crash", "segment", st.recovered.segment.name,
			"offset", st.recovered.offset, "bytes", st.recovered.bytes)
		w.seal(l.encode(context.Background(), recoveryEvent(st.recovered, opts.Now())))
		n, err := w.flush()
		if err != nil {
			w.close()
			return nil, err
		}
		l.written.Add(uint64(n))
	}
	return l, nil
}

// Record queues e. It never fails the caller: when the queue is full it
// waits up to Options.FullQueueWait, then gives the event up, counting and
// logging it. Principal and request facts missing from e are taken from ctx.
func (l *Log) Record(ctx context.Context, e coffer.AuditEvent) {
	partial := l.encode(ctx, e)
	l.gate.RLock()
	defer l.gate.RUnlock()
	if l.closed {
		l.drop(e, "the audit log is closed")
		return
	}
	select {
	case l.queue <- partial:
		return
	default:
	}
	timer := time.NewTimer(l.opts.FullQueueWait)
	defer timer.Stop()
	select {
	case l.queue <- partial:
	case <-timer.C:
		l.drop(e, "the audit queue stayed full")
	}
}

// encode renders e as a record without seq, in the caller's goroutine so
// that JSON encoding runs in parallel and the writer only seals.
func (l *Log) encode(ctx context.Context, e coffer.AuditEvent) []byte {
	if e.Principal == (coffer.Principal{}) {
		if p, ok := coffer.PrincipalFrom(ctx); ok {
			e.Principal = p
		}
	}
	if e.Request == (coffer.RequestInfo{}) {
		e.Request = coffer.RequestInfoFrom(ctx)
	}
	env := recordEnv{region: l.opts.Region, accountID: l.opts.AccountID, eventID: uuid.NewString(), now: l.opts.Now()}
	return encodeRecord(newRecord(e, env))
}

func (l *Log) drop(e coffer.AuditEvent, why string) {
	l.dropped.Add(1)
	l.opts.Logger.Error("audit: event dropped", "reason", why, "eventSource", e.EventSource, "eventName", e.EventName)
}

// Sync returns once every event recorded before the call is on disk (or
// writing it failed).
func (l *Log) Sync(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case l.syncReq <- reply:
	case <-l.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes every queued event, updates the head and releases the
// trail. Events recorded after Close are dropped (and counted).
func (l *Log) Close() error {
	l.closeOnce.Do(func() {
		l.gate.Lock()
		l.closed = true
		l.gate.Unlock()
		close(l.closing)
		<-l.done
		l.closeErr = errors.Join(l.closeErr, l.w.close(), l.lock.Close())
	})
	return l.closeErr
}

// Stats returns the Log's counters and last error.
func (l *Log) Stats() Stats {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	return Stats{Written: l.written.Load(), Dropped: l.dropped.Load(), Queued: len(l.queue),
		Failing: l.failing.Load(), LastError: l.lastErr, LastErrorTime: l.errTime}
}

// Dir is the directory the trail lives in.
func (l *Log) Dir() string { return l.dir }

// run is the writer goroutine: group commit every FlushInterval, or as
// soon as FlushRecords events wait.
func (l *Log) run() {
	defer close(l.done)
	ticker := time.NewTicker(l.opts.FlushInterval)
	defer ticker.Stop()
	for {
		queue := l.queue
		if l.w.pendingCount() >= l.opts.QueueSize {
			// Writes are failing: stop taking events so that Record's
			// wait, not memory, absorbs the backlog.
			queue = nil
		}
		select {
		case partial := <-queue:
			l.w.seal(partial)
			if l.w.pendingCount() >= l.opts.FlushRecords {
				// Take whatever else waits into the same batch: under load
				// one sync then covers everything that queued during the last.
				l.drain()
				l.flush()
			}
		case <-ticker.C:
			l.flush()
		case reply := <-l.syncReq:
			l.drain()
			reply <- l.flush()
		case <-l.closing:
			l.drain()
			if err := l.flush(); err != nil {
				lost := l.w.discard()
				l.dropped.Add(uint64(lost))
				l.closeErr = fmt.Errorf("audit: %d events lost at close: %w", lost, err)
			}
			return
		}
	}
}

// drain seals what the queue holds now.
func (l *Log) drain() {
	for range cap(l.queue) {
		select {
		case partial := <-l.queue:
			l.w.seal(partial)
		default:
			return
		}
	}
}

func (l *Log) flush() error {
	n, err := l.w.flush()
	l.written.Add(uint64(n))
	if err != nil {
		l.errMu.Lock()
		l.lastErr, l.errTime = err, time.Now()
		l.errMu.Unlock()
		if !l.failing.Swap(true) {
			l.opts.Logger.Error("audit: writing the trail failed; retrying", "err", err, "pending", l.w.pendingCount())
		}
		return err
	}
	if l.failing.Swap(false) {
		l.opts.Logger.Info("audit: writing the trail works again")
	}
	return nil
}
