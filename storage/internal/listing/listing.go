package listing

import (
	"sort"
	"strings"

	"github.com/cofferlabs/coffer"
)

// MaxLimit is the largest page; a query's Limit outside 1..MaxLimit means MaxLimit.
const MaxLimit = 1000

// Cursor walks keys in byte order.
type Cursor interface {
	// Seek moves to the first key >= key; ok is false past the last key.
	Seek(key string) (k string, ok bool)
	// Next moves to the following key; ok is false past the last key.
	Next() (k string, ok bool)
}

// Page is what Select found besides the objects it reported.
type Page struct {
	CommonPrefixes []string
	Truncated      bool
	// NextAfter is the last key or common prefix of a truncated page; empty
	// when the page is complete.
	NextAfter string
}

// Select walks c for the page q asks for. It calls object for every key to
// be listed, in order, while c is positioned at that key. Only keys and
// common prefixes greater than q.After are listed; a common prefix that
// contains q.After was listed on an earlier page and is skipped whole.
func Select(c Cursor, q coffer.ListQuery, object func(key string) error) (Page, error) {
	limit := q.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	var page Page
	listed := 0
	k, ok := c.Seek(startKey(q))
	for ok && strings.HasPrefix(k, q.Prefix) {
		prefix, rolled := commonPrefix(k, q.Prefix, q.Delimiter)
		if rolled && prefix <= q.After {
			k, ok = seekPast(c, prefix)
			continue
		}
		if listed == limit {
			page.Truncated = true
			break
		}
		listed++
		if rolled {
			page.CommonPrefixes = append(page.CommonPrefixes, prefix)
			page.NextAfter = prefix
			k, ok = seekPast(c, prefix)
			continue
		}
		if err := object(k); err != nil {
			return Page{}, err
		}
		page.NextAfter = k
		k, ok = c.Next()
	}
	if !page.Truncated {
		page.NextAfter = ""
	}
	return page, nil
}

// startKey is the smallest key that can be listed: the prefix itself, or
// the smallest string greater than After.
func startKey(q coffer.ListQuery) string {
	if q.After >= q.Prefix {
		return q.After + "\x00"
	}
	return q.Prefix
}

// commonPrefix returns the common prefix key rolls up into, if any.
func commonPrefix(key, prefix, delimiter string) (string, bool) {
	if delimiter == "" {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delimiter)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delimiter)], true
}

// seekPast moves c to the first key that does not start with prefix.
func seekPast(c Cursor, prefix string) (string, bool) {
	next, ok := Successor(prefix)
	if !ok {
		return "", false
	}
	return c.Seek(next)
}

// Successor returns the smallest string greater than every string that
// starts with prefix; ok is false when there is none (all bytes 0xff).
func Successor(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// SortUploads orders uploads as Store.ListUploads returns them: by key,
// then initiation, then ID.
func SortUploads(us []coffer.UploadRecord) {
	sort.Slice(us, func(i, j int) bool {
		a, b := us[i], us[j]
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if !a.Initiated.Equal(b.Initiated) {
			return a.Initiated.Before(b.Initiated)
		}
		return a.ID < b.ID
	})
}
