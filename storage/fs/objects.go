package fs

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/internal/listing"
	bolt "go.etcd.io/bbolt"
)

func (s *Store) NewObjectWriter(ctx context.Context, bucket, key string) (coffer.DataWriter, error) {
	if err := coffer.ValidateObjectKey(key); err != nil {
		return nil, err
	}
	err := s.view(func(tx *bolt.Tx) error {
		_, err := objectsOf(tx, bucket)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.newWriter(bucket, key, "", 0), nil
}

// objectsOf returns the bbolt bucket holding a bucket's object records.
func objectsOf(tx *bolt.Tx, bucket string) (*bolt.Bucket, error) {
	b := tx.Bucket(bucketObjects).Bucket([]byte(bucket))
	if b == nil {
		return nil, fmt.Errorf("%w: %s", coffer.ErrNoSuchBucket, bucket)
	}
	return b, nil
}

func getObject(objects *bolt.Bucket, key string) (*coffer.ObjectRecord, error) {
	v := objects.Get([]byte(key))
	if v == nil {
		return nil, fmt.Errorf("%w: %s", coffer.ErrNoSuchKey, key)
	}
	var rec coffer.ObjectRecord
	if err := decode(v, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

func putRecord(b *bolt.Bucket, key string, rec any) error {
	v, err := encode(rec)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), v)
}

func (s *Store) GetObject(ctx context.Context, bucket, key string) (coffer.ObjectRecord, error) {
	var rec *coffer.ObjectRecord
	err := s.view(func(tx *bolt.Tx) error {
		objects, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		rec, err = getObject(objects, key)
		return err
	})
	if err != nil {
		return coffer.ObjectRecord{}, err
	}
	return *rec, nil
}

func (s *Store) OpenObjectData(ctx context.Context, rec coffer.ObjectRecord, stream int, offset, length int64) (io.ReadCloser, error) {
	id, size, err := streamOf(rec, stream)
	if err != nil {
		return nil, err
	}
	if offset < 0 || length < 0 || offset > size || length > size-offset {
		return nil, fmt.Errorf("%w: bytes %d+%d of a %d-byte stream", coffer.ErrInvalidRange, offset, length, size)
	}
	r, err := s.openData(id, offset, length)
	if errors.Is(err, coffer.ErrConcurrentUpdate) {
		return nil, fmt.Errorf("%w: %s/%s", coffer.ErrConcurrentUpdate, rec.Bucket, rec.Key)
	}
	return r, err
}

// streamOf names the data and stored size of one stream of rec.
func streamOf(rec coffer.ObjectRecord, stream int) (string, int64, error) {
	if len(rec.Parts) == 0 {
		if stream != 0 {
			return "", 0, fmt.Errorf("%w: stream %d of a single-part object", coffer.ErrInvalidRange, stream)
		}
		return rec.DataID, rec.StoredSize, nil
	}
	if stream < 0 || stream >= len(rec.Parts) {
		return "", 0, fmt.Errorf("%w: stream %d of %d parts", coffer.ErrInvalidRange, stream, len(rec.Parts))
	}
	return rec.Parts[stream].DataID, rec.Parts[stream].StoredSize, nil
}

func (s *Store) UpdateObject(ctx context.Context, rec coffer.ObjectRecord) error {
	return s.update(func(tx *bolt.Tx) error {
		objects, err := objectsOf(tx, rec.Bucket)
		if err != nil {
			return err
		}
		cur, err := getObject(objects, rec.Key)
		if errors.Is(err, coffer.ErrNoSuchKey) || (err == nil && cur.DataID != rec.DataID) {
			return fmt.Errorf("%w: %s/%s", coffer.ErrConcurrentUpdate, rec.Bucket, rec.Key)
		}
		if err != nil {
			return err
		}
		next, err := keepPlacement(rec, *cur)
		if err != nil {
			return err
		}
		return putRecord(objects, rec.Key, next)
	})
}

// keepPlacement copies where cur's data lives into rec, so a record update
// can never point at data it does not own.
func keepPlacement(rec, cur coffer.ObjectRecord) (coffer.ObjectRecord, error) {
	if len(rec.Parts) != len(cur.Parts) {
		return rec, fmt.Errorf("fs: UpdateObject cannot change the parts of %s/%s", rec.Bucket, rec.Key)
	}
	rec.StoredSize = cur.StoredSize
	rec.UploadID = cur.UploadID
	rec.Parts = append([]coffer.PartRecord(nil), rec.Parts...)
	for i := range rec.Parts {
		rec.Parts[i].DataID = cur.Parts[i].DataID
		rec.Parts[i].StoredSize = cur.Parts[i].StoredSize
	}
	return rec, nil
}

func (s *Store) DeleteObject(ctx context.Context, bucket, key string) error {
	var gone []string
	err := s.update(func(tx *bolt.Tx) error {
		gone = gone[:0]
		objects, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		cur, err := getObject(objects, key)
		if err != nil {
			return err
		}
		if err := dropObjectData(tx, *cur, &gone); err != nil {
			return err
		}
		return objects.Delete([]byte(key))
	})
	if err != nil {
		return err
	}
	crashPoint("committed")
	s.removeFiles(gone)
	return nil
}

func (s *Store) ListObjects(ctx context.Context, bucket string, q coffer.ListQuery) (coffer.RecordPage, error) {
	var out coffer.RecordPage
	err := s.view(func(tx *bolt.Tx) error {
		objects, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		c := &cursor{c: objects.Cursor()}
		page, err := listing.Select(c, q, func(string) error {
			var rec coffer.ObjectRecord
			if err := decode(c.value, &rec); err != nil {
				return err
			}
			out.Objects = append(out.Objects, rec)
			return nil
		})
		out.CommonPrefixes, out.Truncated, out.NextAfter = page.CommonPrefixes, page.Truncated, page.NextAfter
		return err
	})
	if err != nil {
		return coffer.RecordPage{}, err
	}
	return out, nil
}

// cursor adapts a bbolt cursor to listing.Cursor, keeping the value of the
// current key.
type cursor struct {
	c     *bolt.Cursor
	value []byte
}

func (c *cursor) Seek(key string) (string, bool) { return c.at(c.c.Seek([]byte(key))) }
func (c *cursor) Next() (string, bool)           { return c.at(c.c.Next()) }

func (c *cursor) at(k, v []byte) (string, bool) {
	c.value = v
	if k == nil {
		return "", false
	}
	return string(k), true
}

// walkBatch is how many records WalkObjects reads per read transaction;
// fn runs outside it, so it may write to the store.
const walkBatch = 256

func (s *Store) WalkObjects(ctx context.Context, after coffer.ObjectID, fn func(coffer.ObjectRecord) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var batch []coffer.ObjectRecord
		err := s.view(func(tx *bolt.Tx) error {
			var err error
			batch, err = walkFrom(tx, after)
			return err
		})
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, rec := range batch {
			if err := fn(rec); err != nil {
				return err
			}
		}
		last := batch[len(batch)-1]
		after = coffer.ObjectID{Bucket: last.Bucket, Key: last.Key}
	}
}

// walkFrom reads up to walkBatch records that follow after in (bucket,
// key) order.
func walkFrom(tx *bolt.Tx, after coffer.ObjectID) ([]coffer.ObjectRecord, error) {
	var out []coffer.ObjectRecord
	buckets := tx.Bucket(bucketObjects).Cursor()
	for name, _ := buckets.Seek([]byte(after.Bucket)); name != nil; name, _ = buckets.Next() {
		c := tx.Bucket(bucketObjects).Bucket(name).Cursor()
		k, v := c.First()
		if string(name) == after.Bucket {
			k, v = c.Seek([]byte(after.Key))
			if k != nil && string(k) == after.Key {
				k, v = c.Next()
			}
		}
		for ; k != nil; k, v = c.Next() {
			if len(out) == walkBatch {
				return out, nil
			}
			var rec coffer.ObjectRecord
			if err := decode(v, &rec); err != nil {
				return nil, err
			}
			out = append(out, rec)
		}
	}
	return out, nil
}
