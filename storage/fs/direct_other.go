//go:build !linux

package fs

import "os"

// directFlag is zero where Coffer does not use direct I/O: Open then
// writes every data file through the page cache.
const directFlag = 0

func bufferedFromNowOn(f *os.File) error { return nil }

func isDirect(f *os.File) (bool, error) { return false, nil }

func syncData(f *os.File) error { return f.Sync() }

func refusesDirect(err error) bool { return false }

func readAhead(f *os.File, offset, length int64) {}
