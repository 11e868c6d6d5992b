package sse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/mem"
)

// fillObjects puts n small objects spread over two buckets.
func fillObjects(e *env, n int) {
	e.t.Helper()
	if err := e.svc.CreateBucket(e.ctx, "zz-second"); err != nil && !errors.Is(err, coffer.ErrBucketExists) {
		e.t.Fatal(err)
	}
	for i := range n {
		bucket := []string{testBucket, "zz-second"}[i%2]
		body := fmt.Sprintf("object %d", i)
		if _, err := e.svc.PutObject(e.ctx, bucket, fmt.Sprintf("obj/%04d", i), bytes.NewReader([]byte(body)), coffer.PutOptions{Check: coffer.BodyCheck{Size: int64(len(body))}}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// versions counts records per master key version and checks every object
// still reads.
func versions(e *env) map[uint32]int {
	e.t.Helper()
	out := map[uint32]int{}
	err := e.store.WalkObjects(e.ctx, coffer.ObjectID{}, func(rec coffer.ObjectRecord) error {
		v, err := dataKeyMasterVersion(rec.SealedKey)
		if err != nil {
			return err
		}
		out[v]++
		_, r, err := e.svc.GetObject(e.ctx, rec.Bucket, rec.Key, coffer.GetOptions{})
		if err != nil {
			return fmt.Errorf("%s/%s: %w", rec.Bucket, rec.Key, err)
		}
		defer r.Close()
		_, err = bytes.NewBuffer(nil).ReadFrom(r)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func TestRewrapMovesEveryRecordToTheCurrentVersion(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		fillObjects(e, 30)
		e.multipartUpload("mp", coffer.UploadOptions{}, []byte("multipart"))
		dataIDs := map[string]string{}
		e.store.WalkObjects(e.ctx, coffer.ObjectID{}, func(rec coffer.ObjectRecord) error {
			dataIDs[rec.Bucket+"/"+rec.Key] = rec.DataID
			return nil
		})
		if _, err := e.ring.Rotate(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.put("already-current", []byte("x"))
		var calls, last int
		if err := e.svc.Rewrap(e.ctx, func(done int) { calls++; last = done }); err != nil {
			t.Fatal(err)
		}
		if calls != 32 || last != 32 {
			t.Fatalf("progress called %d times, last %d; want 32", calls, last)
		}
		if got := versions(e); got[2] != 32 || len(got) != 1 {
			t.Fatalf("records per version after Rewrap: %v", got)
		}
		e.store.WalkObjects(e.ctx, coffer.ObjectID{}, func(rec coffer.ObjectRecord) error {
			if id, ok := dataIDs[rec.Bucket+"/"+rec.Key]; ok && id != rec.DataID {
				t.Errorf("Rewrap rewrote the data of %s/%s", rec.Bucket, rec.Key)
			}
			return nil
		})
		if _, err := e.keys.GetKey(e.ctx, checkpointName); !errors.Is(err, coffer.ErrKeyNotFound) {
			t.Fatalf("a finished rewrap left its checkpoint: %v", err)
		}
	})
}

func TestRewrapResumesAfterInterruption(t *testing.T) {
	const objects = 250
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		fillObjects(e, objects)
		if _, err := e.ring.Rotate(e.ctx); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(e.ctx)
		firstRun := 0
		err := e.svc.Rewrap(ctx, func(done int) {
			firstRun = done
			if done == 130 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted Rewrap = %v, want context.Canceled", err)
		}
		cp, err := e.keys.GetKey(e.ctx, checkpointName)
		if err != nil {
			t.Fatalf("no checkpoint after an interrupted run: %v", err)
		}
		version, last, err := decodeCheckpoint(cp)
		if err != nil || version != 2 || last.Key == "" {
			t.Fatalf("checkpoint = %d, %+v, %v", version, last, err)
		}
		if got := versions(e); got[2] != firstRun || got[1] != objects-firstRun {
			t.Fatalf("after %d records: versions %v", firstRun, got)
		}
		secondRun := 0
		if err := e.svc.Rewrap(e.ctx, func(done int) { secondRun = done }); err != nil {
			t.Fatal(err)
		}
		if secondRun != objects-firstRun {
			t.Fatalf("second run visited %d records, want the %d left", secondRun, objects-firstRun)
		}
		if got := versions(e); got[2] != objects {
			t.Fatalf("after resuming: versions %v", got)
		}
	})
}

func TestRewrapRestartsWhenTheCheckpointIsForAnotherVersion(t *testing.T) {
	e := newEnv(t, backends[0])
	fillObjects(e, 10)
	putKey(t, e.keys, checkpointName, encodeCheckpoint(1, coffer.ObjectID{Bucket: "zz-second", Key: "obj/0009"}))
	if _, err := e.ring.Rotate(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Rewrap(e.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := versions(e); got[2] != 10 {
		t.Fatalf("versions %v", got)
	}
}

// racingStore reports every UpdateObject as lost to a concurrent write.
type racingStore struct{ coffer.Store }

func (racingStore) UpdateObject(context.Context, coffer.ObjectRecord) error {
	return coffer.ErrConcurrentUpdate
}

func TestRewrapSkipsObjectsReplacedMeanwhile(t *testing.T) {
	m := mem.New()
	e := newEnvOn(t, racingStore{m}, m)
	fillObjects(e, 5)
	if _, err := e.ring.Rotate(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Rewrap(e.ctx, nil); err != nil {
		t.Fatalf("Rewrap = %v, want the lost races skipped", err)
	}
}

func TestRewrapReportsUnreadableKeysAndGoesOn(t *testing.T) {
	e := newEnv(t, backends[0])
	fillObjects(e, 6)
	broken := e.record("obj/0002")
	broken.SealedKey = append([]byte(nil), broken.SealedKey...)
	broken.SealedKey[len(broken.SealedKey)-1] ^= 1
	mustUpdate(e, broken)
	if _, err := e.ring.Rotate(e.ctx); err != nil {
		t.Fatal(err)
	}
	err := e.svc.Rewrap(e.ctx, nil)
	if !errors.Is(err, coffer.ErrSealedKeyInvalid) {
		t.Fatalf("Rewrap = %v, want ErrSealedKeyInvalid", err)
	}
	counts := map[uint32]int{}
	e.store.WalkObjects(e.ctx, coffer.ObjectID{}, func(rec coffer.ObjectRecord) error {
		v, _ := dataKeyMasterVersion(rec.SealedKey)
		counts[v]++
		return nil
	})
	if counts[2] != 5 || counts[1] != 1 {
		t.Fatalf("versions %v: the other records must be re-sealed", counts)
	}
}

func TestCompleteResealsAnUploadKeyFromBeforeRotation(t *testing.T) {
	e := newEnv(t, backends[0])
	up, _ := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{})
	part, err := e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, 1, bytes.NewReader([]byte("before")), coffer.PartOptions{Check: coffer.BodyCheck{Size: 6}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ring.Rotate(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", up.UploadID, coffer.CompleteOptions{Parts: []coffer.CompletePart{{Number: 1, ETag: part.ETag}}}); err != nil {
		t.Fatal(err)
	}
	if v, _ := dataKeyMasterVersion(e.record("k").SealedKey); v != 2 {
		t.Fatalf("completed object sealed under version %d, want 2", v)
	}
	if got := e.mustRead("k"); string(got) != "before" {
		t.Fatalf("reads %q", got)
	}
}
