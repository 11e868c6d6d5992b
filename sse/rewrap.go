package sse

import (
	"context"
	"errors"
	"fmt"

	"github.com/cofferlabs/coffer"
)

// checkpointEvery is how many records Rewrap handles between checkpoints.
const checkpointEvery = 100

// Rewrap re-seals every SSE-S3 object's data key under the current master
// key version, without touching object data. Records already on the
// current version are skipped, so a rerun is cheap; a run that stops
// (cancelled, crashed) resumes after the last checkpoint, which is kept in
// the key store. An object replaced or deleted meanwhile is skipped: its
// new version is already sealed under the current key. progress, if set,
// is called after each record with the number of records seen in this
// run. In-progress multipart uploads keep their key until they complete,
// when CompleteMultipartUpload re-seals it.
func (s *Service) Rewrap(ctx context.Context, progress func(done int)) error {
	target := s.keys.CurrentVersion()
	after, err := s.loadCheckpoint(ctx, target)
	if err != nil {
		return err
	}
	var (
		last      coffer.ObjectID
		done      int
		sinceSave int
		failed    int
		firstFail error
	)
	err = s.store.WalkObjects(ctx, after, func(rec coffer.ObjectRecord) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.rewrapRecord(ctx, rec); err != nil {
			if !errors.Is(err, coffer.ErrSealedKeyInvalid) {
				return err
			}
			// One unreadable key must not block the others.
			failed++
			if firstFail == nil {
				firstFail = err
			}
		}
		last = coffer.ObjectID{Bucket: rec.Bucket, Key: rec.Key}
		done++
		if sinceSave++; sinceSave == checkpointEvery {
			sinceSave = 0
			if err := s.saveCheckpoint(ctx, target, last); err != nil {
				return err
			}
		}
		if progress != nil {
			progress(done)
		}
		return nil
	})
	if err != nil {
		if last != (coffer.ObjectID{}) {
			// Keep this run's progress even though ctx may be cancelled.
			if serr := s.saveCheckpoint(context.WithoutCancel(ctx), target, last); serr != nil {
				return errors.Join(err, serr)
			}
		}
		return fmt.Errorf("sse: rewrap stopped after %d records: %w", done, err)
	}
	if failed > 0 {
		return fmt.Errorf("sse: rewrap: %d records could not be re-sealed, first: %w", failed, firstFail)
	}
	if err := s.keys.store.DeleteKey(ctx, checkpointName); err != nil && !errors.Is(err, coffer.ErrKeyNotFound) {
		return fmt.Errorf("sse: removing rewrap checkpoint: %w", err)
	}
	return nil
}

// rewrapRecord re-seals one record's key if it is on an older version.
func (s *Service) rewrapRecord(ctx context.Context, rec coffer.ObjectRecord) error {
	if rec.Encryption.Type != coffer.SSES3 || s.masterSealer.isCurrent(rec.SealedKey) {
		return nil
	}
	sealed, err := s.resealIfStale(ctx, bindingOf(rec), rec.SealedKey)
	if err != nil {
		return err
	}
	rec.SealedKey = sealed
	err = s.store.UpdateObject(ctx, rec)
	if errors.Is(err, coffer.ErrConcurrentUpdate) || isNoSuchKey(err) {
		return nil
	}
	return err
}

// loadCheckpoint returns where to resume: after the checkpoint's object
// when it was written for the same target version, else from the start.
func (s *Service) loadCheckpoint(ctx context.Context, target uint32) (coffer.ObjectID, error) {
	b, err := s.keys.store.GetKey(ctx, checkpointName)
	if errors.Is(err, coffer.ErrKeyNotFound) {
		return coffer.ObjectID{}, nil
	}
	if err != nil {
		return coffer.ObjectID{}, fmt.Errorf("sse: reading rewrap checkpoint: %w", err)
	}
	version, last, err := decodeCheckpoint(b)
	if err != nil || version != target {
		// A checkpoint of another run (or an unreadable one) only costs a
		// full walk, which skips records already current.
		return coffer.ObjectID{}, nil
	}
	return last, nil
}

func (s *Service) saveCheckpoint(ctx context.Context, target uint32, last coffer.ObjectID) error {
	if err := s.keys.store.PutKey(ctx, checkpointName, encodeCheckpoint(target, last)); err != nil {
		return fmt.Errorf("sse: saving rewrap checkpoint: %w", err)
	}
	return nil
}
