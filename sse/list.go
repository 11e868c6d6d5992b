package sse

import (
	"context"

	"github.com/cofferlabs/coffer"
)

const maxListLimit = 1000

// ListObjects maps the store's page of records to the API's page; it never
// unseals anything.
func (s *Service) ListObjects(ctx context.Context, bucket string, q coffer.ListQuery) (coffer.ListPage, error) {
	q.Limit = listLimit(q.Limit)
	page, err := s.store.ListObjects(ctx, bucket, q)
	if err != nil {
		return coffer.ListPage{}, err
	}
	out := coffer.ListPage{
		Objects:        make([]coffer.ObjectInfo, 0, len(page.Objects)),
		CommonPrefixes: page.CommonPrefixes,
		Truncated:      page.Truncated,
		NextAfter:      page.NextAfter,
	}
	for _, rec := range page.Objects {
		info := rec.Info()
		info.Parts = nil // listings show the count only
		out.Objects = append(out.Objects, info)
	}
	return out, nil
}

// listLimit applies S3's default and maximum of 1000 entries a page.
func listLimit(limit int) int {
	if limit <= 0 || limit > maxListLimit {
		return maxListLimit
	}
	return limit
}
