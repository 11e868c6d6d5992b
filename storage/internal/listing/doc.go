// Package listing selects one page of an S3-style key listing (prefix,
// delimiter roll-up into common prefixes, exclusive start, limit) from any
// ordered key cursor, so every Store lists keys the same way. A delimiter
// listing seeks past a whole common prefix instead of visiting its keys.
//
// It imports the standard library and coffer only. It must not import
// net/http or any other Coffer package.
package listing
