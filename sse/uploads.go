package sse

import (
	"context"
	"sort"
	"strings"

	"github.com/cofferlabs/coffer"
)

// ListMultipartUploads pages through a bucket's uploads in the store's
// order (key, then initiation), rolling keys up into common prefixes at
// the delimiter as ListObjects does.
func (s *Service) ListMultipartUploads(ctx context.Context, bucket string, q coffer.UploadQuery) (coffer.UploadPage, error) {
	uploads, err := s.store.ListUploads(ctx, bucket)
	if err != nil {
		return coffer.UploadPage{}, err
	}
	limit := listLimit(q.Limit)
	var page coffer.UploadPage
	entries := 0
	for _, up := range uploadsAfterMarker(uploads, q) {
		if !strings.HasPrefix(up.Key, q.Prefix) {
			continue
		}
		prefix, rolled := commonPrefix(up.Key, q.Prefix, q.Delimiter)
		if rolled {
			if prefix <= q.KeyMarker || lastPrefixIs(page.CommonPrefixes, prefix) {
				continue
			}
		}
		if entries == limit {
			page.Truncated = true
			break
		}
		entries++
		if rolled {
			page.CommonPrefixes = append(page.CommonPrefixes, prefix)
			page.NextKeyMarker, page.NextUploadIDMarker = prefix, ""
			continue
		}
		page.Uploads = append(page.Uploads, up.Info())
		page.NextKeyMarker, page.NextUploadIDMarker = up.Key, up.ID
	}
	return page, nil
}

// uploadsAfterMarker drops the uploads up to the markers: keys up to
// KeyMarker, except, with an UploadIDMarker, the uploads of KeyMarker
// listed after that one (or with a greater ID when that upload is gone).
func uploadsAfterMarker(uploads []coffer.UploadRecord, q coffer.UploadQuery) []coffer.UploadRecord {
	if q.KeyMarker == "" {
		return uploads
	}
	first := sort.Search(len(uploads), func(i int) bool { return uploads[i].Key >= q.KeyMarker })
	end := first
	for end < len(uploads) && uploads[end].Key == q.KeyMarker {
		end++
	}
	if q.UploadIDMarker == "" {
		return uploads[end:]
	}
	sameKey := uploads[first:end]
	for i, up := range sameKey {
		if up.ID == q.UploadIDMarker {
			return uploads[first+i+1:]
		}
	}
	var out []coffer.UploadRecord
	for _, up := range sameKey {
		if up.ID > q.UploadIDMarker {
			out = append(out, up)
		}
	}
	return append(out, uploads[end:]...)
}

// commonPrefix returns the prefix key rolls up into, if any.
func commonPrefix(key, prefix, delimiter string) (string, bool) {
	if delimiter == "" {
		return "", false
	}
	rest := key[len(prefix):]
	i := strings.Index(rest, delimiter)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delimiter)], true
}

func lastPrefixIs(prefixes []string, p string) bool {
	return len(prefixes) > 0 && prefixes[len(prefixes)-1] == p
}
