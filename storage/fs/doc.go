// Package fs is Coffer's embedded local backend, the default: a
// coffer.Store and coffer.KeyStore keeping records in one bbolt database
// and object data in files.
//
// # Layout on disk
//
//	dir/meta.db            bbolt database: every record, small objects' data, sealed keys
//	dir/objects/xx/<id>    one file per data ID too large to inline; xx = first two hex digits
//	dir/tmp/<id>           data being written; renamed into objects/ before its record commits
//
// A data ID is 32 lowercase hex digits (128 random bits), fresh for every
// object version and every part upload, so data is never overwritten in
// place. meta.db holds these root buckets:
//
//	meta      "format" -> "1" (the layout version; Open refuses others)
//	buckets   bucket name -> BucketRecord
//	objects   one nested bucket per S3 bucket: object key -> ObjectRecord
//	uploads   one nested bucket per S3 bucket: upload ID -> UploadRecord
//	parts     one nested bucket per upload ID: part number (uint32 big endian) -> PartRecord
//	inline    data ID -> 0x01 followed by the stored bytes (stored size <= InlineThreshold)
//	files     data ID -> 0x01, for every data file a record names
//	keys      key name -> 0x01 followed by the sealed key bytes (KeyStore)
//
// Every record value is one version byte, 0x01, followed by the JSON
// encoding of the coffer record type (field names are the json tags of
// package coffer). An ObjectRecord's data is found by DataID (single-part)
// or by Parts[i].DataID (multipart; the object's own DataID then names no
// data and only tells versions apart): first in inline, else as a file.
// ListObjects is a cursor walk over the bucket's nested bucket; a
// delimiter listing seeks past each common prefix.
//
// # Crash safety
//
// A write keeps up to InlineThreshold bytes in memory; past that it spills
// to tmp/<id> and streams through a fixed buffer. Commit then, for a file:
// flushes and fsyncs it, renames it to objects/xx/<id> and fsyncs
// objects/xx. Only then does one bbolt transaction (fsynced on commit)
// check preconditions, install the record, index the file or store the
// inline bytes, and drop the replaced version (its inline bytes and index
// entry go in the same transaction). The replaced version's file is
// removed after the commit. A crash at any instant thus leaves each key
// with its old or its new version, never a record without its data.
// CompleteUpload is one transaction that checks the caller's
// precondition, installs the object (whose Parts keep the uploaded parts'
// data IDs: nothing is copied) and deletes the upload; the files of parts
// left out are removed after it commits. UpdateUpload rewrites only the
// upload's record, never its parts or their data.
//
// Files a crash leaves behind (temp files, placed files never committed,
// replaced data not yet removed) are removed by a sweep that Open starts
// in the background; see Store.Swept.
//
// # Group commit
//
// All record writes go through one committer goroutine that runs every
// request queued while the previous transaction was committing in a
// single transaction, so concurrent small PUTs share one fsync.
//
// This package imports the standard library, bbolt, coffer and
// storage/internal/listing. It must not import net/http or any other
// Coffer package.
package fs
