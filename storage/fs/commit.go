package fs

import (
	"slices"

	bolt "go.etcd.io/bbolt"
)

// maxBatch bounds the requests one transaction carries.
const maxBatch = 512

// committer is the group commit: one goroutine runs every write
// transaction, taking all requests that queued while the previous one was
// committing. Concurrent writers thus share one meta.db fsync, and a lone
// writer never waits for a timer (bbolt's db.Batch waits MaxBatchDelay
// before committing even when nobody else is coming). Data files the
// batch's records will name are placed first, sharing one directory
// fsync (see placement).
type committer struct {
	db    *bolt.DB
	place func([]*placement) []error
	reqs  chan *commitReq
	ended chan struct{}
}

type commitReq struct {
	fn   func(*bolt.Tx) error
	file *placement // the data file fn names; nil if none
	done chan error
}

func newCommitter(db *bolt.DB, place func([]*placement) []error) *committer {
	c := &committer{db: db, place: place, reqs: make(chan *commitReq, maxBatch), ended: make(chan struct{})}
	go c.loop()
	return c
}

// update places file (if not nil), then runs fn in a transaction shared
// with other requests, and returns the placement's error, fn's or the
// commit's. The caller must not call stop concurrently.
func (c *committer) update(file *placement, fn func(*bolt.Tx) error) error {
	req := &commitReq{fn: fn, file: file, done: make(chan error, 1)}
	c.reqs <- req
	return <-req.done
}

func (c *committer) stop() {
	close(c.reqs)
	<-c.ended
}

func (c *committer) loop() {
	defer close(c.ended)
	for req := range c.reqs {
		batch := []*commitReq{req}
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-c.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		c.run(batch)
	}
}

// run commits batch in one transaction. A request whose fn fails gets its
// error and the transaction is rolled back and retried without it, so one
// refused write never undoes the others. fns therefore may run more than
// once.
func (c *committer) run(batch []*commitReq) {
	batch = c.placeFiles(slices.Clone(batch))
	for len(batch) > 0 {
		failed := -1
		var failure error
		err := c.db.Update(func(tx *bolt.Tx) error {
			for i, r := range batch {
				if err := r.fn(tx); err != nil {
					failed, failure = i, err
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			batch[failed].done <- failure
			batch = slices.Delete(batch, failed, failed+1)
			continue
		}
		for _, r := range batch {
			r.done <- err
		}
		return
	}
}

// placeFiles places the data files of batch, so that they are durable in
// objects/ before any transaction names them, and returns the requests
// whose file (if any) was placed; the others get their error.
func (c *committer) placeFiles(batch []*commitReq) []*commitReq {
	var files []*placement
	for _, r := range batch {
		if r.file != nil {
			files = append(files, r.file)
		}
	}
	if len(files) == 0 {
		return batch
	}
	errs := c.place(files)
	kept := batch[:0]
	i := 0
	for _, r := range batch {
		if r.file == nil {
			kept = append(kept, r)
			continue
		}
		if err := errs[i]; err != nil {
			r.done <- err
		} else {
			kept = append(kept, r)
		}
		i++
	}
	return kept
}
