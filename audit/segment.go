package audit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Segment files hold consecutive records, one per line; the number in the
// name is the seq of the first record the segment was created for, zero
// padded so that names sort in seq order.
const (
	segmentPrefix = "audit-"
	segmentSuffix = ".jsonl"
	segmentDigits = 20
)

type segment struct {
	name  string // base name
	path  string
	first uint64 // seq from the name
}

func segmentName(first uint64) string {
	return fmt.Sprintf("%s%0*d%s", segmentPrefix, segmentDigits, first, segmentSuffix)
}

func parseSegmentName(name string) (uint64, bool) {
	digits, ok := strings.CutPrefix(name, segmentPrefix)
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, segmentSuffix)
	if !ok || len(digits) != segmentDigits {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil && n > 0
}

// listSegments returns dir's segments in seq order.
func listSegments(dir string) ([]segment, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var segs []segment
	for _, e := range entries {
		if first, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			segs = append(segs, segment{name: e.Name(), path: filepath.Join(dir, e.Name()), first: first})
		}
	}
	slices.SortFunc(segs, func(a, b segment) int { return strings.Compare(a.name, b.name) })
	return segs, nil
}

// forwardLines reads a segment's lines in order, up to its last newline:
// bytes after it (a write in progress, or a crash's torn line) are left to
// the caller through partialTail.
type forwardLines struct {
	r      *bufio.Reader
	offset int64 // of the next line
	number int   // of the next line, from 1
	err    error
	tail   int64 // bytes after the last newline, known at EOF
}

func newForwardLines(r io.Reader) *forwardLines {
	return &forwardLines{r: bufio.NewReaderSize(r, 256<<10), number: 1}
}

// next returns the next complete line without its newline, its offset and
// number, and whether it fits maxLineBytes. The line is valid until the
// next call. ok is false at the end or on error (see err).
func (f *forwardLines) next() (line []byte, offset int64, number int, fits, ok bool) {
	offset, number = f.offset, f.number
	var long int64
	for {
		chunk, err := f.r.ReadSlice('\n')
		switch {
		case err == nil:
			f.offset += long + int64(len(chunk))
			f.number++
			if long > 0 || len(chunk)-1 > maxLineBytes {
				return nil, offset, number, false, true
			}
			return chunk[:len(chunk)-1], offset, number, true, true
		case errors.Is(err, bufio.ErrBufferFull):
			// A line longer than the buffer is damage: skip to its end.
			long += int64(len(chunk))
			continue
		case errors.Is(err, io.EOF):
			f.tail = long + int64(len(chunk))
			return nil, offset, number, false, false
		default:
			f.err = err
			return nil, offset, number, false, false
		}
	}
}

// backwardLines reads a file's complete lines from the end towards the
// start, holding at most one chunk plus one line in memory. Bytes after
// the last newline at the size given are ignored.
type backwardLines struct {
	f     *os.File
	start int64  // file offset of buf[0]
	buf   []byte // unread bytes [start, start+len(buf)); ends with '\n' unless empty
	skip  bool   // inside a line longer than maxLineBytes; buf holds what precedes the dropped part
}

const backwardChunk = 64 << 10

func newBackwardLines(f *os.File, size int64) (*backwardLines, error) {
	b := &backwardLines{f: f, start: size}
	// Drop an incomplete final line.
	for b.start > 0 {
		if err := b.load(); err != nil {
			return nil, err
		}
		if i := lastNewline(b.buf); i >= 0 {
			b.buf = b.buf[:i+1]
			return b, nil
		}
		b.buf = b.buf[:0]
	}
	return b, nil
}

// next returns the previous complete line without its newline and its
// offset; fits is false for a line longer than maxLineBytes (returned
// empty). ok is false at the start of the file.
func (b *backwardLines) next() (line []byte, offset int64, fits, ok bool, err error) {
	for {
		if b.skip {
			// Inside a line too long to hold: buf holds bytes before what was
			// dropped; the line starts after the last newline among them.
			if i := lastNewline(b.buf); i >= 0 || b.start == 0 {
				b.buf, b.skip = b.buf[:i+1], false
				return nil, b.start + int64(i+1), false, true, nil
			}
			b.buf = b.buf[:0]
		} else if len(b.buf) == 0 && b.start == 0 {
			return nil, 0, false, false, nil
		} else if len(b.buf) > 0 {
			if i := lastNewline(b.buf[:len(b.buf)-1]); i >= 0 || b.start == 0 {
				line = b.buf[i+1 : len(b.buf)-1]
				offset = b.start + int64(i+1)
				b.buf = b.buf[:i+1]
				if len(line) > maxLineBytes {
					return nil, offset, false, true, nil
				}
				return line, offset, true, true, nil
			}
			if len(b.buf) > maxLineBytes+1 {
				b.buf, b.skip = b.buf[:0], true
				continue
			}
		}
		if err := b.load(); err != nil {
			return nil, 0, false, false, err
		}
	}
}

// load prepends up to one chunk from before start.
func (b *backwardLines) load() error {
	n := min(int64(backwardChunk), b.start)
	next := make([]byte, int(n)+len(b.buf))
	if _, err := b.f.ReadAt(next[:n], b.start-n); err != nil {
		return err
	}
	copy(next[n:], b.buf)
	b.buf, b.start = next, b.start-n
	return nil
}

func lastNewline(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			return i
		}
	}
	return -1
}

// lastLine returns the last complete line of the file at path.
func lastLine(path string) ([]byte, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	b, err := newBackwardLines(f, info.Size())
	if err != nil {
		return nil, false, err
	}
	line, _, fits, ok, err := b.next()
	if err != nil || !ok || !fits {
		return nil, false, err
	}
	return slices.Clone(line), true, nil
}

// firstLine returns the first complete line of the file at path.
func firstLine(path string) ([]byte, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	lines := newForwardLines(f)
	line, _, _, fits, ok := lines.next()
	if !ok || !fits {
		return nil, false, lines.err
	}
	return slices.Clone(line), true, nil
}
