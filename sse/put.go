package sse

import (
	"context"
	"errors"
	"io"
	"maps"

	"github.com/cofferlabs/coffer"
)

func (s *Service) PutObject(ctx context.Context, bucket, key string, body io.Reader, opts coffer.PutOptions) (coffer.ObjectInfo, error) {
	if err := validateWrite(key, opts.Meta); err != nil {
		return coffer.ObjectInfo{}, err
	}
	enc, err := resolveEncryption(opts.Encryption)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	if opts.Check.Size > coffer.MaxSinglePutSize {
		return coffer.ObjectInfo{}, coffer.ErrEntityTooLarge
	}
	condition := writeCondition(opts.IfNoneMatchStar, opts.IfMatch)
	if err := s.precheckWrite(ctx, bucket, key, condition); err != nil {
		return coffer.ObjectInfo{}, err
	}
	rec := coffer.ObjectRecord{Bucket: bucket, Key: key, Meta: cloneMeta(opts.Meta), Encryption: enc}
	if err := s.writeObject(ctx, &rec, body, opts.Check, condition); err != nil {
		return coffer.ObjectInfo{}, err
	}
	return rec.Info(), nil
}

// writeObject encrypts body under a new data key into a new version of
// rec's object and commits rec, completed with the body's size, ETag,
// checksum and sealed key. On any failure nothing becomes visible.
func (s *Service) writeObject(ctx context.Context, rec *coffer.ObjectRecord, body io.Reader, check coffer.BodyCheck, condition func(*coffer.ObjectRecord) error) error {
	dataKey, sealed, err := s.sealNewDataKey(ctx, bindingOf(*rec))
	if err != nil {
		return err
	}
	defer clear(dataKey)
	w, err := s.store.NewObjectWriter(ctx, rec.Bucket, rec.Key)
	if err != nil {
		return err
	}
	key0 := streamKey(dataKey, 0, nil)
	defer clear(key0)
	written, err := encryptInto(ctx, w, body, check, coffer.MaxSinglePutSize, key0)
	if err != nil {
		return errors.Join(err, w.Abort())
	}
	rec.Size, rec.ETag, rec.Checksum = written.size, written.etag, written.checksum
	rec.SealedKey = sealed
	rec.Modified = s.now()
	return w.Commit(ctx, coffer.CommitRecord{Object: rec, Check: condition})
}

// cloneMeta copies the user map so that records never alias a caller's.
func cloneMeta(m coffer.ObjectMeta) coffer.ObjectMeta {
	m.User = maps.Clone(m.User)
	return m
}

func isNoSuchKey(err error) bool { return errors.Is(err, coffer.ErrNoSuchKey) }
