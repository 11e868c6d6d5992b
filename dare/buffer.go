package dare

import "sync"

// packageBuffer holds one stored package. Streams take one from a pool and
// give it back wiped when they end, so a busy server reuses a few buffers
// instead of allocating 64 KiB per stream.
type packageBuffer [maxStoredPackage]byte

var packageBuffers = sync.Pool{New: func() any { return new(packageBuffer) }}

func getPackageBuffer() *packageBuffer { return packageBuffers.Get().(*packageBuffer) }

// putPackageBuffer wipes b, which held plaintext, and returns it to the pool.
func putPackageBuffer(b *packageBuffer) {
	clear(b[:])
	packageBuffers.Put(b)
}
