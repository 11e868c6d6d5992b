package coffer

import (
	"context"
	"io"
	"time"
)

// Store keeps buckets, object records and object data (ciphertext) for a
// Service. It knows nothing of encryption or HTTP: data is opaque bytes,
// SealedKey is an opaque blob. storage/storetest is the conformance suite
// every implementation passes.
//
// Implementations MUST:
//   - make CommitObject, CompleteUpload and DeleteObject atomic: after a
//     crash at any instant each key holds its old record and data or its
//     new ones, never a mix and never a record without its data;
//   - run the check of a conditional write (CommitRecord.Check, the check
//     argument of CompleteUpload) in the same transaction as the commit, so
//     no other write to the key can slip in between;
//   - make a committed write durable (fsync or equivalent) before the
//     commit returns;
//   - return ErrNoSuchBucket, ErrNoSuchKey, ErrNoSuchUpload,
//     ErrBucketExists, ErrBucketNotEmpty as documented per method;
//   - remove the data of replaced or deleted objects, of aborted uploads and
//     of writers that were aborted or never committed (temp files left by a
//     crash are removed on the next open);
//   - be safe for concurrent use.
type Store interface {
	CreateBucket(ctx context.Context, rec BucketRecord) error // ErrBucketExists
	GetBucket(ctx context.Context, name string) (BucketRecord, error)
	// UpdateBucket applies fn to the record in one transaction.
	UpdateBucket(ctx context.Context, name string, fn func(*BucketRecord) error) error
	// DeleteBucket fails with ErrBucketNotEmpty while it holds objects or
	// uploads.
	DeleteBucket(ctx context.Context, name string) error
	ListBuckets(ctx context.Context) ([]BucketRecord, error) // sorted by name

	// NewObjectWriter starts writing the data of a new version of
	// bucket/key. Nothing is visible until Commit. ErrNoSuchBucket.
	NewObjectWriter(ctx context.Context, bucket, key string) (DataWriter, error)
	// GetObject returns the current record. ErrNoSuchKey.
	GetObject(ctx context.Context, bucket, key string) (ObjectRecord, error)
	// OpenObjectData reads length bytes of stored data from offset within
	// one data stream of rec: stream 0 for single-part objects, or the
	// index into rec.Parts for multipart ones. If the object has been
	// replaced since rec was read, it fails with ErrConcurrentUpdate.
	OpenObjectData(ctx context.Context, rec ObjectRecord, stream int, offset, length int64) (io.ReadCloser, error)
	// UpdateObject rewrites a record without touching its data (key
	// re-wrapping, metadata), provided the object still has data id
	// rec.DataID; otherwise ErrConcurrentUpdate.
	UpdateObject(ctx context.Context, rec ObjectRecord) error
	// DeleteObject removes the record and its data. ErrNoSuchKey.
	DeleteObject(ctx context.Context, bucket, key string) error
	// ListObjects pages through records in byte order of key.
	ListObjects(ctx context.Context, bucket string, q ListQuery) (RecordPage, error)

	// CreateUpload records a new multipart upload (rec.ID set by caller).
	CreateUpload(ctx context.Context, rec UploadRecord) error
	GetUpload(ctx context.Context, bucket, key, uploadID string) (UploadRecord, error) // ErrNoSuchUpload
	// NewPartWriter starts writing a part; Commit replaces an earlier part
	// with the same number. ErrNoSuchUpload.
	NewPartWriter(ctx context.Context, bucket, key, uploadID string, part int) (DataWriter, error)
	ListParts(ctx context.Context, bucket, key, uploadID string) ([]PartRecord, error) // by number
	// CompleteUpload atomically makes rec (whose Parts name uploaded parts,
	// in order) the object's current version, keeping those parts' data
	// without copying it, and removes the upload with its other parts.
	// ErrNoSuchUpload; ErrInvalidPart when a part in rec.Parts is missing.
	// check, if non-nil, vets the key's current record (nil when absent)
	// in the commit's own transaction, so a conditional completion
	// (If-None-Match, If-Match) cannot race another write; when it rejects,
	// CompleteUpload returns check's error and changes nothing: the upload,
	// its parts and the current object all stay. check may run more than
	// once and must only inspect the record it is given.
	CompleteUpload(ctx context.Context, uploadID string, rec ObjectRecord, check func(current *ObjectRecord) error) error
	// UpdateUpload rewrites the record of the upload rec.ID of
	// rec.Bucket/rec.Key (key re-wrapping) without touching its parts.
	// ErrNoSuchUpload.
	UpdateUpload(ctx context.Context, rec UploadRecord) error
	AbortUpload(ctx context.Context, bucket, key, uploadID string) error    // ErrNoSuchUpload
	ListUploads(ctx context.Context, bucket string) ([]UploadRecord, error) // by key, then initiation

	// WalkObjects calls fn for every object record in every bucket, in
	// (bucket, key) order, starting past the record named by after (used
	// by key re-wrapping, which walks uploads with ListBuckets and
	// ListUploads); it stops at the first error fn returns.
	WalkObjects(ctx context.Context, after ObjectID, fn func(ObjectRecord) error) error

	Close() error
}

// DataWriter receives data for an object or part. Exactly one of Commit or
// Abort must be called.
type DataWriter interface {
	io.Writer
	// Commit makes the data durable and installs rec (object writers) or
	// the part record (part writers) atomically. For object writers it
	// fails with ErrPreconditionFailed when check rejects the current
	// record (nil when the key does not exist).
	Commit(ctx context.Context, rec CommitRecord) error
	Abort() error
}

// CommitRecord is what a DataWriter installs on Commit: an object record
// for object writers, a part record for part writers.
type CommitRecord struct {
	Object *ObjectRecord
	Part   *PartRecord
	// Check, if set, vets the current record of the key before an object
	// commit replaces it (conditional writes).
	Check func(current *ObjectRecord) error
}

// ObjectID names an object for walks.
type ObjectID struct{ Bucket, Key string }

// ObjectRecord is what a Store keeps for an object. SealedKey and the
// Encryption fields are filled by the Service; DataID and StoredSize by the
// Store.
type ObjectRecord struct {
	Bucket     string         `json:"b"`
	Key        string         `json:"k"`
	DataID     string         `json:"d"`  // the store's name for this version's data
	Size       int64          `json:"s"`  // plaintext bytes
	StoredSize int64          `json:"ss"` // stored bytes of stream 0 (single-part)
	ETag       string         `json:"e"`
	Modified   time.Time      `json:"m"`
	Meta       ObjectMeta     `json:"meta"`
	Checksum   Checksum       `json:"ck,omitempty"`
	Encryption EncryptionInfo `json:"enc"`
	SealedKey  []byte         `json:"sk"`
	// UploadID is set for objects made by CompleteMultipartUpload; the
	// object key is bound to it.
	UploadID string       `json:"u,omitempty"`
	Parts    []PartRecord `json:"p,omitempty"`
}

// Info is the public view of a record.
func (r ObjectRecord) Info() ObjectInfo {
	info := ObjectInfo{
		Bucket: r.Bucket, Key: r.Key, Size: r.Size, ETag: r.ETag,
		LastModified: r.Modified, Meta: r.Meta, Checksum: r.Checksum,
		Encryption: r.Encryption, PartsCount: len(r.Parts),
	}
	for _, p := range r.Parts {
		info.Parts = append(info.Parts, p.Info())
	}
	return info
}

// PartRecord is what a Store keeps for an uploaded part.
type PartRecord struct {
	Number     int       `json:"n"`
	DataID     string    `json:"d"`  // set by the Store
	Size       int64     `json:"s"`  // plaintext bytes
	StoredSize int64     `json:"ss"` // stored bytes, set by the Store
	ETag       string    `json:"e"`
	Modified   time.Time `json:"m"`
	Checksum   Checksum  `json:"ck,omitempty"`
	// Nonce is service data bound into the part's key derivation.
	Nonce []byte `json:"nc,omitempty"`
}

// Info is the public view of a part record.
func (p PartRecord) Info() PartInfo {
	return PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, LastModified: p.Modified, Checksum: p.Checksum}
}

// UploadRecord is what a Store keeps for an in-progress multipart upload.
type UploadRecord struct {
	Bucket       string            `json:"b"`
	Key          string            `json:"k"`
	ID           string            `json:"id"`
	Initiated    time.Time         `json:"t"`
	Meta         ObjectMeta        `json:"meta"`
	Encryption   EncryptionInfo    `json:"enc"`
	SealedKey    []byte            `json:"sk"`
	Checksum     ChecksumAlgorithm `json:"ck,omitempty"`
	ChecksumType ChecksumType      `json:"ckt,omitempty"`
}

// Info is the public view of an upload record.
func (u UploadRecord) Info() UploadInfo {
	return UploadInfo{Bucket: u.Bucket, Key: u.Key, UploadID: u.ID, Initiated: u.Initiated,
		Meta: u.Meta, Encryption: u.Encryption, Checksum: u.Checksum, ChecksumType: u.ChecksumType}
}

// RecordPage is one page of Store.ListObjects.
type RecordPage struct {
	Objects        []ObjectRecord
	CommonPrefixes []string
	Truncated      bool
	NextAfter      string
}

// KeyStore keeps named key material that the caller has already sealed
// (master keys now, KMS keys later). keystoretest is its conformance suite.
// Implementations MUST be durable on return and safe for concurrent use.
type KeyStore interface {
	CreateKey(ctx context.Context, name string, sealed []byte) error // ErrKeyExists
	PutKey(ctx context.Context, name string, sealed []byte) error    // create or replace
	GetKey(ctx context.Context, name string) ([]byte, error)         // ErrKeyNotFound
	DeleteKey(ctx context.Context, name string) error                // ErrKeyNotFound
	ListKeys(ctx context.Context, prefix string) ([]string, error)   // sorted
}
