package sse

import (
	"context"
	"errors"
	"fmt"

	"github.com/cofferlabs/coffer"
)

// CopyObject decrypts the source and re-encrypts it, streaming, under a
// new data key bound to the destination; the copy is a single-part object
// whose ETag is the MD5 of its plaintext.
func (s *Service) CopyObject(ctx context.Context, bucket, key string, opts coffer.CopyOptions) (coffer.ObjectInfo, error) {
	if err := coffer.ValidateObjectKey(key); err != nil {
		return coffer.ObjectInfo{}, err
	}
	directive, err := metadataDirective(opts.Directive)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	if directive == coffer.MetadataReplace {
		if err := validateWrite(key, opts.Meta); err != nil {
			return coffer.ObjectInfo{}, err
		}
	}
	if !validChecksumAlgorithm(opts.Checksum) {
		return coffer.ObjectInfo{}, checksumAlgorithmError(opts.Checksum)
	}
	// The destination gets what the request or its bucket's rule says,
	// never the source's encryption or its SSE-KMS context.
	enc, err := s.writeEncryptionFor(ctx, bucket, opts.Encryption)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	copyOnce := s.copyObjectOnce
	if isCustomerKeyRotation(bucket, key, opts, enc) {
		copyOnce = s.rotateCustomerKeyOnce
	}
	info, err := copyOnce(ctx, bucket, key, opts, directive, enc)
	if errors.Is(err, coffer.ErrConcurrentUpdate) {
		info, err = copyOnce(ctx, bucket, key, opts, directive, enc)
	}
	return info, err
}

func (s *Service) copyObjectOnce(ctx context.Context, bucket, key string, opts coffer.CopyOptions, directive coffer.MetadataDirective, enc writeEncryption) (coffer.ObjectInfo, error) {
	vet := func(src coffer.ObjectRecord) error {
		if src.Bucket == bucket && src.Key == key && directive == coffer.MetadataCopy && !copyChangesObject(opts) {
			return coffer.ErrCopyToItself
		}
		return nil
	}
	source := opts.Source
	source.Range = nil // CopyObject copies whole objects; ranges are UploadPartCopy's
	src, err := s.openCopySource(ctx, source, vet)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	defer src.reader.Close()
	dst := coffer.ObjectRecord{Bucket: bucket, Key: key, Meta: copiedMeta(src.rec.Meta, opts, directive)}
	alg := opts.Checksum
	if alg == coffer.ChecksumNone {
		alg = src.rec.Checksum.Algorithm
	}
	check := coffer.BodyCheck{Size: src.length, Checksum: alg}
	if err := s.writeObject(ctx, &dst, enc, src.reader, check, nil); err != nil {
		return coffer.ObjectInfo{}, err
	}
	return enc.report(dst.Info()), nil
}

func metadataDirective(d coffer.MetadataDirective) (coffer.MetadataDirective, error) {
	switch d {
	case "", coffer.MetadataCopy:
		return coffer.MetadataCopy, nil
	case coffer.MetadataReplace:
		return coffer.MetadataReplace, nil
	}
	return "", &coffer.ArgumentError{Name: "x-amz-metadata-directive", Value: string(d), Message: "Unknown metadata directive."}
}

// copiedMeta is the destination's metadata. Under COPY the source's
// metadata is kept, but storage class and website redirect come from the
// request, as S3 never copies those two.
func copiedMeta(src coffer.ObjectMeta, opts coffer.CopyOptions, directive coffer.MetadataDirective) coffer.ObjectMeta {
	if directive == coffer.MetadataReplace {
		return cloneMeta(opts.Meta)
	}
	meta := cloneMeta(src)
	meta.StorageClass = opts.Meta.StorageClass
	meta.WebsiteRedirect = opts.Meta.WebsiteRedirect
	return meta
}

// copyChangesObject reports whether a COPY-directive copy onto the source
// itself asks for a change S3 accepts: a storage class, a website redirect
// location or encryption parameters.
func copyChangesObject(opts coffer.CopyOptions) bool {
	return opts.Meta.StorageClass != "" || opts.Meta.WebsiteRedirect != "" ||
		opts.Encryption.Type != "" || opts.Encryption.KMSKeyID != "" || opts.Encryption.CustomerKey != nil ||
		opts.Encryption.BucketKeyEnabled != nil
}

// copySource is an opened copy source: its record and a reader of the
// selected plaintext.
type copySource struct {
	rec    coffer.ObjectRecord
	reader *objectReader
	offset int64
	length int64
}

// openCopySource reads the source record, applies the source conditions
// (a failed one is 412 for a copy, never 304) and vet, and opens the
// source's plaintext, or the range src.Range names.
func (s *Service) openCopySource(ctx context.Context, src coffer.CopySource, vet func(coffer.ObjectRecord) error) (copySource, error) {
	if src.Bucket == "" || coffer.ValidateObjectKey(src.Key) != nil {
		return copySource{}, fmt.Errorf("sse: copy source %q/%q: %w", src.Bucket, src.Key, coffer.ErrInvalidCopySource)
	}
	rec, err := s.store.GetObject(ctx, src.Bucket, src.Key)
	if err != nil {
		return copySource{}, err
	}
	if err := checkCustomerKeyForRead(rec, src.CustomerKey); err != nil {
		return copySource{}, err
	}
	if err := src.Conditions.Check(rec.ETag, rec.Modified); err != nil {
		if errors.Is(err, coffer.ErrNotModified) {
			err = coffer.ErrPreconditionFailed
		}
		return copySource{}, err
	}
	if vet != nil {
		if err := vet(rec); err != nil {
			return copySource{}, err
		}
	}
	out := copySource{rec: rec, length: rec.Size}
	if src.Range != nil {
		out.offset, out.length, err = resolveCopyRange(*src.Range, rec.Size)
		if err != nil {
			return copySource{}, err
		}
	}
	out.reader, err = s.openReader(ctx, rec, slicesOf(rec, out.offset, out.length), src.CustomerKey)
	if err != nil {
		return copySource{}, err
	}
	return out, nil
}

// resolveCopyRange applies x-amz-copy-source-range, which S3 accepts only
// as bytes=first-last inside the source.
func resolveCopyRange(r coffer.Range, size int64) (int64, int64, error) {
	if r.IsSuffix || r.End < 0 || r.End >= size {
		return 0, 0, fmt.Errorf("sse: copy source range not within the source's %d bytes: %w", size, coffer.ErrInvalidRange)
	}
	return r.Resolve(size)
}
