package sse

import (
	"context"
	"fmt"
	"io"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/checksum"
	"github.com/cofferlabs/coffer/dare"
)

// writtenBody is what streaming a body into a DataWriter yields.
type writtenBody struct {
	size     int64
	md5      []byte // of the plaintext; objectETag makes the ETag of it
	checksum coffer.Checksum
}

// encryptInto streams body through checksum verification and dare
// encryption under key into w, refusing bodies larger than limit. It
// neither commits nor aborts w: the caller does one or the other.
func encryptInto(ctx context.Context, w io.Writer, body io.Reader, check coffer.BodyCheck, limit int64, key []byte) (writtenBody, error) {
	if check.Size > limit {
		return writtenBody{}, fmt.Errorf("sse: body of %d bytes exceeds %d: %w", check.Size, limit, coffer.ErrEntityTooLarge)
	}
	hashed := checksum.NewReader(&cappedReader{ctx: ctx, r: body, limit: limit}, check)
	enc, err := dare.NewWriter(w, key)
	if err != nil {
		return writtenBody{}, err
	}
	// One goroutine does it all: io.Copy lets the checksum reader hand its
	// chunks straight to the dare writer. Overlapping hashing with
	// encryption and storage on a second goroutine was measured (64 MiB,
	// mem and fs stores) and did not help: MD5 bounds the write path.
	if _, err := io.Copy(enc, hashed); err != nil {
		return writtenBody{}, err
	}
	if err := enc.Close(); err != nil {
		return writtenBody{}, err
	}
	out := writtenBody{size: hashed.N(), md5: hashed.MD5()}
	if check.Checksum != coffer.ChecksumNone {
		out.checksum = hashed.Checksum()
	}
	return out, nil
}

// cappedReader fails with ErrEntityTooLarge once a body passes limit bytes
// (for bodies of unknown size), and stops when the request is cancelled.
type cappedReader struct {
	ctx   context.Context
	r     io.Reader
	limit int64
	n     int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if room := c.limit + 1 - c.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return 0, fmt.Errorf("sse: body exceeds %d bytes: %w", c.limit, coffer.ErrEntityTooLarge)
	}
	return n, err
}

// writeCondition is the commit-time check of a conditional write.
func writeCondition(ifNoneMatchStar bool, ifMatch string) func(*coffer.ObjectRecord) error {
	if !ifNoneMatchStar && ifMatch == "" {
		return nil
	}
	return func(current *coffer.ObjectRecord) error {
		if ifNoneMatchStar && current != nil {
			return coffer.ErrPreconditionFailed
		}
		if ifMatch == "" {
			return nil
		}
		if current == nil {
			return fmt.Errorf("sse: If-Match on a missing key: %w", coffer.ErrNoSuchKey)
		}
		return coffer.Conditions{IfMatch: ifMatch}.Check(current.ETag, current.Modified)
	}
}

// precheckWrite fails a conditional write before its body is read when the
// current record already rejects it; the commit checks again atomically.
func (s *Service) precheckWrite(ctx context.Context, bucket, key string, check func(*coffer.ObjectRecord) error) error {
	if check == nil {
		return nil
	}
	current, err := s.store.GetObject(ctx, bucket, key)
	switch {
	case err == nil:
		return check(&current)
	case isNoSuchKey(err):
		return check(nil)
	default:
		return err
	}
}
