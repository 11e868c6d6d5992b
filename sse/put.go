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
	if opts.Check.Size > coffer.MaxSinglePutSize {
		return coffer.ObjectInfo{}, coffer.ErrEntityTooLarge
	}
	enc, err := s.writeEncryptionFor(ctx, bucket, opts.Encryption)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	condition := writeCondition(opts.IfNoneMatchStar, opts.IfMatch)
	if err := s.precheckWrite(ctx, bucket, key, condition); err != nil {
		return coffer.ObjectInfo{}, err
	}
	rec := coffer.ObjectRecord{Bucket: bucket, Key: key, Meta: cloneMeta(opts.Meta)}
	if err := s.writeObject(ctx, &rec, enc, body, opts.Check, condition); err != nil {
		return coffer.ObjectInfo{}, err
	}
	return enc.report(rec.Info()), nil
}

// writeEncryptionFor settles a write's encryption against the bucket's
// rule; it also fails for a bucket that does not exist.
func (s *Service) writeEncryptionFor(ctx context.Context, bucket string, req coffer.EncryptionRequest) (writeEncryption, error) {
	rule, err := s.bucketRule(ctx, bucket)
	if err != nil {
		return writeEncryption{}, err
	}
	return s.resolveEncryption(req, rule)
}

// writeObject encrypts body under a new data key, sealed as enc says, into
// a new version of rec's object and commits rec, completed with the
// body's size, ETag, checksum, encryption and sealed key. The key is
// sealed (for SSE-KMS: the KMS asked) before the body is read. On any
// failure nothing becomes visible.
func (s *Service) writeObject(ctx context.Context, rec *coffer.ObjectRecord, enc writeEncryption, body io.Reader, check coffer.BodyCheck, condition func(*coffer.ObjectRecord) error) error {
	rec.Encryption = coffer.EncryptionInfo{Type: enc.Type}
	dataKey, sealed, info, err := s.sealNewDataKey(ctx, bindingOf(*rec), enc)
	if err != nil {
		return err
	}
	defer clear(dataKey)
	rec.Encryption = info
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
	rec.Size, rec.ETag, rec.Checksum = written.size, objectETag(info.Type, dataKey, written.md5), written.checksum
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
