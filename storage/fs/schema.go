package fs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Names on disk; doc.go describes the layout.
const (
	metaFile   = "meta.db"
	objectsDir = "objects"
	tmpDir     = "tmp"
)

// formatVersion is the version of the whole layout, kept in meta/format.
const formatVersion = "1"

// recordVersion is the first byte of every JSON record and inline value.
const recordVersion byte = 1

var (
	bucketMeta    = []byte("meta")
	bucketBuckets = []byte("buckets")
	bucketObjects = []byte("objects")
	bucketUploads = []byte("uploads")
	bucketParts   = []byte("parts")
	bucketInline  = []byte("inline")
	bucketFiles   = []byte("files")
	bucketKeys    = []byte("keys")
	keyFormat     = []byte("format")
)

var rootBuckets = [][]byte{bucketMeta, bucketBuckets, bucketObjects, bucketUploads, bucketParts, bucketInline, bucketFiles, bucketKeys}

// initSchema creates the root buckets of a new meta.db and refuses one
// written in another format.
func initSchema(tx *bolt.Tx) error {
	if meta := tx.Bucket(bucketMeta); meta != nil {
		if v := string(meta.Get(keyFormat)); v != formatVersion {
			return fmt.Errorf("meta.db has format %q, this build reads %q", v, formatVersion)
		}
	}
	for _, name := range rootBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketMeta).Put(keyFormat, []byte(formatVersion))
}

// encode writes a record as its version byte followed by JSON.
func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append([]byte{recordVersion}, b...), nil
}

func decode(b []byte, v any) error {
	if len(b) == 0 || b[0] != recordVersion {
		return fmt.Errorf("fs: record of unknown version")
	}
	if err := json.Unmarshal(b[1:], v); err != nil {
		return fmt.Errorf("fs: corrupt record: %w", err)
	}
	return nil
}

// partKey orders parts numerically.
func partKey(n int) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(n))
}
