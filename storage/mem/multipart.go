package mem

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/internal/listing"
)

func (s *Store) CreateUpload(ctx context.Context, rec coffer.UploadRecord) error {
	if rec.ID == "" {
		return fmt.Errorf("mem: upload without an ID")
	}
	if err := coffer.ValidateObjectKey(rec.Key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(rec.Bucket)
	if err != nil {
		return err
	}
	if _, ok := s.uploads[rec.ID]; ok {
		return fmt.Errorf("mem: upload ID %s already in use", rec.ID)
	}
	s.uploads[rec.ID] = &upload{rec: cloneUpload(rec), parts: map[int]coffer.PartRecord{}}
	b.uploads[rec.ID] = true
	return nil
}

func (s *Store) GetUpload(ctx context.Context, bucket, key, uploadID string) (coffer.UploadRecord, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.upload(bucket, key, uploadID)
	if err != nil {
		return coffer.UploadRecord{}, err
	}
	return cloneUpload(u.rec), nil
}

// upload must be called with s.mu held.
func (s *Store) upload(bucket, key, uploadID string) (*upload, error) {
	if _, err := s.bucket(bucket); err != nil {
		return nil, err
	}
	u, ok := s.uploads[uploadID]
	if !ok || u.rec.Bucket != bucket || u.rec.Key != key {
		return nil, fmt.Errorf("%w: %s", coffer.ErrNoSuchUpload, uploadID)
	}
	return u, nil
}

func (s *Store) NewPartWriter(ctx context.Context, bucket, key, uploadID string, part int) (coffer.DataWriter, error) {
	if part < 1 || part > coffer.MaxPartNumber {
		return nil, fmt.Errorf("%w: %d", coffer.ErrTooManyParts, part)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.upload(bucket, key, uploadID); err != nil {
		return nil, err
	}
	return &writer{store: s, bucket: bucket, key: key, uploadID: uploadID, part: part}, nil
}

func (s *Store) commitPart(w *writer, rec *coffer.PartRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.upload(w.bucket, w.key, w.uploadID)
	if err != nil {
		return err
	}
	rec.Number = w.part
	rec.DataID = newDataID()
	rec.StoredSize = int64(w.buf.Len())
	if old, ok := u.parts[w.part]; ok {
		delete(s.data, old.DataID)
	}
	s.data[rec.DataID] = bytes.Clone(w.buf.Bytes())
	u.parts[w.part] = clonePart(*rec)
	return nil
}

func (s *Store) ListParts(ctx context.Context, bucket, key, uploadID string) ([]coffer.PartRecord, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.upload(bucket, key, uploadID)
	if err != nil {
		return nil, err
	}
	out := make([]coffer.PartRecord, 0, len(u.parts))
	for _, p := range u.parts {
		out = append(out, clonePart(p))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

func (s *Store) CompleteUpload(ctx context.Context, uploadID string, rec coffer.ObjectRecord, check func(*coffer.ObjectRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.upload(rec.Bucket, rec.Key, uploadID)
	if err != nil {
		return err
	}
	parts, err := chosenParts(rec.Parts, u.parts)
	if err != nil {
		return err
	}
	b := s.buckets[rec.Bucket]
	if check != nil {
		if err := check(b.current(rec.Key)); err != nil {
			return err
		}
	}
	rec = cloneObject(rec)
	rec.Parts = parts
	rec.UploadID = uploadID
	rec.DataID = newDataID()
	rec.StoredSize = 0
	kept := map[string]bool{}
	for _, p := range parts {
		kept[p.DataID] = true
	}
	for _, p := range u.parts {
		if !kept[p.DataID] {
			delete(s.data, p.DataID)
		}
	}
	s.install(b, rec)
	s.forgetUpload(b, uploadID)
	return nil
}

// UpdateUpload replaces the upload's record; its parts stay as they are.
func (s *Store) UpdateUpload(ctx context.Context, rec coffer.UploadRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.upload(rec.Bucket, rec.Key, rec.ID)
	if err != nil {
		return err
	}
	u.rec = cloneUpload(rec)
	return nil
}

// chosenParts returns the stored records of the parts named in want, in
// order. A named ETag or data ID must match the stored part, so a part
// replaced since the caller listed it is not completed unnoticed.
func chosenParts(want []coffer.PartRecord, have map[int]coffer.PartRecord) ([]coffer.PartRecord, error) {
	if len(want) == 0 {
		return nil, fmt.Errorf("%w: no parts named", coffer.ErrInvalidPart)
	}
	out := make([]coffer.PartRecord, len(want))
	for i, w := range want {
		if i > 0 && w.Number <= want[i-1].Number {
			return nil, fmt.Errorf("%w: part %d after part %d", coffer.ErrInvalidPartOrder, w.Number, want[i-1].Number)
		}
		p, ok := have[w.Number]
		if !ok || (w.ETag != "" && w.ETag != p.ETag) || (w.DataID != "" && w.DataID != p.DataID) {
			return nil, fmt.Errorf("%w: part %d", coffer.ErrInvalidPart, w.Number)
		}
		out[i] = clonePart(p)
	}
	return out, nil
}

func (s *Store) AbortUpload(ctx context.Context, bucket, key, uploadID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.upload(bucket, key, uploadID)
	if err != nil {
		return err
	}
	for _, p := range u.parts {
		delete(s.data, p.DataID)
	}
	s.forgetUpload(s.buckets[bucket], uploadID)
	return nil
}

func (s *Store) forgetUpload(b *bucket, uploadID string) {
	delete(s.uploads, uploadID)
	delete(b.uploads, uploadID)
}

func (s *Store) ListUploads(ctx context.Context, bucket string) ([]coffer.UploadRecord, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	out := make([]coffer.UploadRecord, 0, len(b.uploads))
	for id := range b.uploads {
		out = append(out, cloneUpload(s.uploads[id].rec))
	}
	listing.SortUploads(out)
	return out, nil
}
