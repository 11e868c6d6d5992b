// Package keystoretest is the conformance suite every coffer.KeyStore
// passes. A backend's test calls Run with a function that opens a new,
// empty key store and arranges (with t.Cleanup) to close it.
//
// Besides the interface's errors it checks that stored bytes are copied in
// and out, that an empty sealed value round-trips, and that concurrent
// CreateKey calls for one name let exactly one win.
//
// It imports testing, the standard library and coffer. It must not import
// net/http or any other Coffer package.
package keystoretest
