package cse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// partStats is a snapshot of the fake's UploadPart bookkeeping.
type partStats struct {
	calls, done           []int32
	inFlight, maxInFlight int
	ops                   []string
}

func (f *fakeS3) partStats() partStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return partStats{calls: slices.Clone(f.partCalls), done: slices.Clone(f.partsDone),
		inFlight: f.inFlight, maxInFlight: f.maxInFlight, ops: slices.Clone(f.ops)}
}

// countingBuffers makes c count the part buffers it allocates.
func countingBuffers(c *Client) *int {
	var mu sync.Mutex
	n := new(int)
	c.newBuffer = func(size int64) []byte {
		mu.Lock()
		*n++
		mu.Unlock()
		return make([]byte, size)
	}
	return n
}

// deterministicPut stores plaintext with a Client whose randomness (data
// key, IV, wrapping nonce) is fixed, so that two Puts of the same body
// store the same bytes whatever their concurrency.
func deterministicPut(t *testing.T, store *fakeS3, format Format, concurrency int, key string, plaintext []byte, size int64) (allocated int) {
	t.Helper()
	aesRing, _ := NewAESKeyring(bytes.Repeat([]byte{7}, 32))
	c := New(store, aesRing, Options{Format: format, PartSize: testPartSize, Concurrency: concurrency})
	c.rand = rand.NewChaCha8([32]byte{1, 2, 3})
	count := countingBuffers(c)
	if _, err := c.Put(context.Background(), PutInput{Bucket: "b", Key: key, Body: bytes.NewReader(plaintext), Size: size}); err != nil {
		t.Fatalf("Put with concurrency %d: %v", concurrency, err)
	}
	return *count
}

// TestConcurrentPutMatchesSequential: whatever the concurrency and the
// order parts finish in, the object stored is byte for byte the one
// Concurrency 1 stores, uploaded with at most Concurrency parts at once.
func TestConcurrentPutMatchesSequential(t *testing.T) {
	sizes := []int{testPartSize + 1, 2 * testPartSize, 2*testPartSize + 15, 3*testPartSize + 5, 7*testPartSize + 100, 10 * testPartSize}
	for _, format := range formatCases {
		for _, size := range sizes {
			for _, known := range []bool{true, false} {
				declared := int64(size)
				if !known {
					declared = -1
				}
				plaintext := testPlaintext(fmt.Sprint(size), size)
				ref := newFakeS3()
				deterministicPut(t, ref, format, 1, "k", plaintext, declared)
				wantMeta, wantBody, _ := ref.stored("b", "k")
				wantParts := ref.objects["b/k"].parts
				for _, concurrency := range []int{0, 2, 3, 8} {
					t.Run(fmt.Sprintf("%v/%d bytes/known %v/concurrency %d", format, size, known, concurrency), func(t *testing.T) {
						store := newFakeS3()
						jitter := rand.New(rand.NewPCG(uint64(size), uint64(concurrency)))
						var mu sync.Mutex
						store.beforePart = func(context.Context, int32) error {
							mu.Lock()
							d := time.Duration(jitter.IntN(3000)) * time.Microsecond
							mu.Unlock()
							time.Sleep(d) // parts finish in shuffled order
							return nil
						}
						allocated := deterministicPut(t, store, format, concurrency, "k", plaintext, declared)
						meta, body, ok := store.stored("b", "k")
						if !ok || !bytes.Equal(body, wantBody) || !maps.Equal(meta, wantMeta) {
							t.Fatalf("stored %d bytes (equal %v), metadata equal %v", len(body), bytes.Equal(body, wantBody), maps.Equal(meta, wantMeta))
						}
						if got := store.objects["b/k"].parts; !slices.Equal(got, wantParts) {
							t.Fatalf("part sizes %v, want %v", got, wantParts)
						}
						workers := concurrency
						if workers == 0 {
							workers = DefaultConcurrency
						}
						st := store.partStats()
						if st.maxInFlight > workers || allocated > workers+1 {
							t.Fatalf("%d parts in flight at once, %d buffers, for concurrency %d", st.maxInFlight, allocated, workers)
						}
					})
				}
			}
		}
	}
}

// TestConcurrentPutCompletesOutOfOrder: part 1 finishes after part 2, and
// CompleteMultipartUpload (which the fake refuses out of order) still
// lists the parts in order.
func TestConcurrentPutCompletesOutOfOrder(t *testing.T) {
	for _, concurrency := range []int{2, 3} {
		t.Run(fmt.Sprint(concurrency), func(t *testing.T) {
			store := newFakeS3()
			part2 := make(chan struct{})
			store.beforePart = func(ctx context.Context, part int32) error {
				if part != 1 {
					return nil
				}
				select {
				case <-part2:
					return nil
				case <-time.After(10 * time.Second):
					return errors.New("part 2 never finished while part 1 was in flight")
				}
			}
			store.afterPart = func(part int32) {
				if part == 2 {
					close(part2)
				}
			}
			aesRing, _ := NewAESKeyring(make([]byte, 32))
			c := New(store, aesRing, Options{PartSize: testPartSize, Concurrency: concurrency})
			plaintext := testPlaintext("order", 4*testPartSize+3)
			putGet(t, c, store, "k", plaintext, -1, nil)
			st := store.partStats()
			if len(st.done) != 5 || st.done[0] == 1 {
				t.Fatalf("parts stored in order %v, want part 1 after part 2", st.done)
			}
		})
	}
}

// TestConcurrentPutFailures: a failure stops the encryption, lets the parts
// in flight return, aborts the upload once, returns the first error and
// leaves no goroutine behind.
func TestConcurrentPutFailures(t *testing.T) {
	boom := errors.New("injected failure")
	const parts = 12
	// failPart fails part n at once; the parts after it block until the
	// failure cancels them, so that they cannot mask it.
	failPart := func(n int32) func(*fakeS3, context.CancelFunc) {
		return func(store *fakeS3, _ context.CancelFunc) {
			store.beforePart = func(ctx context.Context, part int32) error {
				switch {
				case part == n:
					return boom
				case part > n:
					<-ctx.Done()
					return ctx.Err()
				}
				return nil
			}
		}
	}
	cases := []struct {
		name  string
		setup func(store *fakeS3, cancel context.CancelFunc)
		body  func() io.Reader
		want  error
		// maxPart bounds the part numbers started: a failure stops the
		// encryption, at most concurrency-1 parts after the failing one.
		maxPart int32
	}{
		{name: "first part fails", setup: failPart(1), want: boom, maxPart: 1},
		{name: "middle part fails", setup: failPart(5), want: boom, maxPart: 5},
		{name: "last part fails", setup: failPart(parts), want: boom, maxPart: parts},
		{name: "complete fails", want: boom, maxPart: parts, setup: func(store *fakeS3, _ context.CancelFunc) {
			store.fail = func(op string) error {
				if op == "CompleteMultipartUpload" {
					return boom
				}
				return nil
			}
		}},
		{name: "body fails", want: boom, maxPart: 4, body: func() io.Reader {
			return io.MultiReader(bytes.NewReader(make([]byte, 4*testPartSize+100)), errReader{boom})
		}},
		{name: "caller cancels", want: context.Canceled, maxPart: 3, setup: func(store *fakeS3, cancel context.CancelFunc) {
			store.beforePart = func(ctx context.Context, part int32) error {
				if part == 3 {
					cancel()
				}
				if part >= 3 {
					<-ctx.Done()
					return ctx.Err()
				}
				return nil
			}
		}},
	}
	aesRing, _ := NewAESKeyring(make([]byte, 32))
	for _, tc := range cases {
		for _, concurrency := range []int{1, 2, 4} {
			t.Run(fmt.Sprintf("%s/concurrency %d", tc.name, concurrency), func(t *testing.T) {
				goroutines := runtime.NumGoroutine()
				store := newFakeS3()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tc.setup != nil {
					tc.setup(store, cancel)
				}
				body := io.Reader(bytes.NewReader(make([]byte, parts*testPartSize-gcmTagSize)))
				if tc.body != nil {
					body = tc.body()
				}
				c := New(store, aesRing, Options{PartSize: testPartSize, Concurrency: concurrency})
				allocated := countingBuffers(c)
				_, err := c.Put(ctx, PutInput{Bucket: "b", Key: "k", Body: body, Size: -1})
				st := store.partStats() // before anything can settle
				if !errors.Is(err, tc.want) {
					t.Fatalf("Put: %v, want %v", err, tc.want)
				}
				if st.inFlight != 0 {
					t.Fatalf("Put returned with %d parts still uploading", st.inFlight)
				}
				if len(store.aborted) != 1 || len(store.uploads) != 0 {
					t.Fatalf("aborted %v, open uploads %d", store.aborted, len(store.uploads))
				}
				if st.ops[len(st.ops)-1] != "AbortMultipartUpload" {
					t.Fatalf("operations after the abort: %v", st.ops)
				}
				if _, _, ok := store.stored("b", "k"); ok {
					t.Fatal("an object was stored")
				}
				if last := slices.Max(st.calls); last > tc.maxPart+int32(concurrency)-1 {
					t.Fatalf("parts %v started with concurrency %d: the encryption went on after the failure", st.calls, concurrency)
				}
				if *allocated > concurrency+1 {
					t.Fatalf("%d buffers for concurrency %d", *allocated, concurrency)
				}
				for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > goroutines; {
					if time.Now().After(deadline) {
						buf := make([]byte, 1<<16)
						t.Fatalf("%d goroutines before Put, %d after:\n%s", goroutines, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
					}
					time.Sleep(time.Millisecond)
				}
			})
		}
	}
}

// TestConcurrentPutBufferBound: at most Concurrency+1 part buffers are ever
// allocated (they are reused), while Concurrency parts do upload at once.
func TestConcurrentPutBufferBound(t *testing.T) {
	aesRing, _ := NewAESKeyring(make([]byte, 32))
	for _, concurrency := range []int{1, 2, 3, 5} {
		t.Run(fmt.Sprint(concurrency), func(t *testing.T) {
			store := newFakeS3()
			store.beforePart = func(context.Context, int32) error {
				time.Sleep(5 * time.Millisecond) // the network is the slow side
				return nil
			}
			c := New(store, aesRing, Options{PartSize: testPartSize, Concurrency: concurrency})
			allocated := countingBuffers(c)
			putGet(t, c, store, "k", testPlaintext("bound", 16*testPartSize), -1, nil)
			st := store.partStats()
			if *allocated > concurrency+1 || (concurrency == 1 && *allocated != 1) {
				t.Fatalf("%d part buffers allocated for concurrency %d", *allocated, concurrency)
			}
			if st.maxInFlight > concurrency || (concurrency > 1 && st.maxInFlight < 2) {
				t.Fatalf("%d parts in flight at most for concurrency %d", st.maxInFlight, concurrency)
			}
		})
	}
}
