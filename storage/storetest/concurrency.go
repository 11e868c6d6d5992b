package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cofferlabs/coffer"
)

func testConcurrency(t *testing.T, open func(t *testing.T) coffer.Store) {
	t.Run("DifferentKeys", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		const workers, rounds = 8, 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for g := range workers {
			wg.Go(func() {
				for i := range rounds {
					key := fmt.Sprintf("w%d/k%d", g, i)
					data := payload(uint64(g*1000+i), 100*i)
					rec := sampleRecord(data)
					if err := tryPut(ctx, s, b, key, data, &rec, nil); err != nil {
						errs <- err
						return
					}
					got, err := s.GetObject(ctx, b, key)
					if err != nil {
						errs <- err
						return
					}
					back, err := read(ctx, s, got, 0, 0, got.StoredSize)
					if err != nil || string(back) != string(data) {
						errs <- fmt.Errorf("%s read back wrong (err %v)", key, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		page, err := s.ListObjects(ctx, b, coffer.ListQuery{})
		noErr(t, "ListObjects", err)
		if len(page.Objects) != workers*rounds {
			t.Fatalf("listed %d objects, want %d", len(page.Objects), workers*rounds)
		}
	})
	t.Run("SameKey", func(t *testing.T) { testSameKey(t, open) })
	t.Run("ConditionalCreate", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		b := newBucket(t, s)
		const workers = 8
		var won, lost atomic.Int32
		var wg sync.WaitGroup
		for g := range workers {
			wg.Go(func() {
				data := []byte(fmt.Sprintf("writer %d", g))
				rec := sampleRecord(data)
				err := tryPut(ctx, s, b, "once", data, &rec, requireAbsent)
				switch {
				case err == nil:
					won.Add(1)
				case errors.Is(err, coffer.ErrPreconditionFailed):
					lost.Add(1)
				default:
					t.Errorf("conditional put: %v", err)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 || lost.Load() != workers-1 {
			t.Fatalf("%d conditional creates won and %d lost, want 1 and %d", won.Load(), lost.Load(), workers-1)
		}
	})
}

// testSameKey races writers and readers on one key. Each version's ETag is
// the SHA-256 of its data, so a reader can tell a torn or mixed read: every
// read must see one complete version, or be told it changed underneath.
func testSameKey(t *testing.T, open func(t *testing.T) coffer.Store) {
	s := open(t)
	ctx := t.Context()
	b := newBucket(t, s)
	const writers, versions, readers = 4, 15, 4
	var (
		wg       sync.WaitGroup
		done     atomic.Bool
		written  sync.Map // ETag of every version written
		reads    atomic.Int64
		readErrs = make(chan error, readers)
	)
	putHashed := func(data []byte) error {
		rec := sampleRecord(data)
		sum := sha256.Sum256(data)
		rec.ETag = hex.EncodeToString(sum[:])
		written.Store(rec.ETag, true)
		return tryPut(ctx, s, b, "hot", data, &rec, nil)
	}
	noErr(t, "initial put", putHashed([]byte("initial")))

	var writerWG sync.WaitGroup
	for g := range writers {
		writerWG.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for v := range versions {
				// Sizes straddle the inline/file boundary of stores that have one.
				data := payload(uint64(g*100+v), r.IntN(300<<10))
				if err := putHashed(data); err != nil {
					t.Errorf("writer %d version %d: %v", g, v, err)
					return
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for !done.Load() {
				rec, err := s.GetObject(ctx, b, "hot")
				if err != nil {
					readErrs <- err
					return
				}
				data, err := read(ctx, s, rec, 0, 0, rec.StoredSize)
				if errors.Is(err, coffer.ErrConcurrentUpdate) {
					continue
				}
				if err != nil {
					readErrs <- err
					return
				}
				sum := sha256.Sum256(data)
				if hex.EncodeToString(sum[:]) != rec.ETag {
					readErrs <- fmt.Errorf("read %d bytes that are not the data of record %s", len(data), rec.DataID)
					return
				}
				reads.Add(1)
			}
		})
	}
	writerWG.Wait()
	done.Store(true)
	wg.Wait()
	close(readErrs)
	for err := range readErrs {
		t.Fatal(err)
	}
	final, err := s.GetObject(ctx, b, "hot")
	noErr(t, "GetObject", err)
	if _, ok := written.Load(final.ETag); !ok {
		t.Fatalf("final record %s is no version that was written", final.ETag)
	}
	data := mustRead(t, s, final, 0, 0, final.StoredSize)
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != final.ETag {
		t.Fatalf("final data does not match its record")
	}
	t.Logf("%d consistent reads during %d writes", reads.Load(), writers*versions)
}
