package checksum

import (
	"hash"
	"io"
	"sync"
)

// chunkSize is the unit handed to the hash goroutines: large, so that
// starting them costs little next to hashing a chunk.
const chunkSize = 512 << 10

type chunk [chunkSize]byte

var chunkPool = sync.Pool{New: func() any { return new(chunk) }}

// pipeline overlaps hashing with reading and with the caller's use of the
// data. It fills two chunks in turn: while the hash goroutines work on one,
// the caller drains it and the next one is read. Before a chunk is handed
// to the hashes, the goroutines of the previous chunk must have finished,
// since each hash consumes chunks in order; that also frees the chunk
// before it for the next read.
type pipeline struct {
	bufs    [2]*chunk
	used    [2]int // high-water mark of each chunk, wiped on release
	next    int    // the chunk to fill next
	pending []byte // data of the current chunk not yet passed on
	hashing sync.WaitGroup
}

// fill reads the next chunk, waits for the previous one to be hashed and
// starts hashing this one. On return the chunk's data is pending, or the
// body has ended (srcEOF), or an error from src is the sticky result.
func (r *Reader) fill() error {
	c := r.chunks
	if c.bufs[c.next] == nil {
		c.bufs[c.next] = chunkPool.Get().(*chunk)
	}
	buf := c.bufs[c.next][:]
	n, err := io.ReadFull(r.src, buf)
	c.used[c.next] = max(c.used[c.next], n)
	data := r.admit(buf[:n])
	c.hashing.Wait()
	if len(data) > 0 {
		c.hashing.Add(len(r.hashes))
		for _, h := range r.hashes {
			go hashChunk(h, data, &c.hashing)
		}
		c.pending = data
		c.next ^= 1
	}
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		r.srcEOF = true
	case err != nil:
		r.result = err
		return err
	}
	return nil
}

func hashChunk(h hash.Hash, data []byte, done *sync.WaitGroup) {
	h.Write(data)
	done.Done()
}

// readChunked copies pending data into p.
func (r *Reader) readChunked(p []byte) (int, error) {
	c := r.chunks
	for len(c.pending) == 0 {
		if r.srcEOF {
			return 0, r.finish()
		}
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// writeChunked hands whole chunks to w, without copying them.
func (r *Reader) writeChunked(w io.Writer) (int64, error) {
	c := r.chunks
	var total int64
	for {
		if len(c.pending) > 0 {
			n, err := w.Write(c.pending)
			total += int64(n)
			c.pending = c.pending[n:]
			if err != nil {
				return total, err
			}
		}
		if r.result == nil && r.srcEOF {
			r.finish()
		}
		if r.result == io.EOF {
			return total, nil
		}
		if r.result != nil {
			return total, r.result
		}
		if err := r.fill(); err != nil {
			return total, err
		}
	}
}

// release waits for the last hashes, then wipes the chunks (they held
// body data) and returns them to the pool.
func (c *pipeline) release() {
	c.hashing.Wait()
	c.pending = nil
	for i, b := range c.bufs {
		if b != nil {
			clear(b[:c.used[i]])
			chunkPool.Put(b)
			c.bufs[i] = nil
		}
	}
}
