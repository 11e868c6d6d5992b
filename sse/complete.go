package sse

import (
	"context"
	"fmt"
	"strings"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/checksum"
)

// CompleteMultipartUpload makes the listed parts the object. The object
// keeps the upload's data key (re-sealed under the current master key if
// it rotated meanwhile) and each part's nonce, so every part stays its own
// dare stream under its own stream key.
func (s *Service) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, opts coffer.CompleteOptions) (coffer.ObjectInfo, error) {
	up, err := s.store.GetUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	// S3 needs an SSE-C upload's key on completion only for checksums, which
	// Coffer keeps in the record; when sent, it must be the upload's.
	if opts.CustomerKey != nil || up.Encryption.Type != coffer.SSEC {
		if err := checkCustomerKeyForPart(up, opts.CustomerKey); err != nil {
			return coffer.ObjectInfo{}, err
		}
	}
	parts, err := s.completedParts(ctx, up, opts.Parts)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	sum, err := completedChecksum(up, parts, opts.Checksum)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	sealed, err := s.completedKey(ctx, up)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	rec := coffer.ObjectRecord{
		Bucket: bucket, Key: key, Modified: s.now(), Meta: up.Meta, Checksum: sum,
		Encryption: up.Encryption, SealedKey: sealed, UploadID: up.ID, Parts: parts,
	}
	etags := make([]string, len(parts))
	for i, p := range parts {
		rec.Size += p.Size
		etags[i] = p.ETag
	}
	if rec.Size > coffer.MaxObjectSize {
		return coffer.ObjectInfo{}, coffer.ErrEntityTooLarge
	}
	rec.ETag = checksum.MultipartETag(etags)
	// If-None-Match and If-Match are judged by the store in the commit's
	// own transaction: a check made here could be overtaken by a write
	// landing before the commit.
	condition := writeCondition(opts.IfNoneMatchStar, opts.IfMatch)
	if err := s.store.CompleteUpload(ctx, uploadID, rec, condition); err != nil {
		return coffer.ObjectInfo{}, err
	}
	return rec.Info(), nil
}

// completedParts checks the client's part list against the uploaded parts
// and returns the records of the listed ones, in order.
func (s *Service) completedParts(ctx context.Context, up coffer.UploadRecord, list []coffer.CompletePart) ([]coffer.PartRecord, error) {
	if len(list) == 0 {
		return nil, &coffer.ArgumentError{
			Code: "MalformedXML", Name: "CompleteMultipartUpload",
			Message: "The XML you provided was not well-formed or did not validate against our published schema",
		}
	}
	for i := 1; i < len(list); i++ {
		if list[i].Number <= list[i-1].Number {
			return nil, coffer.ErrInvalidPartOrder
		}
	}
	uploaded, err := s.store.ListParts(ctx, up.Bucket, up.Key, up.ID)
	if err != nil {
		return nil, err
	}
	byNumber := make(map[int]coffer.PartRecord, len(uploaded))
	for _, p := range uploaded {
		byNumber[p.Number] = p
	}
	parts := make([]coffer.PartRecord, 0, len(list))
	for i, want := range list {
		p, ok := byNumber[want.Number]
		if !ok || !strings.EqualFold(coffer.TrimETag(want.ETag), p.ETag) {
			return nil, fmt.Errorf("sse: part %d: %w", want.Number, coffer.ErrInvalidPart)
		}
		if up.Checksum != coffer.ChecksumNone && want.Checksum != "" && want.Checksum != p.Checksum.Value {
			return nil, fmt.Errorf("sse: part %d: checksum differs: %w", want.Number, coffer.ErrInvalidPart)
		}
		if i < len(list)-1 && p.Size < coffer.MinPartSize {
			return nil, fmt.Errorf("sse: part %d has %d bytes: %w", want.Number, p.Size, coffer.ErrEntityTooSmall)
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// completedChecksum computes the object's checksum from its parts', the
// way the upload's checksum type says, and checks it against the value the
// client declared, if any.
func completedChecksum(up coffer.UploadRecord, parts []coffer.PartRecord, declared coffer.Checksum) (coffer.Checksum, error) {
	if up.Checksum == coffer.ChecksumNone {
		return coffer.Checksum{}, nil
	}
	if declared.Algorithm != "" && declared.Algorithm != up.Checksum {
		return coffer.Checksum{}, &coffer.ArgumentError{
			Code: "InvalidRequest", Name: "x-amz-checksum-" + strings.ToLower(string(declared.Algorithm)),
			Message: fmt.Sprintf("The upload was created using the %s checksum algorithm. The complete request must use the same checksum algorithm.", strings.ToLower(string(up.Checksum))),
		}
	}
	if declared.Type != "" && declared.Type != up.ChecksumType {
		return coffer.Checksum{}, &coffer.ArgumentError{
			Code: "InvalidRequest", Name: "x-amz-checksum-type", Value: string(declared.Type),
			Message: fmt.Sprintf("The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", up.ChecksumType),
		}
	}
	values := make([]string, len(parts))
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		if p.Checksum.Algorithm != up.Checksum || p.Checksum.Value == "" {
			return coffer.Checksum{}, fmt.Errorf("sse: part %d has no %s checksum: %w", p.Number, up.Checksum, coffer.ErrInvalidPart)
		}
		values[i], sizes[i] = p.Checksum.Value, p.Size
	}
	sum := coffer.Checksum{Algorithm: up.Checksum, Type: up.ChecksumType}
	var err error
	if up.ChecksumType == coffer.ChecksumFullObject {
		sum.Value, err = checksum.CombineFullObject(up.Checksum, values, sizes)
	} else {
		sum.Value, err = checksum.Composite(up.Checksum, values)
	}
	if err != nil {
		return coffer.Checksum{}, fmt.Errorf("sse: combining part checksums: %w", err)
	}
	if declared.Value != "" && withoutPartCount(declared.Value) != withoutPartCount(sum.Value) {
		return coffer.Checksum{}, fmt.Errorf("sse: declared %s checksum: %w", up.Checksum, coffer.ErrChecksumMismatch)
	}
	return sum, nil
}

// withoutPartCount drops a composite value's "-N" suffix, which clients
// may or may not send.
func withoutPartCount(v string) string {
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return v[:i]
	}
	return v
}

// completedKey is the sealed key the completed object keeps. An SSE-S3
// key is re-sealed if the master key rotated meanwhile; an SSE-KMS key is
// opened once, as S3 calls Decrypt on completion (spec §3.5), so a caller
// the KMS no longer lets decrypt, or a disabled key, cannot complete.
func (s *Service) completedKey(ctx context.Context, up coffer.UploadRecord) ([]byte, error) {
	b := uploadBinding(up)
	if b.Type != coffer.SSEKMS {
		return s.resealIfStale(ctx, b, up.SealedKey)
	}
	dataKey, err := s.openDataKeyOf(ctx, b, up.SealedKey, nil)
	if err != nil {
		return nil, err
	}
	clear(dataKey)
	return up.SealedKey, nil
}

// resealIfStale re-seals an SSE-S3 data key under the current master key
// version when it is sealed under an older one.
func (s *Service) resealIfStale(ctx context.Context, b keyBinding, sealed []byte) ([]byte, error) {
	if b.Type != coffer.SSES3 || s.masterSealer.isCurrent(sealed) {
		return sealed, nil
	}
	dataKey, err := s.masterSealer.open(ctx, b, sealed)
	if err != nil {
		return nil, err
	}
	defer clear(dataKey)
	return s.masterSealer.seal(ctx, b, dataKey)
}
