package sse

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cofferlabs/coffer"
)

// BucketRewrap names a bulk re-key: every object of Bucket to SSE-KMS
// under the KMS key KMSKeyID names (key id, key ARN, alias name or alias
// ARN), on an S3 Bucket Key when BucketKey is set.
type BucketRewrap struct {
	Bucket    string
	KMSKeyID  string
	BucketKey bool
}

// BucketRewrapResult counts what one RewrapBucket run did with the
// objects it visited (a resumed run counts only its own).
type BucketRewrapResult struct {
	KeyARN    string // the key KMSKeyID resolved to, once, before the first object
	Rewrapped int    // re-wrapped under the key by this run
	Current   int    // already under the key with the asked bucket-key setting: no KMS call
	Changed   int    // replaced or deleted while the run re-wrapped them: left as their writer made them
	Failed    int    // whose current data key would not open: left as they were
	// The first failure, in public terms (the audit trail's code and
	// message: no internals, no key material).
	FailedKey, FailedCode, FailedMessage string
}

// Throttling by the KMS makes a run wait and retry the same object:
// throttleRetries times at most, from throttleBackoff doubling up to
// maxThrottleBackoff, then the run stops (and can be resumed).
const (
	throttleRetries    = 8
	throttleBackoff    = 50 * time.Millisecond
	maxThrottleBackoff = 2 * time.Second
)

// RewrapBucket changes every object of req.Bucket to SSE-KMS under
// req.KMSKeyID by re-wrapping its data key as UpdateObjectEncryption does:
// data, ETag, checksums and dates stay. The KMS calls act as the caller in
// ctx, through S3, and every object re-keyed (or not) is audited as an
// UpdateObjectEncryption.
//
// Before the first progress report it checks the bucket exists
// (coffer.ErrNoSuchBucket) and resolves the key once (the KMS's
// *coffer.KMSError for a missing, disabled or forbidden key); every
// object is then sealed under that ARN, whatever an alias comes to name
// meanwhile. Objects already under the key with the asked bucket-key
// setting are skipped without a KMS call; objects replaced or deleted
// meanwhile are skipped; objects whose current key will not open are
// counted in Failed and the run goes on. Anything else (the target key
// failing, the store, cancellation) stops the run. Pending multipart
// uploads are left alone: they complete with the encryption they began
// with.
//
// A run checkpoints the last object done in the key store, per (bucket,
// key ARN), every checkpointEvery objects and when it stops; the next run
// for the same bucket, key and bucket-key setting resumes after it, and a
// run that reaches the end deletes it (FORMAT.md §11). progress is called
// as for Rewrap: (0, total) first, then after each object visited.
func (s *Service) RewrapBucket(ctx context.Context, req BucketRewrap, progress func(done, total int)) (BucketRewrapResult, error) {
	target, err := s.bucketRewrapTarget(ctx, req)
	if err != nil {
		return BucketRewrapResult{}, err
	}
	at := bucketCheckpoint{Bucket: req.Bucket, KeyARN: target.KeyID, BucketKey: target.BucketKey}
	from, err := s.loadBucketCheckpoint(ctx, at)
	if err != nil {
		return BucketRewrapResult{}, err
	}
	total, err := s.countBucket(ctx, req.Bucket, from)
	if err != nil {
		return BucketRewrapResult{}, fmt.Errorf("sse: rewrap of bucket %s: counting objects: %w", req.Bucket, err)
	}
	run := &bucketRewrapRun{s: s, target: target, at: at, meter: rewrapMeter{total: total, report: progress}}
	run.result.KeyARN = target.KeyID
	run.meter.start()
	if err := s.walkBucket(ctx, req.Bucket, from, func(listed coffer.ObjectRecord) error { return run.visit(ctx, listed) }); err != nil {
		return run.result, run.stopped(ctx, err)
	}
	run.meter.finish()
	// The walk is over: the next run starts from the beginning, skips
	// what is done and retries what failed.
	if err := s.keys.store.DeleteKey(ctx, at.name()); err != nil && !errors.Is(err, coffer.ErrKeyNotFound) {
		return run.result, fmt.Errorf("sse: removing bucket rewrap checkpoint: %w", err)
	}
	return run.result, nil
}

// bucketRewrapTarget checks the bucket and resolves the key, as the
// caller, before anything is visited.
func (s *Service) bucketRewrapTarget(ctx context.Context, req BucketRewrap) (kmsRequest, error) {
	switch {
	case s.kms == nil:
		return kmsRequest{}, fmt.Errorf("sse: SSE-KMS without a KMS: %w", coffer.ErrNotImplemented)
	case req.KMSKeyID == "":
		return kmsRequest{}, &coffer.ArgumentError{Name: "KMSKeyId", Message: "Re-keying a bucket needs the KMS key to re-key its objects under."}
	case len(req.KMSKeyID) > maxKeyARNBytes:
		return kmsRequest{}, &coffer.ArgumentError{Name: "KMSKeyId", Message: "The KMS key id is too long."}
	}
	if _, err := s.bucket(ctx, req.Bucket); err != nil {
		return kmsRequest{}, err
	}
	if err := checkKMSCaller(ctx); err != nil {
		return kmsRequest{}, err
	}
	keyARN, err := s.kms.km.ResolveKey(viaS3(ctx), req.KMSKeyID)
	if err != nil {
		return kmsRequest{}, fmt.Errorf("sse: KMS key %q: %w", req.KMSKeyID, err)
	}
	// The resolved ARN must pass what UpdateObjectEncryption asks of its
	// key: a full key ARN of this account.
	return s.updateTarget(coffer.EncryptionRequest{Type: coffer.SSEKMS, KMSKeyID: keyARN, BucketKeyEnabled: &req.BucketKey})
}

// bucketRewrapRun is the state of one RewrapBucket call.
type bucketRewrapRun struct {
	s         *Service
	target    kmsRequest // KeyID is the resolved ARN
	at        bucketCheckpoint
	sinceSave int
	meter     rewrapMeter
	result    BucketRewrapResult
}

// visit re-keys one listed object unless it is done already, then
// checkpoints and reports progress.
func (r *bucketRewrapRun) visit(ctx context.Context, listed coffer.ObjectRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.isCurrent(listed.Encryption) {
		r.result.Current++
	} else if err := r.rewrapWithRetry(ctx, listed.Key); err != nil {
		return err
	}
	r.at.LastKey = listed.Key
	if r.sinceSave++; r.sinceSave == checkpointEvery {
		r.sinceSave = 0
		if err := r.s.saveBucketCheckpoint(ctx, r.at); err != nil {
			return err
		}
	}
	r.meter.visit()
	return nil
}

func (r *bucketRewrapRun) isCurrent(enc coffer.EncryptionInfo) bool {
	return enc.Type == coffer.SSEKMS && enc.KMSKeyARN == r.target.KeyID && enc.BucketKeyEnabled == r.target.BucketKey
}

// rewrapWithRetry re-keys one object, waiting out KMS throttling.
func (r *bucketRewrapRun) rewrapWithRetry(ctx context.Context, key string) error {
	wait := throttleBackoff
	for attempt := 0; ; attempt++ {
		err := r.rewrap(ctx, key)
		if !isThrottling(err) || attempt == throttleRetries {
			return err
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
		wait = min(2*wait, maxThrottleBackoff)
	}
}

// rewrap re-keys the object's current record and sorts the outcome:
// counted and nil when the run may go on, the error when it must stop.
func (r *bucketRewrapRun) rewrap(ctx context.Context, key string) error {
	rec, err := r.s.store.GetObject(ctx, r.at.Bucket, key)
	switch {
	case isNoSuchKey(err):
		r.result.Changed++
		return nil
	case err != nil:
		return err
	case r.isCurrent(rec.Encryption):
		r.result.Current++ // re-keyed by someone else since the listing
		return nil
	}
	info, from, err := r.s.rewrapRecord(ctx, rec, r.target)
	var source *sourceKeyError
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err() // nothing changed; a re-key that made it is counted and audited below
	case isThrottling(err):
		return err // retried without an audit event per attempt
	case errors.Is(err, coffer.ErrConcurrentUpdate) || isNoSuchKey(err):
		r.result.Changed++
		return nil
	}
	bucketKey := r.target.BucketKey
	r.s.auditUpdateEncryption(ctx, r.at.Bucket, key, coffer.EncryptionRequest{Type: coffer.SSEKMS, KMSKeyID: r.target.KeyID, BucketKeyEnabled: &bucketKey}, from, info, err)
	switch {
	case err == nil:
		r.result.Rewrapped++
		return nil
	case errors.As(err, &source) || errors.Is(err, coffer.ErrSealedKeyInvalid):
		r.result.Failed++
		if r.result.Failed == 1 {
			r.result.FailedKey = key
			r.result.FailedCode, r.result.FailedMessage = publicFailure(err)
		}
		return nil
	}
	return err
}

// stopped keeps the progress of a run that could not finish, even though
// ctx may be cancelled, and says why it stopped.
func (r *bucketRewrapRun) stopped(ctx context.Context, cause error) error {
	if r.at.LastKey != "" {
		if err := r.s.saveBucketCheckpoint(context.WithoutCancel(ctx), r.at); err != nil {
			return errors.Join(cause, err)
		}
	}
	return fmt.Errorf("sse: rewrap of bucket %s stopped after %d objects: %w", r.at.Bucket, r.meter.done, cause)
}

// sourceKeyError marks a failure to open an object's current data key
// (as opposed to sealing it anew): that object's own trouble, which a
// bulk re-key passes over.
type sourceKeyError struct{ err error }

func (e *sourceKeyError) Error() string { return e.err.Error() }
func (e *sourceKeyError) Unwrap() error { return e.err }

// publicFailure names why an object could not be re-keyed, for the
// operator: the audit trail's code and message, or for a broken record
// what is wrong with it (never which bytes).
func publicFailure(err error) (code, message string) {
	if errors.Is(err, coffer.ErrSealedKeyInvalid) {
		return "SealedKeyInvalid", "the object's sealed data key does not open: its record is damaged"
	}
	return auditError(err)
}

func isThrottling(err error) bool {
	var kmsErr *coffer.KMSError
	return errors.As(err, &kmsErr) && kmsErr.Code == "ThrottlingException"
}

// walkBucket calls fn for every object of bucket after the key after, in
// key order, a page of records at a time.
func (s *Service) walkBucket(ctx context.Context, bucket, after string, fn func(coffer.ObjectRecord) error) error {
	for {
		page, err := s.store.ListObjects(ctx, bucket, coffer.ListQuery{After: after, Limit: walkPageSize})
		if err != nil {
			return err
		}
		for _, rec := range page.Objects {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if !page.Truncated || len(page.Objects) == 0 {
			return nil
		}
		after = page.NextAfter
	}
}

// walkPageSize is how many records RewrapBucket reads at a time.
const walkPageSize = 1000

// countBucket is the records-only pre-walk of a RewrapBucket run.
func (s *Service) countBucket(ctx context.Context, bucket, after string) (int, error) {
	n := 0
	err := s.walkBucket(ctx, bucket, after, func(coffer.ObjectRecord) error { n++; return nil })
	return n, err
}
