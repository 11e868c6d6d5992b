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
// A data ID is 32 lowercase hex digits, fresh for every object version and
// every part upload, so data is never overwritten in place. Inline data and
// temp files have 128 random bits; a file placed in objects/ keeps the last
// 120 of its temp name and takes the two hex digits of the shard its commit
// batch chose (see Group commit). meta.db holds these root buckets:
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
// to tmp/<id> (see Writing data files). Commit then, for a file: writes
// what is buffered, fdatasyncs it (its data, size and block map; the
// timestamps fsync would add are needed by nobody) and closes it. The
// committer renames it to objects/xx/<id> and fsyncs objects/xx. Only then
// does one bbolt transaction (fsynced on commit) check preconditions,
// install the record, index the file or store the inline bytes, and drop
// the replaced version (its inline bytes and index entry go in the same
// transaction). The replaced version's file is removed after the commit. A
// crash at any instant thus leaves each key with its old or its new
// version, never a record without its data or without the directory entry
// that finds it. CompleteUpload is one transaction that checks the caller's
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
// request queued while the previous transaction was committing in a single
// transaction, so concurrent small PUTs share one fsync. Before that
// transaction, the committer places the data files its records will name:
// it picks one random shard for the whole batch, renames every file from
// tmp/ into it under its final data ID (registered as live first, so the
// sweep leaves it alone) and fsyncs that one directory. Concurrent large
// PUTs so share one directory fsync per batch where random shards would
// cost one each (on journaled ext4 each forces a journal commit; measured
// on the development VM, eight renames into one directory and its fsync
// took a fifth to a third of the time of eight renames into eight
// directories and their fsyncs, run one after another or at once). A file
// whose rename or directory fsync fails is not placed: its request fails
// and its writer removes the file.
//
// # Writing data files
//
// On Linux, data files are written with O_DIRECT: straight from the
// writer's buffer to the device, without copying into the page cache. In
// the package's benchmarks buffered writes (the page-cache copy, then
// writeback at fdatasync) cost up to twice the CPU per byte of direct ones,
// and with dd on the development VM they ran at well under half the disk's
// direct-write throughput (627 MB/s against 1.5 GB/s). A spilled writer
// holds two pooled 1 MiB chunks aligned to 4096 bytes: while one is written
// in the background with a single pwrite, the writer fills the other, so
// hashing and encryption overlap the device write, which with O_DIRECT is
// synchronous. (A writer in buffered mode, which never waits for the
// device, uses one chunk and writes every 256 KiB at once.) Every direct
// write is a whole number of 4096-byte blocks at a 4096-aligned offset; the
// final partial block is written after clearing O_DIRECT on the file (fcntl
// F_SETFL), through the page cache, and the fdatasync that follows flushes
// it with the rest. Open probes tmp/ once with a one-block direct write; a
// file system that refuses O_DIRECT (EINVAL, as tmpfs before Linux 6.6)
// gets buffered writes, and so does a store whose file system refuses a
// later direct write (that write is redone through the page cache, same
// bytes, same offset). Options.BufferedIO turns direct I/O off; other
// platforms always write through the page cache.
//
// Direct writes leave nothing in the page cache, so the first read of a new
// object comes from the disk; OpenObjectData asks for sequential readahead
// and starts the first 4 MiB of the range at once (posix_fadvise) to make
// that read a few large ones. Durability is unchanged: direct writes alone
// are not durable (the device may cache them and the block map is not on
// disk), which is why the fdatasync stays.
//
// This package imports the standard library, bbolt, golang.org/x/sys/unix
// (on Linux; bbolt depends on it anyway), coffer and
// storage/internal/listing. It must not import net/http or any other Coffer
// package.
package fs
