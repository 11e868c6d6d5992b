package sse

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/cofferlabs/coffer"
)

// walkRecords visits every record a Rewrap run from position from must
// see, in one fixed order: object records by (bucket, key), then upload
// records by (bucket, key, upload ID). The same walk both counts a run's
// records and re-seals them, so the count matches what the run visits.
func (s *Service) walkRecords(ctx context.Context, from rewrapPosition, object func(coffer.ObjectRecord) error, upload func(coffer.UploadRecord) error) error {
	if from.Phase != phaseUploads {
		after := coffer.ObjectID{Bucket: from.Bucket, Key: from.Key}
		if err := s.store.WalkObjects(ctx, after, object); err != nil {
			return err
		}
		from = rewrapPosition{}
	}
	return s.walkUploads(ctx, from, upload)
}

// walkUploads calls fn for every upload after from (all of them when from
// is not in the uploads phase). The store lists uploads by key and
// initiation time, which two uploads may share; sorting by ID too gives a
// total order, so a resumed walk skips exactly the uploads already done.
func (s *Service) walkUploads(ctx context.Context, from rewrapPosition, fn func(coffer.UploadRecord) error) error {
	buckets, err := s.store.ListBuckets(ctx)
	if err != nil {
		return err
	}
	resuming := from.Phase == phaseUploads
	for _, b := range buckets {
		if resuming && b.Name < from.Bucket {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		uploads, err := s.store.ListUploads(ctx, b.Name)
		if errors.Is(err, coffer.ErrNoSuchBucket) {
			continue // deleted since ListBuckets, with no uploads left
		}
		if err != nil {
			return err
		}
		slices.SortFunc(uploads, compareUploads)
		for _, up := range uploads {
			if resuming && compareUploadTo(up, from) <= 0 {
				continue
			}
			if err := fn(up); err != nil {
				return err
			}
		}
	}
	return nil
}

func compareUploads(a, b coffer.UploadRecord) int {
	return compareUploadTo(a, uploadPosition(b))
}

// compareUploadTo orders an upload against a position by (bucket, key,
// upload ID).
func compareUploadTo(up coffer.UploadRecord, at rewrapPosition) int {
	return cmp.Or(cmp.Compare(up.Bucket, at.Bucket), cmp.Compare(up.Key, at.Key), cmp.Compare(up.ID, at.UploadID))
}

// countRecords is the records-only pre-walk of a Rewrap run: it reads
// records and unseals nothing, so a progress bar can show a total.
func (s *Service) countRecords(ctx context.Context, from rewrapPosition) (int, error) {
	n := 0
	err := s.walkRecords(ctx, from,
		func(coffer.ObjectRecord) error { n++; return nil },
		func(coffer.UploadRecord) error { n++; return nil })
	return n, err
}
