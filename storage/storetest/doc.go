// Package storetest is the conformance suite every coffer.Store passes.
//
// A backend's test calls Run with a function that opens a new, empty store
// and arranges (with t.Cleanup) to close it. Run checks every method and
// every MUST of the coffer.Store contract, plus the conventions all Coffer
// stores share:
//
//   - Commit fills in the committed record in place: Bucket and Key from the
//     writer, a fresh DataID and StoredSize (the bytes written); part
//     writers also set Number.
//   - A failed Commit ends the writer and discards its data; Abort after
//     Commit is harmless.
//   - Methods naming a bucket that does not exist fail with ErrNoSuchBucket.
//   - OpenObjectData on data that was replaced or deleted fails with
//     ErrConcurrentUpdate; a range outside the stream fails.
//   - UpdateObject on a deleted object fails with ErrConcurrentUpdate and
//     never changes where data lives (DataID, StoredSize, parts).
//   - CompleteUpload installs the store's own part records for the numbers
//     named; a named ETag or DataID must match (ErrInvalidPart otherwise).
//     An unknown upload fails with ErrNoSuchUpload before any check runs;
//     a check's rejection is returned as the check's own error.
//   - UpdateUpload never changes an upload's parts, and never brings back
//     an upload that was completed or aborted.
//   - ListObjects: Limit outside 1..1000 means 1000; an entry (key or common
//     prefix) is listed only when greater than After; NextAfter is set only
//     on truncated pages; Truncated is exact.
//
// It imports testing, the standard library and coffer. It must not import
// net/http or any other Coffer package.
package storetest
