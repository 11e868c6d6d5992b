package mem

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/internal/listing"
)

func (s *Store) NewObjectWriter(ctx context.Context, bucket, key string) (coffer.DataWriter, error) {
	if err := coffer.ValidateObjectKey(key); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.bucket(bucket); err != nil {
		return nil, err
	}
	return &writer{store: s, bucket: bucket, key: key}, nil
}

func (s *Store) GetObject(ctx context.Context, bucket, key string) (coffer.ObjectRecord, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return coffer.ObjectRecord{}, err
	}
	rec, ok := b.objects[key]
	if !ok {
		return coffer.ObjectRecord{}, fmt.Errorf("%w: %s/%s", coffer.ErrNoSuchKey, bucket, key)
	}
	return cloneObject(rec), nil
}

func (s *Store) OpenObjectData(ctx context.Context, rec coffer.ObjectRecord, stream int, offset, length int64) (io.ReadCloser, error) {
	dataID, size, err := streamOf(rec, stream)
	if err != nil {
		return nil, err
	}
	if offset < 0 || length < 0 || offset > size || length > size-offset {
		return nil, fmt.Errorf("%w: bytes %d+%d of a %d-byte stream", coffer.ErrInvalidRange, offset, length, size)
	}
	s.mu.RLock()
	data, ok := s.data[dataID]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %s/%s", coffer.ErrConcurrentUpdate, rec.Bucket, rec.Key)
	}
	if int64(len(data)) < offset+length {
		return nil, fmt.Errorf("mem: data %s holds %d bytes, record says %d", dataID, len(data), size)
	}
	// Stored data is never mutated, so the reader may share it.
	return io.NopCloser(bytes.NewReader(data[offset : offset+length])), nil
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
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(rec.Bucket)
	if err != nil {
		return err
	}
	cur, ok := b.objects[rec.Key]
	if !ok || cur.DataID != rec.DataID {
		return fmt.Errorf("%w: %s/%s", coffer.ErrConcurrentUpdate, rec.Bucket, rec.Key)
	}
	next, err := keepPlacement(cloneObject(rec), cur)
	if err != nil {
		return err
	}
	b.objects[rec.Key] = next
	return nil
}

// keepPlacement copies where cur's data lives into rec, so a record update
// can never point at data it does not own.
func keepPlacement(rec, cur coffer.ObjectRecord) (coffer.ObjectRecord, error) {
	if len(rec.Parts) != len(cur.Parts) {
		return rec, fmt.Errorf("mem: UpdateObject cannot change the parts of %s/%s", rec.Bucket, rec.Key)
	}
	rec.StoredSize = cur.StoredSize
	rec.UploadID = cur.UploadID
	for i := range rec.Parts {
		rec.Parts[i].DataID = cur.Parts[i].DataID
		rec.Parts[i].StoredSize = cur.Parts[i].StoredSize
	}
	return rec, nil
}

func (s *Store) DeleteObject(ctx context.Context, bucket, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	cur, ok := b.objects[key]
	if !ok {
		return fmt.Errorf("%w: %s/%s", coffer.ErrNoSuchKey, bucket, key)
	}
	b.remove(key)
	s.dropData(cur)
	return nil
}

// install makes rec the current version of its key and drops the data of
// the version it replaces. s.mu must be held for writing.
func (s *Store) install(b *bucket, rec coffer.ObjectRecord) {
	if old, ok := b.objects[rec.Key]; ok {
		s.dropData(old)
	} else {
		i := sort.SearchStrings(b.keys, rec.Key)
		b.keys = slices.Insert(b.keys, i, rec.Key)
	}
	b.objects[rec.Key] = rec
}

// current is a copy of key's record for a precondition check to inspect,
// or nil when the key does not exist. s.mu must be held.
func (b *bucket) current(key string) *coffer.ObjectRecord {
	cur, ok := b.objects[key]
	if !ok {
		return nil
	}
	c := cloneObject(cur)
	return &c
}

func (b *bucket) remove(key string) {
	delete(b.objects, key)
	if i, ok := slices.BinarySearch(b.keys, key); ok {
		b.keys = slices.Delete(b.keys, i, i+1)
	}
}

func (s *Store) dropData(rec coffer.ObjectRecord) {
	delete(s.data, rec.DataID)
	for _, p := range rec.Parts {
		delete(s.data, p.DataID)
	}
}

func (s *Store) ListObjects(ctx context.Context, bucket string, q coffer.ListQuery) (coffer.RecordPage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return coffer.RecordPage{}, err
	}
	var out coffer.RecordPage
	page, err := listing.Select(&cursor{keys: b.keys}, q, func(key string) error {
		out.Objects = append(out.Objects, cloneObject(b.objects[key]))
		return nil
	})
	if err != nil {
		return coffer.RecordPage{}, err
	}
	out.CommonPrefixes, out.Truncated, out.NextAfter = page.CommonPrefixes, page.Truncated, page.NextAfter
	return out, nil
}

// cursor walks a sorted key slice.
type cursor struct {
	keys []string
	i    int
}

func (c *cursor) Seek(key string) (string, bool) {
	c.i = sort.SearchStrings(c.keys, key)
	return c.at()
}

func (c *cursor) Next() (string, bool) {
	c.i++
	return c.at()
}

func (c *cursor) at() (string, bool) {
	if c.i >= len(c.keys) {
		return "", false
	}
	return c.keys[c.i], true
}

// walkBatch is how many records WalkObjects copies per lock hold; fn runs
// without the lock so it may call back into the store.
const walkBatch = 256

func (s *Store) WalkObjects(ctx context.Context, after coffer.ObjectID, fn func(coffer.ObjectRecord) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := s.walkFrom(after)
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

// walkFrom copies up to walkBatch records that follow after in (bucket, key) order.
func (s *Store) walkFrom(after coffer.ObjectID) []coffer.ObjectRecord {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.buckets))
	for name := range s.buckets {
		if name >= after.Bucket {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var out []coffer.ObjectRecord
	for _, name := range names {
		b := s.buckets[name]
		i := 0
		if name == after.Bucket {
			i = sort.SearchStrings(b.keys, after.Key)
			if i < len(b.keys) && b.keys[i] == after.Key {
				i++
			}
		}
		for ; i < len(b.keys); i++ {
			if len(out) == walkBatch {
				return out
			}
			out = append(out, cloneObject(b.objects[b.keys[i]]))
		}
	}
	return out
}
