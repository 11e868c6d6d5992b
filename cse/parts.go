package cse

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The parts of a multipart upload are consecutive slices of one GCM
// stream, so they are encrypted in order by one goroutine (the caller's).
// A part buffer holds a part plus 17 bytes: a full buffer proves that more
// follows (ciphertext = plaintext + 16), and those 17 bytes begin the next
// part.

// concurrency is the number of parts uploaded at once.
func (u *upload) concurrency() int {
	if u.c.opts.Concurrency == 0 {
		return DefaultConcurrency
	}
	return u.c.opts.Concurrency
}

// newBuffer allocates one part buffer.
func (u *upload) newBuffer(size int64) []byte {
	if u.c.newBuffer != nil {
		return u.c.newBuffer(size)
	}
	return make([]byte, size)
}

func (u *upload) tooManyParts() error {
	return fmt.Errorf("cse: the body needs more than %d parts of %d bytes", maxParts, u.partSize)
}

// sequentialParts encrypts and uploads one part after the other in buf,
// which holds n bytes of ciphertext (more than a part).
func (u *upload) sequentialParts(ctx context.Context, uploadID *string, buf []byte, n int) ([]types.CompletedPart, error) {
	var parts []types.CompletedPart
	ended := false
	for {
		part := buf[:n]
		if !ended {
			part = buf[:u.partSize]
		}
		if len(parts) == maxParts {
			return nil, u.tooManyParts()
		}
		done, err := u.uploadPart(ctx, uploadID, int32(len(parts)+1), part)
		if err != nil {
			return nil, err
		}
		parts = append(parts, done)
		if ended {
			return parts, nil
		}
		carry := copy(buf, buf[u.partSize:n])
		if n, ended, err = u.fill(buf, carry); err != nil {
			return nil, err
		}
	}
}

// partJob is one encrypted part handed to an uploader; buf goes back to
// the pool when it is uploaded.
type partJob struct {
	number int32
	buf    []byte
	part   []byte
}

// pipelinedParts encrypts parts in order on this goroutine and uploads
// each on one of workers goroutines while the next is encrypted. buf, the
// first of at most workers+1 buffers, holds n bytes of ciphertext (more
// than a part). On the first failure (reading or encrypting the body, a
// part, ctx) it stops encrypting, cancels the parts in flight, waits for
// every uploader to return and returns that failure. The parts come back
// in part-number order.
func (u *upload) pipelinedParts(ctx context.Context, uploadID *string, buf []byte, n int, workers int) ([]types.CompletedPart, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		parts    []types.CompletedPart
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}

	jobs := make(chan partJob)
	free := make(chan []byte, workers+1) // every buffer fits: returning one never blocks
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil { // failed meanwhile: upload nothing more
					free <- j.buf
					continue
				}
				done, err := u.uploadPart(ctx, uploadID, j.number, j.part)
				free <- j.buf
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				parts = append(parts, done)
				mu.Unlock()
			}
		}()
	}

	u.produceParts(ctx, buf, n, workers+1, jobs, free, fail)
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	slices.SortFunc(parts, func(a, b types.CompletedPart) int {
		return cmp.Compare(aws.ToInt32(a.PartNumber), aws.ToInt32(b.PartNumber))
	})
	return parts, nil
}

// produceParts encrypts the parts in order and sends them to jobs, taking
// buffers from free or allocating them, at most maxBuffers in all (buf,
// the first, included). It returns at the last part or on a failure, which
// it reports to fail; ctx is cancelled by fail.
func (u *upload) produceParts(ctx context.Context, buf []byte, n int, maxBuffers int, jobs chan<- partJob, free <-chan []byte, fail func(error)) {
	stopped := func() bool {
		if ctx.Err() != nil {
			// A failed part has cancelled ctx, or the caller has: the
			// caller's cancellation is the failure if nothing else is.
			fail(fmt.Errorf("cse: multipart upload to s3://%s/%s: %w", u.in.Bucket, u.in.Key, ctx.Err()))
			return true
		}
		return false
	}
	var carry [gcmTagSize + 1]byte
	made, ended := 1, false
	for number := int32(1); ; number++ {
		if number > maxParts {
			fail(u.tooManyParts())
			return
		}
		part, kept := buf[:n], 0
		if !ended {
			part = buf[:u.partSize]
			kept = copy(carry[:], buf[u.partSize:n])
		}
		if stopped() {
			return
		}
		select {
		case jobs <- partJob{number: number, buf: buf, part: part}:
		case <-ctx.Done():
			stopped()
			return
		}
		if ended {
			return
		}
		select {
		case buf = <-free:
		default:
			if made < maxBuffers {
				buf = u.newBuffer(int64(len(buf)))
				made++
				break
			}
			select {
			case buf = <-free:
			case <-ctx.Done():
				stopped()
				return
			}
		}
		copy(buf, carry[:kept])
		var err error
		if n, ended, err = u.fill(buf, kept); err != nil {
			fail(err)
			return
		}
	}
}
