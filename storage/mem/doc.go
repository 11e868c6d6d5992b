// Package mem is an in-memory coffer.Store and coffer.KeyStore for tests and
// for wiring a server without a disk. Nothing survives the process; all
// state sits behind one lock, and byte slices are copied in and out so
// callers can never alias stored data.
//
// It imports the standard library, coffer and storage/internal/listing. It
// must not import net/http or any other Coffer package.
package mem
