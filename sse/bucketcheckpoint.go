package sse

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/cofferlabs/coffer"
)

// Bucket rewrap checkpoint, as kept in the KeyStore under
// bucketCheckpointPrefix + hex(SHA-256(lp(bucket) || lp(key ARN))) (see
// FORMAT.md §11; names only, nothing secret):
//
//	[0]    checkpoint format version (bucketCheckpointV1)
//	[1]    bucket key: 0x00 off, 0x01 on
//	then   bucket, key ARN and the last object key done, each as a
//	       uint32 big endian length followed by the bytes
const (
	bucketCheckpointV1     byte = 1
	bucketCheckpointPrefix      = "sse/rewrap-bucket/"
	maxBucketNameBytes          = 63
	bucketCheckpointMax         = 1 + 1 + 3*4 + maxBucketNameBytes + maxKeyARNBytes + coffer.MaxObjectKeyLength
)

var errBucketCheckpoint = errors.New("sse: bucket rewrap checkpoint is malformed")

// bucketCheckpoint is where a RewrapBucket run is: its target and the
// last object it visited ("" before the first).
type bucketCheckpoint struct {
	Bucket    string
	KeyARN    string
	BucketKey bool
	LastKey   string
}

// name is the key store entry of the checkpoint of runs on (bucket, key
// ARN); hashing keeps it short whatever the ARN's length.
func (c bucketCheckpoint) name() string {
	h := sha256.New()
	for _, field := range []string{c.Bucket, c.KeyARN} {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(field))))
		h.Write([]byte(field))
	}
	return bucketCheckpointPrefix + hex.EncodeToString(h.Sum(nil))
}

// sameTarget reports whether c was written by a run re-keying to what
// other re-keys to.
func (c bucketCheckpoint) sameTarget(other bucketCheckpoint) bool {
	return c.Bucket == other.Bucket && c.KeyARN == other.KeyARN && c.BucketKey == other.BucketKey
}

func encodeBucketCheckpoint(c bucketCheckpoint) []byte {
	out := make([]byte, 0, 2+3*4+len(c.Bucket)+len(c.KeyARN)+len(c.LastKey))
	flag := byte(0)
	if c.BucketKey {
		flag = 1
	}
	out = append(out, bucketCheckpointV1, flag)
	for _, field := range []string{c.Bucket, c.KeyARN, c.LastKey} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(field)))
		out = append(out, field...)
	}
	return out
}

func decodeBucketCheckpoint(b []byte) (bucketCheckpoint, error) {
	if len(b) < 2 || len(b) > bucketCheckpointMax || b[0] != bucketCheckpointV1 || b[1] > 1 {
		return bucketCheckpoint{}, errBucketCheckpoint
	}
	rest := b[2:]
	limits := [3]int{maxBucketNameBytes, maxKeyARNBytes, coffer.MaxObjectKeyLength}
	var fields [3]string
	for i := range fields {
		if len(rest) < 4 {
			return bucketCheckpoint{}, errBucketCheckpoint
		}
		n := binary.BigEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(n) > uint64(limits[i]) || uint64(n) > uint64(len(rest)) {
			return bucketCheckpoint{}, errBucketCheckpoint
		}
		fields[i], rest = string(rest[:n]), rest[n:]
	}
	if len(rest) != 0 || fields[0] == "" || fields[1] == "" {
		return bucketCheckpoint{}, errBucketCheckpoint
	}
	return bucketCheckpoint{Bucket: fields[0], KeyARN: fields[1], BucketKey: b[1] == 1, LastKey: fields[2]}, nil
}

// loadBucketCheckpoint returns the key after which a run re-keying to
// target resumes: the checkpoint's last key when it was written for the
// same bucket, key and bucket-key setting, else "" (the start).
func (s *Service) loadBucketCheckpoint(ctx context.Context, target bucketCheckpoint) (string, error) {
	b, err := s.keys.store.GetKey(ctx, target.name())
	if errors.Is(err, coffer.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sse: reading bucket rewrap checkpoint: %w", err)
	}
	saved, err := decodeBucketCheckpoint(b)
	if err != nil || !saved.sameTarget(target) {
		// Another setting's checkpoint (or an unreadable one) only costs a
		// full walk, which skips objects already done.
		return "", nil
	}
	return saved.LastKey, nil
}

func (s *Service) saveBucketCheckpoint(ctx context.Context, c bucketCheckpoint) error {
	if err := s.keys.store.PutKey(ctx, c.name(), encodeBucketCheckpoint(c)); err != nil {
		return fmt.Errorf("sse: saving bucket rewrap checkpoint: %w", err)
	}
	return nil
}
