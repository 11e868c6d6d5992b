package fs

import (
	"bytes"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"unsafe"
)

// directDir returns a directory whose file system takes direct writes, or
// skips the test.
func directDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var refused atomic.Bool
	f, err := createDataFile(filepath.Join(dir, "probe"), writeDirect, func() { refused.Store(true) })
	noErr(t, err)
	defer f.close()
	if _, err := f.Write(make([]byte, blockSize)); err != nil {
		t.Fatal(err)
	}
	noErr(t, f.finish())
	if refused.Load() || f.mode != writeDirect {
		t.Skipf("the file system of %s refuses direct I/O", dir)
	}
	return dir
}

// TestDataFile writes files of sizes around the block and chunk
// boundaries, in several write sizes, and checks the bytes on disk, that
// direct mode really had O_DIRECT set while writing, and that it is
// cleared exactly when a partial final block had to go through the page
// cache.
func TestDataFile(t *testing.T) {
	sizes := []struct {
		name string
		n    int
	}{
		{"Empty", 0},
		{"OneByte", 1},
		{"BlockLess1", blockSize - 1},
		{"Block", blockSize},
		{"BlockPlus1", blockSize + 1},
		{"ChunkLess1", chunkSize - 1},
		{"Chunk", chunkSize},
		{"ChunkPlus1", chunkSize + 1},
		{"ThreeChunks", 3 * chunkSize},
		{"ChunksBlocksAndTail", 2*chunkSize + 3*blockSize + 17},
	}
	writes := []struct {
		name string
		size int
	}{
		{"OneWrite", 1 << 30},
		{"DarePackages", 64<<10 + 32},
		{"OddWrites", 1000},
	}
	modes := []writeMode{writeDirect, writeBuffered}
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			if mode == writeDirect {
				dir = directDir(t)
			}
			for _, size := range sizes {
				for _, wr := range writes {
					t.Run(size.name+"/"+wr.name, func(t *testing.T) {
						data := testData(uint64(size.n), size.n)
						path := filepath.Join(dir, size.name+wr.name)
						d, err := createDataFile(path, mode, func() { t.Error("direct write refused") })
						noErr(t, err)
						for p := data; len(p) > 0; {
							n := min(len(p), wr.size)
							if _, err := d.Write(p[:n]); err != nil {
								t.Fatal(err)
							}
							p = p[n:]
						}
						direct, err := isDirect(d.f)
						noErr(t, err)
						if direct != (mode == writeDirect) {
							t.Fatalf("O_DIRECT set while writing: %v, want %v", direct, mode == writeDirect)
						}
						noErr(t, d.finish())
						direct, err = isDirect(d.f)
						noErr(t, err)
						wantDirect := mode == writeDirect && size.n%blockSize == 0
						if direct != wantDirect {
							t.Fatalf("O_DIRECT set after finish: %v, want %v", direct, wantDirect)
						}
						noErr(t, syncData(d.f))
						noErr(t, d.close())
						got, err := os.ReadFile(path)
						noErr(t, err)
						if !bytes.Equal(got, data) {
							t.Fatalf("file holds %d bytes, not the %d written", len(got), len(data))
						}
					})
				}
			}
		})
	}
}

// TestDataFileFallsBack makes a direct write the file system refuses (from
// a chunk one byte off alignment) and checks that the file falls back to
// buffered writes, tells the store once, and still holds exactly what was
// written.
func TestDataFileFallsBack(t *testing.T) {
	dir := directDir(t)
	path := filepath.Join(dir, "f")
	var downgraded atomic.Int32
	d, err := createDataFile(path, writeDirect, func() { downgraded.Add(1) })
	noErr(t, err)
	defer d.close()
	raw := make([]byte, chunkSize+2*blockSize)
	skip := (blockSize-int(uintptr(unsafe.Pointer(&raw[0]))%blockSize))%blockSize + 1
	misaligned := &alignedChunk{b: raw[skip : skip+chunkSize]}
	chunks.Put(d.fill)
	d.fill = misaligned
	data := testData(11, chunkSize+5*blockSize+7)
	if _, err := d.Write(data); err != nil {
		t.Fatal(err)
	}
	// The misaligned chunk went to the background write; keep it out of
	// the pool.
	noErr(t, d.wait())
	if d.behind != misaligned {
		t.Fatal("the first chunk was not written in the background")
	}
	d.behind = nil
	if d.mode == writeDirect {
		t.Skip("the file system took a misaligned direct write")
	}
	if n := downgraded.Load(); n != 1 {
		t.Fatalf("store told %d times, want once", n)
	}
	noErr(t, d.finish())
	noErr(t, d.close())
	got, err := os.ReadFile(path)
	noErr(t, err)
	if !bytes.Equal(got, data) {
		t.Fatalf("file holds %d bytes, not the %d written", len(got), len(data))
	}
}

// TestDataFileCloseDuringWrite closes a file (as Abort does) while a
// background write may still run; the race detector checks that the
// chunks go back to the pool only once that write is done.
func TestDataFileCloseDuringWrite(t *testing.T) {
	for _, mode := range []writeMode{writeDirect, writeBuffered} {
		t.Run(mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			d, err := createDataFile(path, mode, func() {})
			noErr(t, err)
			if _, err := d.Write(testData(12, 3*chunkSize+100)); err != nil {
				t.Fatal(err)
			}
			noErr(t, d.close())
			if d.fill != nil || d.behind != nil || d.written != nil {
				t.Fatal("close left chunks or a write behind")
			}
			noErr(t, os.Remove(path))
		})
	}
}
