package fs

import (
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// writeMode says how data files are written.
type writeMode int

const (
	// writeBuffered writes through the page cache.
	writeBuffered writeMode = iota
	// writeDirect writes whole aligned blocks straight to the device
	// (O_DIRECT), and only the final partial block through the page cache.
	writeDirect
)

func (m writeMode) String() string {
	if m == writeDirect {
		return "direct"
	}
	return "buffered"
}

const (
	// blockSize is the alignment of direct writes, in memory, in the file
	// and in length. 4096 is a multiple of every logical block size Linux
	// file systems use for direct I/O on ordinary disks; a file system
	// that wants more refuses the first write and the file falls back to
	// buffered writes (see dataFile.writeAt).
	blockSize = 4096
	// chunkSize is the unit of a data file's writes: one direct write per
	// chunk. 1 MiB measured best on the development VM: one stream of 256
	// KiB direct writes reached two thirds of its throughput and 4 MiB
	// writes no more, and 256 or 512 KiB chunks did not lower the server's
	// CPU per PUT. A spilled writer holds two.
	chunkSize = 1 << 20
	// bufferedPiece is what a data file in buffered mode gathers per
	// write(2), as the bufio.Writer it replaced did: small enough to stay
	// in the CPU cache for the copy into the page cache, where a whole
	// chunk measured slower.
	bufferedPiece = 256 << 10
)

// chunks pools the aligned write buffers of data files, so a stream of
// PUTs reuses them instead of allocating a megabyte each. They only ever
// hold stored bytes, which are ciphertext.
var chunks = sync.Pool{New: func() any { return newAlignedChunk() }}

// alignedChunk is a chunkSize buffer starting on a blockSize boundary.
type alignedChunk struct{ b []byte }

func newAlignedChunk() *alignedChunk {
	raw := make([]byte, chunkSize+blockSize)
	skip := (blockSize - int(uintptr(unsafe.Pointer(&raw[0]))%blockSize)) % blockSize
	return &alignedChunk{b: raw[skip : skip+chunkSize : skip+chunkSize]}
}

// dataFile writes one data file sequentially through aligned chunks. In
// direct mode it uses two: while one is written in the background, Write
// fills the other, so the caller's work (hashing, encryption) overlaps the
// device write, which with O_DIRECT is synchronous. Its memory is at most
// two chunks whatever the file's size.
type dataFile struct {
	f    *os.File
	mode writeMode
	fill *alignedChunk // the chunk Write copies into; nil once released
	n    int           // bytes in fill
	off  int64         // file offset of fill.b[0]
	// piece is how many bytes Write gathers before writing them:
	// chunkSize in direct mode, bufferedPiece in buffered mode. Fixed at
	// creation (a background write may change mode meanwhile).
	piece int
	// behind is the other chunk: being written in the background while
	// written is not nil (it then reports that write's outcome), idle
	// otherwise.
	behind  *alignedChunk
	written chan error
	// downgraded is called when the file system refused a direct write,
	// so the store stops trying.
	downgraded func()
}

// createDataFile creates path exclusively, opened for direct writes when
// mode asks for it.
func createDataFile(path string, mode writeMode, downgraded func()) (*dataFile, error) {
	if directFlag == 0 {
		mode = writeBuffered
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if mode == writeDirect {
		flags |= directFlag
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil && mode == writeDirect && refusesDirect(err) {
		downgraded()
		mode = writeBuffered
		f, err = os.OpenFile(path, flags&^directFlag, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("fs: %w", err)
	}
	piece := chunkSize
	if mode == writeBuffered {
		piece = bufferedPiece
	}
	return &dataFile{f: f, mode: mode, piece: piece, fill: chunks.Get().(*alignedChunk), downgraded: downgraded}, nil
}

func (d *dataFile) Name() string { return d.f.Name() }

// Write buffers p, writing each piece as it fills (see writeBehind). An
// error of a background write is returned by a later Write or finish.
func (d *dataFile) Write(p []byte) (int, error) {
	done := 0
	for len(p) > 0 {
		c := copy(d.fill.b[d.n:d.piece], p)
		d.n += c
		done += c
		p = p[c:]
		if d.n == d.piece {
			if err := d.writeBehind(); err != nil {
				return done, err
			}
		}
	}
	return done, nil
}

// writeBehind writes the full piece: in direct mode (a whole chunk) it
// starts the write in the background, once the previous one is done, and
// swaps in the other chunk to fill; a buffered write does not wait for
// the device, so it is done at once from the same chunk.
func (d *dataFile) writeBehind() error {
	if err := d.wait(); err != nil {
		return err
	}
	full, n, off := d.fill, d.n, d.off
	d.off += int64(n)
	d.n = 0
	if d.mode == writeBuffered {
		return d.writeAt(full.b[:n], off)
	}
	if d.behind == nil {
		d.behind = chunks.Get().(*alignedChunk)
	}
	d.fill, d.behind = d.behind, full
	d.written = make(chan error, 1)
	go func() { d.written <- d.writeAt(full.b[:n], off) }()
	return nil
}

// wait waits for the background write, if one is running.
func (d *dataFile) wait() error {
	if d.written == nil {
		return nil
	}
	err := <-d.written
	d.written = nil
	return err
}

// writeAt writes b (whole blocks, in direct mode) at off.
func (d *dataFile) writeAt(b []byte, off int64) error {
	_, err := d.f.WriteAt(b, off)
	if err != nil && d.mode == writeDirect && refusesDirect(err) {
		// Opening with O_DIRECT worked but this file system does not take
		// these writes (an alignment it does not support): write through
		// the page cache instead, the same bytes at the same offset.
		if err = d.toBuffered(); err == nil {
			d.downgraded()
			_, err = d.f.WriteAt(b, off)
		}
	}
	if err != nil {
		return fmt.Errorf("fs: write %s: %w", d.f.Name(), err)
	}
	return nil
}

func (d *dataFile) toBuffered() error {
	if err := bufferedFromNowOn(d.f); err != nil {
		return err
	}
	d.mode = writeBuffered
	return nil
}

// finish writes everything still buffered: the whole blocks as before,
// then the final partial block, which a direct write cannot carry,
// through the page cache. It returns the chunks to the pool; the file
// stays open.
func (d *dataFile) finish() error {
	defer d.release()
	if err := d.wait(); err != nil {
		return err
	}
	whole := d.n
	if d.mode == writeDirect {
		whole = d.n &^ (blockSize - 1)
	}
	if whole > 0 {
		if err := d.writeAt(d.fill.b[:whole], d.off); err != nil {
			return err
		}
	}
	if whole == d.n {
		return nil
	}
	if d.mode == writeDirect {
		if err := d.toBuffered(); err != nil {
			return err
		}
	}
	return d.writeAt(d.fill.b[whole:d.n], d.off+int64(whole))
}

// release waits for the background write and returns both chunks to the
// pool; no write may use them afterwards.
func (d *dataFile) release() {
	d.wait()
	for _, c := range []*alignedChunk{d.fill, d.behind} {
		if c != nil {
			chunks.Put(c)
		}
	}
	d.fill, d.behind = nil, nil
}

// close releases the file and, if finish did not run, the chunks.
func (d *dataFile) close() error {
	d.release()
	return d.f.Close()
}
