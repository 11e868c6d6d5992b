// Package checksum hashes request bodies the way S3 does: the MD5 that is
// a single-part object's ETag, the SHA-256 a signed payload declares, and
// the additional checksums of x-amz-checksum-* (CRC32, CRC32C, CRC64NVME,
// SHA1, SHA256), all computed in one pass and verified at EOF.
//
// A Reader feeds every hash it needs from the same buffers. With one hash
// (MD5, the common case) it hashes inline, without goroutines; with more it
// runs one goroutine per hash over large chunks, so the slowest hash rather
// than the sum of them bounds throughput.
//
// Checksum values are base64 of the big-endian checksum bytes, as S3 puts
// them in headers (x-amz-checksum-crc32 is base64 of four bytes). The
// package also builds multipart values: COMPOSITE checksums, FULL_OBJECT
// CRCs combined from the parts' CRCs, and multipart ETags.
//
// This package imports the standard library, the root coffer package (for
// BodyCheck, the algorithm names and the sentinel errors),
// github.com/klauspost/crc32 and github.com/minio/crc64nvme only. It must
// not import net/http or any other Coffer package.
package checksum
