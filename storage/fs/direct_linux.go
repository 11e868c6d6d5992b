//go:build linux

package fs

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// directFlag is the open flag that sends writes straight to the device.
const directFlag = unix.O_DIRECT

// bufferedFromNowOn clears O_DIRECT on an open file, so the writes that
// follow may have any length and offset.
func bufferedFromNowOn(f *os.File) error {
	fd := int(f.Fd())
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return fmt.Errorf("fs: fcntl %s: %w", f.Name(), err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags&^unix.O_DIRECT); err != nil {
		return fmt.Errorf("fs: fcntl %s: %w", f.Name(), err)
	}
	return nil
}

// isDirect reports whether writes to f currently bypass the page cache.
func isDirect(f *os.File) (bool, error) {
	flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
	if err != nil {
		return false, fmt.Errorf("fs: fcntl %s: %w", f.Name(), err)
	}
	return flags&unix.O_DIRECT != 0, nil
}

// syncData makes f's data and the metadata needed to read it back (size,
// block map) durable; unlike fsync it skips timestamps, which no reader
// needs.
func syncData(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// refusesDirect reports whether err is how a file system says it cannot
// do direct I/O (on open, or on a write whose alignment it does not
// accept).
func refusesDirect(err error) bool {
	return errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP)
}

// readAheadNow is how much of a range OpenObjectData asks the kernel to
// start reading at once; the rest follows by sequential readahead.
const readAheadNow = 4 << 20

// readAhead asks the kernel to read [offset, offset+length) of f soon and
// in large sequential steps: data written with O_DIRECT is not in the page
// cache, and a GET reads it front to back. These are hints: an error only
// costs speed, so none is returned.
func readAhead(f *os.File, offset, length int64) {
	fd := int(f.Fd())
	unix.Fadvise(fd, offset, length, unix.FADV_SEQUENTIAL)
	unix.Fadvise(fd, offset, min(length, readAheadNow), unix.FADV_WILLNEED)
}
