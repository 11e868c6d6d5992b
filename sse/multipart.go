package sse

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cofferlabs/coffer"
)

const uploadIDBytes = 32

// CreateMultipartUpload starts an upload with its own data key, sealed
// with the upload ID bound in, under an unguessable random upload ID.
func (s *Service) CreateMultipartUpload(ctx context.Context, bucket, key string, opts coffer.UploadOptions) (coffer.UploadInfo, error) {
	if err := validateWrite(key, opts.Meta); err != nil {
		return coffer.UploadInfo{}, err
	}
	checksumType, err := uploadChecksumType(opts.Checksum, opts.ChecksumType)
	if err != nil {
		return coffer.UploadInfo{}, err
	}
	enc, err := s.writeEncryptionFor(ctx, bucket, opts.Encryption)
	if err != nil {
		return coffer.UploadInfo{}, err
	}
	id, err := s.newUploadID()
	if err != nil {
		return coffer.UploadInfo{}, err
	}
	up := coffer.UploadRecord{
		Bucket: bucket, Key: key, ID: id, Initiated: s.now(), Meta: cloneMeta(opts.Meta),
		Encryption: coffer.EncryptionInfo{Type: enc.Type}, Checksum: opts.Checksum, ChecksumType: checksumType,
	}
	dataKey, sealed, info, err := s.sealNewDataKey(ctx, uploadBinding(up), enc)
	if err != nil {
		return coffer.UploadInfo{}, err
	}
	clear(dataKey)
	up.Encryption, up.SealedKey = info, sealed
	if err := s.store.CreateUpload(ctx, up); err != nil {
		return coffer.UploadInfo{}, err
	}
	created := up.Info()
	created.Encryption = withCustomerKeyMD5(created.Encryption, enc.Customer)
	return created, nil
}

func (s *Service) newUploadID() (string, error) {
	b := make([]byte, uploadIDBytes)
	if err := readRandom(s.random, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (s *Service) UploadPart(ctx context.Context, bucket, key, uploadID string, part int, body io.Reader, opts coffer.PartOptions) (coffer.PartInfo, error) {
	if err := validatePartNumber(part); err != nil {
		return coffer.PartInfo{}, err
	}
	if opts.Check.Size > coffer.MaxPartSize {
		return coffer.PartInfo{}, coffer.ErrEntityTooLarge
	}
	up, err := s.store.GetUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return coffer.PartInfo{}, err
	}
	if err := checkCustomerKeyForPart(up, opts.CustomerKey); err != nil {
		return coffer.PartInfo{}, err
	}
	check, err := partCheck(up, opts.Check)
	if err != nil {
		return coffer.PartInfo{}, err
	}
	return s.writePart(ctx, up, part, body, check, opts.CustomerKey)
}

// UploadPartCopy fills a part from (a range of) an existing object,
// decrypting it and re-encrypting it under the upload's key.
func (s *Service) UploadPartCopy(ctx context.Context, bucket, key, uploadID string, part int, src coffer.CopySource, opts coffer.PartOptions) (coffer.PartInfo, error) {
	if err := validatePartNumber(part); err != nil {
		return coffer.PartInfo{}, err
	}
	up, err := s.store.GetUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return coffer.PartInfo{}, err
	}
	if err := checkCustomerKeyForPart(up, opts.CustomerKey); err != nil {
		return coffer.PartInfo{}, err
	}
	info, err := s.uploadPartCopyOnce(ctx, up, part, src, opts.CustomerKey)
	if errors.Is(err, coffer.ErrConcurrentUpdate) {
		info, err = s.uploadPartCopyOnce(ctx, up, part, src, opts.CustomerKey)
	}
	return info, err
}

func (s *Service) uploadPartCopyOnce(ctx context.Context, up coffer.UploadRecord, part int, src coffer.CopySource, ck *coffer.CustomerKey) (coffer.PartInfo, error) {
	source, err := s.openCopySource(ctx, src, nil)
	if err != nil {
		return coffer.PartInfo{}, err
	}
	defer source.reader.Close()
	check := coffer.BodyCheck{Size: source.length, Checksum: up.Checksum}
	return s.writePart(ctx, up, part, source.reader, check, ck)
}

// writePart encrypts body as part number part of up, under a stream key
// derived with a fresh nonce, and commits the part record; ck is the
// request's customer key, already checked against an SSE-C upload's.
func (s *Service) writePart(ctx context.Context, up coffer.UploadRecord, part int, body io.Reader, check coffer.BodyCheck, ck *coffer.CustomerKey) (coffer.PartInfo, error) {
	dataKey, err := s.openDataKeyOf(ctx, uploadBinding(up), up.SealedKey, ck)
	if err != nil {
		return coffer.PartInfo{}, err
	}
	defer clear(dataKey)
	nonce := make([]byte, partNonceSize)
	if err := readRandom(s.random, nonce); err != nil {
		return coffer.PartInfo{}, err
	}
	key := streamKey(dataKey, part, nonce)
	defer clear(key)
	w, err := s.store.NewPartWriter(ctx, up.Bucket, up.Key, up.ID, part)
	if err != nil {
		return coffer.PartInfo{}, err
	}
	written, err := encryptInto(ctx, w, body, check, coffer.MaxPartSize, key)
	if err != nil {
		return coffer.PartInfo{}, errors.Join(err, w.Abort())
	}
	rec := coffer.PartRecord{
		Number: part, Size: written.size, ETag: objectETag(up.Encryption.Type, dataKey, written.md5), Modified: s.now(),
		Checksum: written.checksum, Nonce: nonce,
	}
	if err := w.Commit(ctx, coffer.CommitRecord{Part: &rec}); err != nil {
		return coffer.PartInfo{}, err
	}
	info := rec.Info()
	info.Encryption = withCustomerKeyMD5(up.Encryption, ck)
	return info, nil
}

// partCheck makes a part's body check compute the upload's checksum
// algorithm, refusing a part that declares another one.
func partCheck(up coffer.UploadRecord, check coffer.BodyCheck) (coffer.BodyCheck, error) {
	if !validChecksumAlgorithm(check.Checksum) {
		return check, checksumAlgorithmError(check.Checksum)
	}
	if up.Checksum == coffer.ChecksumNone {
		return check, nil
	}
	if check.Checksum != coffer.ChecksumNone && check.Checksum != up.Checksum {
		return check, &coffer.ArgumentError{
			Code: "InvalidRequest", Name: "x-amz-checksum-" + strings.ToLower(string(check.Checksum)),
			Message: fmt.Sprintf("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
				strings.ToLower(string(up.Checksum)), strings.ToLower(string(check.Checksum))),
		}
	}
	check.Checksum = up.Checksum
	return check, nil
}

// checkCustomerKeyForPart requires a part's (or a completion's) SSE-C
// parameters to match the upload's: the same key for an SSE-C upload
// (checked against its verifier), none for any other.
func checkCustomerKeyForPart(up coffer.UploadRecord, key *coffer.CustomerKey) error {
	if (up.Encryption.Type == coffer.SSEC) != (key != nil) {
		return coffer.ErrUploadKeyPresence
	}
	if key == nil {
		return nil
	}
	err := verifyCustomerKey(key, uploadBinding(up), up.SealedKey)
	if errors.Is(err, coffer.ErrCustomerKeyMismatch) {
		return coffer.ErrUploadKeyMismatch
	}
	return err
}

func (s *Service) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	return s.store.AbortUpload(ctx, bucket, key, uploadID)
}

func (s *Service) ListParts(ctx context.Context, bucket, key, uploadID string, q coffer.PartQuery) (coffer.PartPage, error) {
	up, err := s.store.GetUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return coffer.PartPage{}, err
	}
	parts, err := s.store.ListParts(ctx, bucket, key, uploadID)
	if err != nil {
		return coffer.PartPage{}, err
	}
	limit := listLimit(q.Limit)
	page := coffer.PartPage{Upload: up.Info()}
	for _, p := range parts {
		if p.Number <= q.After {
			continue
		}
		if len(page.Parts) == limit {
			page.Truncated = true
			break
		}
		page.Parts = append(page.Parts, p.Info())
		page.NextAfter = p.Number
	}
	return page, nil
}

func (s *Service) HeadUpload(ctx context.Context, bucket, key, uploadID string) (coffer.UploadInfo, error) {
	up, err := s.store.GetUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return coffer.UploadInfo{}, err
	}
	return up.Info(), nil
}
