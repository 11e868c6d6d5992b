package sse

import (
	"context"
	"errors"
	"fmt"

	"github.com/cofferlabs/coffer"
)

// checkpointEvery is how many records Rewrap handles between checkpoints.
const checkpointEvery = 100

// Rewrap re-seals the data key of every SSE-S3 object and every pending
// multipart upload under the current master key version, without touching
// data, so an old master version stops guarding anything live. Records
// already on the current version are skipped, so a rerun is cheap; a run
// that stops (cancelled, crashed) resumes after the last checkpoint, which
// is kept in the key store. A record replaced, deleted, completed or
// aborted meanwhile is skipped: what replaced it was sealed under the
// current key (CompleteMultipartUpload re-seals a stale upload key itself).
//
// progress, if set, is called first with (0, total), where total is the
// number of records this run will visit as counted by a records-only
// pre-walk, then after each record visited; done reaches total when the
// walk ends (see rewrapMeter for writes that land during the run).
func (s *Service) Rewrap(ctx context.Context, progress func(done, total int)) error {
	target := s.keys.CurrentVersion()
	from, err := s.loadCheckpoint(ctx, target)
	if err != nil {
		return err
	}
	total, err := s.countRecords(ctx, from)
	if err != nil {
		return fmt.Errorf("sse: rewrap: counting records: %w", err)
	}
	run := &rewrapRun{s: s, target: target, meter: rewrapMeter{total: total, report: progress}}
	run.meter.start()
	err = s.walkRecords(ctx, from,
		func(rec coffer.ObjectRecord) error {
			return run.visit(ctx, objectPosition(rec), func() error { return s.rewrapObject(ctx, rec) })
		},
		func(up coffer.UploadRecord) error {
			return run.visit(ctx, uploadPosition(up), func() error { return s.rewrapUpload(ctx, up) })
		})
	if err != nil {
		return run.stopped(ctx, err)
	}
	run.meter.finish()
	// The walk is over, failures or not: the next run starts from the
	// beginning and so retries every key that could not be re-sealed.
	if err := s.keys.store.DeleteKey(ctx, checkpointName); err != nil && !errors.Is(err, coffer.ErrKeyNotFound) {
		return fmt.Errorf("sse: removing rewrap checkpoint: %w", err)
	}
	if run.failed > 0 {
		return fmt.Errorf("sse: rewrap: %d records could not be re-sealed, first: %w", run.failed, run.firstFail)
	}
	return nil
}

// rewrapRun is the state of one Rewrap call.
type rewrapRun struct {
	s         *Service
	target    uint32         // the master version records are re-sealed to
	last      rewrapPosition // the last record visited; zero before the first
	sinceSave int
	meter     rewrapMeter
	failed    int
	firstFail error
}

// visit re-seals one record with rewrap, then checkpoints and reports
// progress.
func (r *rewrapRun) visit(ctx context.Context, at rewrapPosition, rewrap func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := rewrap(); err != nil {
		if !errors.Is(err, coffer.ErrSealedKeyInvalid) {
			return err
		}
		// One unreadable key must not block the others.
		r.failed++
		if r.firstFail == nil {
			r.firstFail = err
		}
	}
	r.last = at
	if r.sinceSave++; r.sinceSave == checkpointEvery {
		r.sinceSave = 0
		if err := r.s.saveCheckpoint(ctx, r.target, r.last); err != nil {
			return err
		}
	}
	r.meter.visit()
	return nil
}

// stopped keeps the progress of a run that could not finish, even though
// ctx may be cancelled, and says why it stopped.
func (r *rewrapRun) stopped(ctx context.Context, cause error) error {
	if r.last.Phase != 0 {
		if err := r.s.saveCheckpoint(context.WithoutCancel(ctx), r.target, r.last); err != nil {
			return errors.Join(cause, err)
		}
	}
	return fmt.Errorf("sse: rewrap stopped after %d records: %w", r.meter.done, cause)
}

// rewrapObject re-seals one object's key if it is on an older version.
func (s *Service) rewrapObject(ctx context.Context, rec coffer.ObjectRecord) error {
	if rec.Encryption.Type != coffer.SSES3 || s.masterSealer.isCurrent(rec.SealedKey) {
		return nil
	}
	sealed, err := s.resealIfStale(ctx, bindingOf(rec), rec.SealedKey)
	if err != nil {
		return err
	}
	rec.SealedKey = sealed
	err = s.store.UpdateObject(ctx, rec)
	if errors.Is(err, coffer.ErrConcurrentUpdate) || isNoSuchKey(err) || errors.Is(err, coffer.ErrNoSuchBucket) {
		return nil
	}
	return err
}

// rewrapUpload re-seals one pending upload's key if it is on an older
// version; its parts' data and nonces are untouched, since stream keys
// derive from the data key, which does not change.
func (s *Service) rewrapUpload(ctx context.Context, up coffer.UploadRecord) error {
	if up.Encryption.Type != coffer.SSES3 || s.masterSealer.isCurrent(up.SealedKey) {
		return nil
	}
	sealed, err := s.resealIfStale(ctx, uploadBinding(up), up.SealedKey)
	if err != nil {
		return err
	}
	up.SealedKey = sealed
	err = s.store.UpdateUpload(ctx, up)
	if errors.Is(err, coffer.ErrNoSuchUpload) || errors.Is(err, coffer.ErrNoSuchBucket) {
		return nil
	}
	return err
}

// loadCheckpoint returns where to resume: after the checkpoint's record
// when it was written for the same target version, else from the start.
func (s *Service) loadCheckpoint(ctx context.Context, target uint32) (rewrapPosition, error) {
	b, err := s.keys.store.GetKey(ctx, checkpointName)
	if errors.Is(err, coffer.ErrKeyNotFound) {
		return rewrapPosition{}, nil
	}
	if err != nil {
		return rewrapPosition{}, fmt.Errorf("sse: reading rewrap checkpoint: %w", err)
	}
	version, last, err := decodeCheckpoint(b)
	if err != nil || version != target {
		// A checkpoint of another run (or an unreadable one) only costs a
		// full walk, which skips records already current.
		return rewrapPosition{}, nil
	}
	return last, nil
}

func (s *Service) saveCheckpoint(ctx context.Context, target uint32, last rewrapPosition) error {
	if err := s.keys.store.PutKey(ctx, checkpointName, encodeCheckpoint(target, last)); err != nil {
		return fmt.Errorf("sse: saving rewrap checkpoint: %w", err)
	}
	return nil
}
