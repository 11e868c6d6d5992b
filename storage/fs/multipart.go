package fs

import (
	"context"
	"errors"
	"fmt"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/internal/listing"
	bolt "go.etcd.io/bbolt"
)

func (s *Store) CreateUpload(ctx context.Context, rec coffer.UploadRecord) error {
	if rec.ID == "" {
		return fmt.Errorf("fs: upload without an ID")
	}
	if err := coffer.ValidateObjectKey(rec.Key); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		uploads := tx.Bucket(bucketUploads).Bucket([]byte(rec.Bucket))
		if uploads == nil {
			return fmt.Errorf("%w: %s", coffer.ErrNoSuchBucket, rec.Bucket)
		}
		if _, err := tx.Bucket(bucketParts).CreateBucket([]byte(rec.ID)); err != nil {
			return fmt.Errorf("fs: upload ID %s: %w", rec.ID, err)
		}
		return putRecord(uploads, rec.ID, rec)
	})
}

// getUpload finds an upload of bucket/key. ErrNoSuchBucket, ErrNoSuchUpload.
func getUpload(tx *bolt.Tx, bucket, key, uploadID string) (coffer.UploadRecord, error) {
	var rec coffer.UploadRecord
	uploads := tx.Bucket(bucketUploads).Bucket([]byte(bucket))
	if uploads == nil {
		return rec, fmt.Errorf("%w: %s", coffer.ErrNoSuchBucket, bucket)
	}
	v := uploads.Get([]byte(uploadID))
	if v == nil {
		return rec, fmt.Errorf("%w: %s", coffer.ErrNoSuchUpload, uploadID)
	}
	if err := decode(v, &rec); err != nil {
		return rec, err
	}
	if rec.Key != key {
		return rec, fmt.Errorf("%w: %s", coffer.ErrNoSuchUpload, uploadID)
	}
	return rec, nil
}

// uploadParts returns the part records of an upload of bucket/key.
func uploadParts(tx *bolt.Tx, bucket, key, uploadID string) (*bolt.Bucket, error) {
	if _, err := getUpload(tx, bucket, key, uploadID); err != nil {
		return nil, err
	}
	parts := tx.Bucket(bucketParts).Bucket([]byte(uploadID))
	if parts == nil {
		return nil, fmt.Errorf("fs: upload %s has no parts bucket", uploadID)
	}
	return parts, nil
}

func (s *Store) GetUpload(ctx context.Context, bucket, key, uploadID string) (coffer.UploadRecord, error) {
	var rec coffer.UploadRecord
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		rec, err = getUpload(tx, bucket, key, uploadID)
		return err
	})
	return rec, err
}

func (s *Store) NewPartWriter(ctx context.Context, bucket, key, uploadID string, part int) (coffer.DataWriter, error) {
	if part < 1 || part > coffer.MaxPartNumber {
		return nil, fmt.Errorf("%w: %d", coffer.ErrTooManyParts, part)
	}
	err := s.view(func(tx *bolt.Tx) error {
		_, err := getUpload(tx, bucket, key, uploadID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.newWriter(bucket, key, uploadID, part), nil
}

func (s *Store) ListParts(ctx context.Context, bucket, key, uploadID string) ([]coffer.PartRecord, error) {
	out := []coffer.PartRecord{}
	err := s.view(func(tx *bolt.Tx) error {
		parts, err := uploadParts(tx, bucket, key, uploadID)
		if err != nil {
			return err
		}
		return parts.ForEach(func(_, v []byte) error {
			var p coffer.PartRecord
			if err := decode(v, &p); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CompleteUpload runs check, if set, inside the group-commit transaction
// that installs the object, so no write to the key can come between the
// check and the commit; like the object writer's check it may run more
// than once.
func (s *Store) CompleteUpload(ctx context.Context, uploadID string, rec coffer.ObjectRecord, check func(*coffer.ObjectRecord) error) error {
	var gone []string
	dataID := newDataID()
	err := s.update(func(tx *bolt.Tx) error {
		gone = gone[:0]
		parts, err := uploadParts(tx, rec.Bucket, rec.Key, uploadID)
		if err != nil {
			return err
		}
		chosen, err := chosenParts(parts, rec.Parts)
		if err != nil {
			return err
		}
		objects, err := objectsOf(tx, rec.Bucket)
		if err != nil {
			return err
		}
		cur, err := getObject(objects, rec.Key)
		if err != nil && !errors.Is(err, coffer.ErrNoSuchKey) {
			return err
		}
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		kept := map[string]bool{}
		for _, p := range chosen {
			kept[p.DataID] = true
		}
		err = parts.ForEach(func(_, v []byte) error {
			var p coffer.PartRecord
			if err := decode(v, &p); err != nil {
				return err
			}
			if kept[p.DataID] {
				return nil
			}
			return dropData(tx, p.DataID, &gone)
		})
		if err != nil {
			return err
		}
		if cur != nil {
			if err := dropObjectData(tx, *cur, &gone); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketParts).DeleteBucket([]byte(uploadID)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketUploads).Bucket([]byte(rec.Bucket)).Delete([]byte(uploadID)); err != nil {
			return err
		}
		next := rec
		next.Parts, next.UploadID, next.DataID, next.StoredSize = chosen, uploadID, dataID, 0
		return putRecord(objects, rec.Key, next)
	})
	if err != nil {
		return err
	}
	crashPoint("committed")
	s.removeFiles(gone)
	return nil
}

// chosenParts returns the stored records of the parts named in want, in
// order. A named ETag or data ID must match the stored part, so a part
// replaced since the caller listed it is not completed unnoticed.
func chosenParts(parts *bolt.Bucket, want []coffer.PartRecord) ([]coffer.PartRecord, error) {
	if len(want) == 0 {
		return nil, fmt.Errorf("%w: no parts named", coffer.ErrInvalidPart)
	}
	out := make([]coffer.PartRecord, len(want))
	for i, w := range want {
		if i > 0 && w.Number <= want[i-1].Number {
			return nil, fmt.Errorf("%w: part %d after part %d", coffer.ErrInvalidPartOrder, w.Number, want[i-1].Number)
		}
		if w.Number < 1 || w.Number > coffer.MaxPartNumber {
			return nil, fmt.Errorf("%w: part %d", coffer.ErrInvalidPart, w.Number)
		}
		v := parts.Get(partKey(w.Number))
		if v == nil {
			return nil, fmt.Errorf("%w: part %d", coffer.ErrInvalidPart, w.Number)
		}
		if err := decode(v, &out[i]); err != nil {
			return nil, err
		}
		if (w.ETag != "" && w.ETag != out[i].ETag) || (w.DataID != "" && w.DataID != out[i].DataID) {
			return nil, fmt.Errorf("%w: part %d", coffer.ErrInvalidPart, w.Number)
		}
	}
	return out, nil
}

// UpdateUpload replaces the upload's record in place; its parts bucket
// is untouched.
func (s *Store) UpdateUpload(ctx context.Context, rec coffer.UploadRecord) error {
	return s.update(func(tx *bolt.Tx) error {
		if _, err := getUpload(tx, rec.Bucket, rec.Key, rec.ID); err != nil {
			return err
		}
		return putRecord(tx.Bucket(bucketUploads).Bucket([]byte(rec.Bucket)), rec.ID, rec)
	})
}

func (s *Store) AbortUpload(ctx context.Context, bucket, key, uploadID string) error {
	var gone []string
	err := s.update(func(tx *bolt.Tx) error {
		gone = gone[:0]
		parts, err := uploadParts(tx, bucket, key, uploadID)
		if err != nil {
			return err
		}
		err = parts.ForEach(func(_, v []byte) error {
			var p coffer.PartRecord
			if err := decode(v, &p); err != nil {
				return err
			}
			return dropData(tx, p.DataID, &gone)
		})
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketParts).DeleteBucket([]byte(uploadID)); err != nil {
			return err
		}
		return tx.Bucket(bucketUploads).Bucket([]byte(bucket)).Delete([]byte(uploadID))
	})
	if err != nil {
		return err
	}
	s.removeFiles(gone)
	return nil
}

func (s *Store) ListUploads(ctx context.Context, bucket string) ([]coffer.UploadRecord, error) {
	out := []coffer.UploadRecord{}
	err := s.view(func(tx *bolt.Tx) error {
		uploads := tx.Bucket(bucketUploads).Bucket([]byte(bucket))
		if uploads == nil {
			return fmt.Errorf("%w: %s", coffer.ErrNoSuchBucket, bucket)
		}
		return uploads.ForEach(func(_, v []byte) error {
			var u coffer.UploadRecord
			if err := decode(v, &u); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	listing.SortUploads(out)
	return out, nil
}
