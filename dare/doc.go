// Package dare is Coffer's streaming ciphertext format for object data:
// the plaintext is cut into packages of PackageSize (64 KiB) bytes and each
// package is sealed on its own with AES-256-GCM, so a stream of any length
// is encrypted and decrypted in constant memory and a byte range is read by
// decrypting only the packages that overlap it.
//
// Every package carries a small header (version, flags, payload length and
// a random per-stream nonce) that is authenticated as GCM additional data;
// the package's sequence number is mixed into its GCM nonce. Reordering,
// dropping, duplicating, truncating, extending or splicing packages, and
// flipping any bit, make reading fail with ErrAuthentication; no plaintext of
// a package is released before its tag verifies. Every package but the final
// one holds exactly PackageSize plaintext bytes and costs PackageOverhead
// extra bytes, so package i starts at i*(PackageSize+PackageOverhead).
//
// FORMAT.md in this directory gives the byte layout, the nonce construction,
// the limits and the versioning rule.
//
// Callers must use a fresh key per stream (Coffer derives one per object and
// part); the random stream nonce keeps (key, nonce) pairs unique even when a
// key is reused, but only a distinct key binds a stream to its object.
//
// This package imports the standard library only (golang.org/x/crypto is
// allowed, and unused). It must not import net/http or any Coffer package.
package dare
