package sse

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestKeyCache(t *testing.T) {
	clock := newFakeClock()
	c := newKeyCache(time.Minute, 3, clock.Now)
	ctx := context.Background()
	var fills atomic.Int32
	fill := func(arn string) func() (cachedKEK, error) {
		return func() (cachedKEK, error) { fills.Add(1); return cachedKEK{keyARN: arn}, nil }
	}
	get := func(id string) cachedKEK {
		t.Helper()
		v, err := c.get(ctx, id, fill(id))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	steps := []struct {
		name      string
		do        func()
		wantFills int32
		wantLen   int
	}{
		{"first use fills", func() { get("a") }, 1, 1},
		{"second use hits", func() { get("a") }, 1, 1},
		{"another id fills", func() { get("b") }, 2, 2},
		{"expiry refills", func() { clock.Advance(time.Minute); get("a") }, 3, 1},
		{"failures are not cached", func() {
			_, err := c.get(ctx, "c", func() (cachedKEK, error) { fills.Add(1); return cachedKEK{}, errors.New("no") })
			if err == nil {
				t.Fatal("error lost")
			}
		}, 4, 1},
		{"full cache evicts the oldest", func() {
			clock.Advance(time.Second) // distinct expiries: the victim is a, not a tie
			get("c")
			clock.Advance(time.Second)
			get("d")
			clock.Advance(time.Second)
			get("e")
		}, 7, 3},
		{"evicted key refills", func() { get("a") }, 8, 3},
	}
	for _, step := range steps {
		step.do()
		if fills.Load() != step.wantFills || c.len() != step.wantLen {
			t.Fatalf("%s: %d fills and %d entries, want %d and %d", step.name, fills.Load(), c.len(), step.wantFills, step.wantLen)
		}
	}
}

// TestKeyCacheWaitersRetryAfterFailure: requests waiting on a fill that
// fails ask for themselves instead of taking another request's error.
func TestKeyCacheWaitersRetryAfterFailure(t *testing.T) {
	c := newKeyCache(time.Minute, 10, time.Now)
	release := make(chan struct{})
	var calls atomic.Int32
	fill := func() (cachedKEK, error) {
		if calls.Add(1) == 1 {
			<-release
			return cachedKEK{}, errors.New("first caller denied")
		}
		return cachedKEK{keyARN: "ok"}, nil
	}
	var wg sync.WaitGroup
	results := make([]error, 5)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = c.get(context.Background(), "id", fill)
		}()
	}
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	failed := 0
	for _, err := range results {
		if err != nil {
			failed++
		}
	}
	if failed != 1 || calls.Load() != 2 {
		t.Fatalf("%d requests failed after %d fills; want only the denied one, and one more fill", failed, calls.Load())
	}
}

func TestKeyCacheWaitRespectsContext(t *testing.T) {
	c := newKeyCache(time.Minute, 10, time.Now)
	release := make(chan struct{})
	started := make(chan struct{})
	go c.get(context.Background(), "id", func() (cachedKEK, error) { close(started); <-release; return cachedKEK{}, nil })
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.get(ctx, "id", func() (cachedKEK, error) { return cachedKEK{}, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	close(release)
}
