package sse

import (
	"context"
	"errors"

	"github.com/cofferlabs/coffer"
)

// isCustomerKeyRotation reports whether a copy is how SSE-C users rotate
// keys: an object copied onto itself, from a customer key to a customer
// key, keeping its checksum algorithm.
func isCustomerKeyRotation(bucket, key string, opts coffer.CopyOptions, enc writeEncryption) bool {
	return enc.Type == coffer.SSEC && opts.Source.Bucket == bucket && opts.Source.Key == key &&
		opts.Source.CustomerKey != nil && opts.Checksum == coffer.ChecksumNone
}

// rotateCustomerKeyOnce re-wraps an SSE-C object's data key from the
// source key to the destination key without re-encrypting its data: the
// data key, and so the data, the ETag and the parts, stay; only the seal
// (and, under REPLACE, the metadata) change. A source that is not SSE-C
// takes the ordinary copy, which reports the misplaced key.
func (s *Service) rotateCustomerKeyOnce(ctx context.Context, bucket, key string, opts coffer.CopyOptions, directive coffer.MetadataDirective, enc writeEncryption) (coffer.ObjectInfo, error) {
	rec, err := s.store.GetObject(ctx, bucket, key)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	if rec.Encryption.Type != coffer.SSEC {
		return s.copyObjectOnce(ctx, bucket, key, opts, directive, enc)
	}
	if err := checkCustomerKeyForRead(rec, opts.Source.CustomerKey); err != nil {
		return coffer.ObjectInfo{}, err
	}
	if err := opts.Source.Conditions.Check(rec.ETag, rec.Modified); err != nil {
		if errors.Is(err, coffer.ErrNotModified) {
			err = coffer.ErrPreconditionFailed
		}
		return coffer.ObjectInfo{}, err
	}
	b := bindingOf(rec)
	dataKey, err := openCustomerDataKey(opts.Source.CustomerKey, b, rec.SealedKey)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	defer clear(dataKey)
	if rec.SealedKey, err = s.sealForCustomer(b, enc.Customer, dataKey); err != nil {
		return coffer.ObjectInfo{}, err
	}
	rec.Meta = copiedMeta(rec.Meta, opts, directive)
	rec.Modified = s.now()
	if err := s.store.UpdateObject(ctx, rec); err != nil {
		return coffer.ObjectInfo{}, err
	}
	return enc.report(rec.Info()), nil
}
