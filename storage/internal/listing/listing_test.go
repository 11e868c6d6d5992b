package listing_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/internal/listing"
)

type sliceCursor struct {
	keys  []string
	i     int
	seeks int
}

func (c *sliceCursor) Seek(k string) (string, bool) {
	c.seeks++
	c.i = sort.SearchStrings(c.keys, k)
	return c.at()
}

func (c *sliceCursor) Next() (string, bool) { c.i++; return c.at() }

func (c *sliceCursor) at() (string, bool) {
	if c.i >= len(c.keys) {
		return "", false
	}
	return c.keys[c.i], true
}

// model lists by brute force: roll every key up, drop entries <= After,
// cut at the limit.
func model(keys []string, q coffer.ListQuery) (objects, prefixes []string, page listing.Page) {
	limit := q.Limit
	if limit <= 0 || limit > listing.MaxLimit {
		limit = listing.MaxLimit
	}
	var entries []string
	isPrefix := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, q.Prefix) {
			continue
		}
		e := k
		if q.Delimiter != "" {
			if i := strings.Index(k[len(q.Prefix):], q.Delimiter); i >= 0 {
				e = k[:len(q.Prefix)+i+len(q.Delimiter)]
				if isPrefix[e] {
					continue
				}
				isPrefix[e] = true
			}
		}
		if e > q.After {
			entries = append(entries, e)
		}
	}
	sort.Strings(entries)
	if len(entries) > limit {
		entries = entries[:limit]
		page.Truncated = true
		page.NextAfter = entries[limit-1]
	}
	for _, e := range entries {
		if isPrefix[e] {
			prefixes = append(prefixes, e)
		} else {
			objects = append(objects, e)
		}
	}
	page.CommonPrefixes = prefixes
	return objects, prefixes, page
}

func check(t *testing.T, keys []string, q coffer.ListQuery) {
	t.Helper()
	keys = append([]string(nil), keys...)
	sort.Strings(keys)
	keys = compact(keys)
	var objects []string
	got, err := listing.Select(&sliceCursor{keys: keys}, q, func(k string) error {
		objects = append(objects, k)
		return nil
	})
	if err != nil {
		t.Fatalf("Select: %v", err)
	}
	wantObjects, _, want := model(keys, q)
	if !reflect.DeepEqual(objects, wantObjects) || !reflect.DeepEqual(got, want) {
		t.Fatalf("keys %q query %+v:\n got %q %+v\nwant %q %+v", keys, q, objects, got, wantObjects, want)
	}
}

func compact(keys []string) []string {
	out := keys[:0]
	for i, k := range keys {
		if i == 0 || k != keys[i-1] {
			out = append(out, k)
		}
	}
	return out
}

var seedKeys = []string{"a", "a/", "a//b", "a/b", "a/b/c", "ab", "b", "b/c", "\xff", "\xff\xff/x", "é/ü", "日本"}

func TestSelect(t *testing.T) {
	cases := []struct {
		name string
		q    coffer.ListQuery
	}{
		{"Plain", coffer.ListQuery{}},
		{"Delimiter", coffer.ListQuery{Delimiter: "/"}},
		{"PrefixDelimiter", coffer.ListQuery{Prefix: "a/", Delimiter: "/"}},
		{"AfterInsidePrefix", coffer.ListQuery{Delimiter: "/", After: "a/b"}},
		{"Limit", coffer.ListQuery{Delimiter: "/", Limit: 2}},
		{"AllFFPrefix", coffer.ListQuery{Delimiter: "/", Prefix: "\xff"}},
		{"DelimiterIsFF", coffer.ListQuery{Delimiter: "\xff"}},
		{"LongDelimiter", coffer.ListQuery{Delimiter: "/b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { check(t, seedKeys, tc.q) })
	}
}

// TestSelectSkipsCommonPrefixes checks that a delimiter listing seeks past
// a common prefix instead of stepping through the keys inside it.
func TestSelectSkipsCommonPrefixes(t *testing.T) {
	var keys []string
	for i := range 10000 {
		keys = append(keys, "dir/"+strings.Repeat("x", i%50)+string(rune('a'+i%26)))
	}
	keys = append(keys, "file")
	sort.Strings(keys)
	keys = compact(keys)
	c := &sliceCursor{keys: keys}
	var objects []string
	page, err := listing.Select(c, coffer.ListQuery{Delimiter: "/"}, func(k string) error {
		objects = append(objects, k)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(page.CommonPrefixes, []string{"dir/"}) || !reflect.DeepEqual(objects, []string{"file"}) {
		t.Fatalf("got prefixes %q objects %q", page.CommonPrefixes, objects)
	}
	if c.seeks > 2 {
		t.Fatalf("listing used %d seeks, want 2", c.seeks)
	}
}

func TestSuccessor(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"a/", "a0", true},
		{"a\xff", "b", true},
		{"", "", false},
		{"\xff\xff", "", false},
		{"é", "\xc3\xaa", true},
	}
	for _, tc := range cases {
		got, ok := listing.Successor(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Successor(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSortUploads(t *testing.T) {
	ups := []coffer.UploadRecord{{Key: "b", ID: "1"}, {Key: "a", ID: "3"}, {Key: "a", ID: "2"}}
	listing.SortUploads(ups)
	var ids []string
	for _, u := range ups {
		ids = append(ids, u.ID)
	}
	if !reflect.DeepEqual(ids, []string{"2", "3", "1"}) {
		t.Fatalf("order %q", ids)
	}
}

// FuzzSelect compares Select with the brute-force model on key sets drawn
// from the fuzzer's bytes (split on '\n').
func FuzzSelect(f *testing.F) {
	f.Add(strings.Join(seedKeys, "\n"), "", "/", "", 0)
	f.Add(strings.Join(seedKeys, "\n"), "a/", "/", "a/b", 2)
	f.Add("x/y/z\nx/y\nx", "x", "/", "x", 1)
	f.Add("\xff\xff\n\xff", "", "\xff", "", 3)
	f.Fuzz(func(t *testing.T, keys, prefix, delimiter, after string, limit int) {
		check(t, strings.Split(keys, "\n"), coffer.ListQuery{Prefix: prefix, Delimiter: delimiter, After: after, Limit: limit % 8})
	})
}
