package fs

import (
	"context"
	"fmt"

	"github.com/cofferlabs/coffer"
	bolt "go.etcd.io/bbolt"
)

func (s *Store) CreateBucket(ctx context.Context, rec coffer.BucketRecord) error {
	if rec.Name == "" {
		return coffer.ErrInvalidBucketName
	}
	return s.update(func(tx *bolt.Tx) error {
		records := tx.Bucket(bucketBuckets)
		if records.Get([]byte(rec.Name)) != nil {
			return fmt.Errorf("%w: %s", coffer.ErrBucketExists, rec.Name)
		}
		if _, err := tx.Bucket(bucketObjects).CreateBucket([]byte(rec.Name)); err != nil {
			return fmt.Errorf("fs: bucket %s: %w", rec.Name, err)
		}
		if _, err := tx.Bucket(bucketUploads).CreateBucket([]byte(rec.Name)); err != nil {
			return fmt.Errorf("fs: bucket %s: %w", rec.Name, err)
		}
		return putRecord(records, rec.Name, rec)
	})
}

func getBucket(tx *bolt.Tx, name string) (coffer.BucketRecord, error) {
	var rec coffer.BucketRecord
	v := tx.Bucket(bucketBuckets).Get([]byte(name))
	if v == nil {
		return rec, fmt.Errorf("%w: %s", coffer.ErrNoSuchBucket, name)
	}
	return rec, decode(v, &rec)
}

func (s *Store) GetBucket(ctx context.Context, name string) (coffer.BucketRecord, error) {
	var rec coffer.BucketRecord
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		rec, err = getBucket(tx, name)
		return err
	})
	return rec, err
}

// UpdateBucket runs in its own transaction rather than a group commit, so
// fn runs exactly once per call.
func (s *Store) UpdateBucket(ctx context.Context, name string, fn func(*coffer.BucketRecord) error) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		rec, err := getBucket(tx, name)
		if err != nil {
			return err
		}
		if err := fn(&rec); err != nil {
			return err
		}
		if rec.Name != name {
			return fmt.Errorf("fs: UpdateBucket cannot rename bucket %s", name)
		}
		return putRecord(tx.Bucket(bucketBuckets), name, rec)
	})
}

func (s *Store) DeleteBucket(ctx context.Context, name string) error {
	return s.update(func(tx *bolt.Tx) error {
		if _, err := getBucket(tx, name); err != nil {
			return err
		}
		for _, root := range [][]byte{bucketObjects, bucketUploads} {
			if k, _ := tx.Bucket(root).Bucket([]byte(name)).Cursor().First(); k != nil {
				return fmt.Errorf("%w: %s", coffer.ErrBucketNotEmpty, name)
			}
		}
		for _, root := range [][]byte{bucketObjects, bucketUploads} {
			if err := tx.Bucket(root).DeleteBucket([]byte(name)); err != nil {
				return fmt.Errorf("fs: bucket %s: %w", name, err)
			}
		}
		return tx.Bucket(bucketBuckets).Delete([]byte(name))
	})
}

func (s *Store) ListBuckets(ctx context.Context) ([]coffer.BucketRecord, error) {
	out := []coffer.BucketRecord{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBuckets).ForEach(func(k, v []byte) error {
			var rec coffer.BucketRecord
			if err := decode(v, &rec); err != nil {
				return err
			}
			out = append(out, rec)
			return nil
		})
	})
	return out, err
}
