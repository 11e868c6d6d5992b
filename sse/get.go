package sse

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/cofferlabs/coffer"
)

// readPlan is what a read delivers: the object, which plaintext bytes, and
// the streams that hold them.
type readPlan struct {
	rec    coffer.ObjectRecord
	info   coffer.ObjectInfo
	offset int64
	length int64
	slices []streamSlice
}

func (s *Service) GetObject(ctx context.Context, bucket, key string, opts coffer.GetOptions) (coffer.ObjectInfo, *coffer.ObjectReader, error) {
	info, r, err := s.getObjectOnce(ctx, bucket, key, opts)
	if errors.Is(err, coffer.ErrConcurrentUpdate) {
		// The object was replaced between reading its record and opening
		// its data: the fresh record names the new data.
		info, r, err = s.getObjectOnce(ctx, bucket, key, opts)
	}
	return info, r, err
}

func (s *Service) getObjectOnce(ctx context.Context, bucket, key string, opts coffer.GetOptions) (coffer.ObjectInfo, *coffer.ObjectReader, error) {
	plan, err := s.planRead(ctx, bucket, key, opts)
	if err != nil {
		return coffer.ObjectInfo{}, nil, err
	}
	r, err := s.openReader(ctx, plan.rec, plan.slices, opts.CustomerKey)
	if err != nil {
		return coffer.ObjectInfo{}, nil, err
	}
	return plan.info, &coffer.ObjectReader{ReadCloser: r, Offset: plan.offset, Length: plan.length}, nil
}

// HeadObject answers from the record alone and never touches object data.
// It unseals nothing, except that the checksum of an SSE-KMS object is
// shown only to a caller the KMS lets decrypt its key, as on S3 (spec
// §3.5: HeadObject with x-amz-checksum-mode needs kms:Decrypt).
func (s *Service) HeadObject(ctx context.Context, bucket, key string, opts coffer.GetOptions) (coffer.ObjectInfo, error) {
	plan, err := s.planRead(ctx, bucket, key, opts)
	if err != nil {
		return coffer.ObjectInfo{}, err
	}
	if plan.info.Checksum.Algorithm != "" && plan.rec.Encryption.Type == coffer.SSEKMS {
		dataKey, err := s.openDataKeyOf(ctx, bindingOf(plan.rec), plan.rec.SealedKey, nil)
		if err != nil {
			return coffer.ObjectInfo{}, err
		}
		clear(dataKey)
	}
	return plan.info, nil
}

// openReader unseals rec's data key (with ck, for SSE-C) and opens the
// first slice eagerly, so that a replaced object shows as
// ErrConcurrentUpdate before any byte is delivered.
func (s *Service) openReader(ctx context.Context, rec coffer.ObjectRecord, slices []streamSlice, ck *coffer.CustomerKey) (*objectReader, error) {
	dataKey, err := s.openDataKeyOf(ctx, bindingOf(rec), rec.SealedKey, ck)
	if err != nil {
		return nil, err
	}
	r := newObjectReader(ctx, s.store, rec, dataKey, slices)
	if len(slices) > 0 {
		if err := r.openNext(); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// planRead fetches the record and settles conditions, part and range.
func (s *Service) planRead(ctx context.Context, bucket, key string, opts coffer.GetOptions) (readPlan, error) {
	if err := coffer.ValidateObjectKey(key); err != nil {
		return readPlan{}, err
	}
	if err := checkPartNumberOption(opts); err != nil {
		return readPlan{}, err
	}
	rec, err := s.store.GetObject(ctx, bucket, key)
	if err != nil {
		return readPlan{}, err
	}
	if err := checkCustomerKeyForRead(rec, opts.CustomerKey); err != nil {
		return readPlan{}, err
	}
	if err := opts.Conditions.Check(rec.ETag, rec.Modified); err != nil {
		return readPlan{}, err
	}
	plan := readPlan{rec: rec, info: rec.Info(), length: rec.Size}
	plan.info.Encryption = withCustomerKeyMD5(plan.info.Encryption, opts.CustomerKey)
	switch {
	case opts.PartNumber > 0:
		err = plan.selectPart(opts.PartNumber)
	case opts.Range != nil:
		plan.offset, plan.length, err = opts.Range.Resolve(rec.Size)
		plan.slices = slicesOf(rec, plan.offset, plan.length)
	default:
		plan.slices = slicesOf(rec, 0, rec.Size)
	}
	if err != nil {
		return readPlan{}, err
	}
	if !opts.WantChecksum || opts.Range != nil {
		plan.info.Checksum = coffer.Checksum{}
	}
	return plan, nil
}

// selectPart reads the n-th part of a multipart object (part 1 of a
// single-part object is the whole object). Parts are counted in the
// object's order, so 1..PartsCount always names every part; a number past
// them is ErrInvalidPartNumber, which S3 tells apart from a bad Range.
func (p *readPlan) selectPart(n int) error {
	if len(p.rec.Parts) == 0 {
		if n != 1 {
			return fmt.Errorf("sse: part %d of a single-part object: %w", n, coffer.ErrInvalidPartNumber)
		}
		p.slices = slicesOf(p.rec, 0, p.rec.Size)
		return nil
	}
	if n > len(p.rec.Parts) {
		return fmt.Errorf("sse: part %d of an object of %d parts: %w", n, len(p.rec.Parts), coffer.ErrInvalidPartNumber)
	}
	for _, part := range p.rec.Parts[:n-1] {
		p.offset += part.Size
	}
	p.slices = []streamSlice{streamOf(p.rec, n-1)}
	p.length = p.slices[0].length
	p.info.Checksum = p.rec.Parts[n-1].Checksum
	return nil
}

func checkPartNumberOption(opts coffer.GetOptions) error {
	if opts.PartNumber < 0 || opts.PartNumber > coffer.MaxPartNumber {
		return &coffer.ArgumentError{
			Name: "partNumber", Value: strconv.Itoa(opts.PartNumber),
			Message: "Part number must be an integer between 1 and 10000, inclusive",
		}
	}
	if opts.PartNumber > 0 && opts.Range != nil {
		return &coffer.ArgumentError{
			Code: "InvalidRequest", Name: "partNumber", Value: strconv.Itoa(opts.PartNumber),
			Message: "Cannot specify both Range header and partNumber query parameter",
		}
	}
	return nil
}
