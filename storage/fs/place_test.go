package fs

import (
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
	bolt "go.etcd.io/bbolt"
)

// countSteps makes crashPoint count the steps it sees until the test ends.
func countSteps(t *testing.T) func(step string) int64 {
	var mu sync.Mutex
	seen := map[string]int64{}
	crashHook = func(step string) {
		mu.Lock()
		seen[step]++
		mu.Unlock()
	}
	t.Cleanup(func() { crashHook = nil })
	return func(step string) int64 {
		mu.Lock()
		defer mu.Unlock()
		return seen[step]
	}
}

// holdCommitter occupies the committer with a transaction that waits
// until n requests have queued behind it, so that they form one batch.
// Call release once their writers are committing.
func holdCommitter(s *Store, n int) (release func() error) {
	running, held, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.update(func(*bolt.Tx) error {
			close(running)
			<-held
			return nil
		})
	}()
	<-running
	return func() error {
		for len(s.commits.reqs) < n {
			time.Sleep(time.Millisecond)
		}
		close(held)
		return <-done
	}
}

// TestBatchSharesOneShard commits several file-backed writes in one batch
// and checks that they were placed in one shard directory with one
// directory fsync, each under its temp name's random digits.
func TestBatchSharesOneShard(t *testing.T) {
	steps := countSteps(t)
	ctx := t.Context()
	s := openTest(t, t.TempDir(), Options{})
	noErr(t, s.CreateBucket(ctx, coffer.BucketRecord{Name: "b"}))
	const n = 6
	writers := make([]*writer, n)
	for i := range writers {
		dw, err := s.NewObjectWriter(ctx, "b", "k"+string(rune('a'+i)))
		noErr(t, err)
		_, err = dw.Write(testData(uint64(20+i), DefaultInlineThreshold+1+i))
		noErr(t, err)
		writers[i] = dw.(*writer)
	}
	release := holdCommitter(s, n)
	recs := make([]coffer.ObjectRecord, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, w := range writers {
		wg.Go(func() { errs[i] = w.Commit(ctx, coffer.CommitRecord{Object: &recs[i]}) })
	}
	noErr(t, release())
	wg.Wait()
	for i, err := range errs {
		noErr(t, err)
		if recs[i].DataID[:2] != recs[0].DataID[:2] {
			t.Errorf("data %s placed in another shard than %s", recs[i].DataID, recs[0].DataID)
		}
		if recs[i].DataID[2:] != writers[i].id[2:] {
			t.Errorf("data %s does not keep the digits of its temp name %s", recs[i].DataID, writers[i].id)
		}
	}
	if got := steps("placed"); got != 1 {
		t.Fatalf("%d directory placements for one batch, want 1", got)
	}
	checkIntegrity(t, s)
}

// TestBatchIsolatesPlacementFailure: a file that cannot be placed fails
// its own commit only; the rest of its batch commits.
func TestBatchIsolatesPlacementFailure(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, t.TempDir(), Options{NoSync: true})
	noErr(t, s.CreateBucket(ctx, coffer.BucketRecord{Name: "b"}))
	keys := []string{"lost", "kept"}
	writers := make([]*writer, len(keys))
	for i, key := range keys {
		dw, err := s.NewObjectWriter(ctx, "b", key)
		noErr(t, err)
		_, err = dw.Write(newLarge)
		noErr(t, err)
		writers[i] = dw.(*writer)
	}
	// The first file vanishes from tmp before the committer can rename it.
	noErr(t, os.Remove(writers[0].tmp))
	release := holdCommitter(s, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, w := range writers {
		wg.Go(func() {
			rec := coffer.ObjectRecord{ETag: sha256Hex(newLarge)}
			errs[i] = w.Commit(ctx, coffer.CommitRecord{Object: &rec})
		})
	}
	noErr(t, release())
	wg.Wait()
	if !errors.Is(errs[0], os.ErrNotExist) {
		t.Fatalf("commit of a file that vanished: %v, want not-exist", errs[0])
	}
	noErr(t, errs[1])
	noErr(t, objectHolds(ctx, s, "kept", newLarge))
	if _, err := s.GetObject(ctx, "b", "lost"); !errors.Is(err, coffer.ErrNoSuchKey) {
		t.Fatalf("the object whose file vanished: %v, want ErrNoSuchKey", err)
	}
	checkIntegrity(t, s)
}
