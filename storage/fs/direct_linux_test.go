//go:build linux

package fs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/cofferlabs/coffer"
	"golang.org/x/sys/unix"
)

// takesDirectWrites asks the kernel directly, without the package's code,
// whether dir's file system accepts an aligned O_DIRECT write.
func takesDirectWrites(t *testing.T, dir string) bool {
	t.Helper()
	path := filepath.Join(dir, "independent-probe")
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_DIRECT, 0o600)
	if errors.Is(err, unix.EINVAL) {
		return false
	}
	noErr(t, err)
	defer os.Remove(path)
	defer unix.Close(fd)
	raw := make([]byte, 2*blockSize)
	skip := (blockSize - int(uintptr(unsafe.Pointer(&raw[0]))%blockSize)) % blockSize
	_, err = unix.Pwrite(fd, raw[skip:skip+blockSize], 0)
	if errors.Is(err, unix.EINVAL) {
		return false
	}
	noErr(t, err)
	return true
}

// TestOpenChoosesWriteMode checks Open's probe against an independent one
// for the test's temp directory and, where the system offers one, for
// tmpfs; and that a spilled writer's file is opened accordingly.
func TestOpenChoosesWriteMode(t *testing.T) {
	type dirCase struct {
		name string
		dir  func(t *testing.T) string
	}
	dirs := []dirCase{{"TempDir", func(t *testing.T) string { return t.TempDir() }}}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		dirs = append(dirs, dirCase{"Tmpfs", func(t *testing.T) string {
			dir, err := os.MkdirTemp("/dev/shm", "coffer-fs-test")
			if err != nil {
				t.Skipf("/dev/shm: %v", err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}})
	}
	for _, dc := range dirs {
		for _, buffered := range []bool{false, true} {
			name := dc.name + "/Default"
			if buffered {
				name = dc.name + "/BufferedIO"
			}
			t.Run(name, func(t *testing.T) {
				dir := dc.dir(t)
				want := !buffered && takesDirectWrites(t, dir)
				s := openTest(t, dir, Options{NoSync: true, BufferedIO: buffered})
				if got := s.direct.Load(); got != want {
					t.Fatalf("store writes direct: %v, want %v", got, want)
				}
				entries, err := os.ReadDir(filepath.Join(dir, tmpDir))
				noErr(t, err)
				if len(entries) != 0 {
					t.Fatalf("the probe left %d files in tmp", len(entries))
				}
				ctx := t.Context()
				noErr(t, s.CreateBucket(ctx, coffer.BucketRecord{Name: "b"}))
				dw, err := s.NewObjectWriter(ctx, "b", "k")
				noErr(t, err)
				defer dw.Abort()
				_, err = dw.Write(newLarge)
				noErr(t, err)
				direct, err := isDirect(dw.(*writer).file.f)
				noErr(t, err)
				if direct != want {
					t.Fatalf("spilled writer's file has O_DIRECT %v, want %v", direct, want)
				}
			})
		}
	}
}
