package storetest

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/cofferlabs/coffer"
)

// listKeys, in byte order. They mix upper and lower case, delimiters at
// the start, middle and end of keys, doubled delimiters and multi-byte
// UTF-8, whose bytes sort after ASCII.
var listKeys = []string{
	"Zebra",
	"a",
	"a/",
	"a//d",
	"a/b",
	"a/b/c",
	"ab",
	"b/x/y",
	"photos/2024/feb/2.jpg",
	"photos/2024/jan/1.jpg",
	"photos/2025/x.jpg",
	"photos/index.html",
	"z",
	"é",
	"é/x",
	"日本/語",
	"日本語",
}

type listCase struct {
	name      string
	q         coffer.ListQuery
	objects   []string
	prefixes  []string
	truncated bool
	nextAfter string
}

var listCases = []listCase{
	{name: "All", objects: listKeys},
	{name: "Delimiter", q: coffer.ListQuery{Delimiter: "/"},
		objects:  []string{"Zebra", "a", "ab", "z", "é", "日本語"},
		prefixes: []string{"a/", "b/", "photos/", "é/", "日本/"}},
	{name: "PrefixAndDelimiter", q: coffer.ListQuery{Prefix: "a/", Delimiter: "/"},
		objects:  []string{"a/", "a/b"},
		prefixes: []string{"a//", "a/b/"}},
	{name: "OnlyCommonPrefixes", q: coffer.ListQuery{Prefix: "photos/2024/", Delimiter: "/"},
		prefixes: []string{"photos/2024/feb/", "photos/2024/jan/"}},
	{name: "PrefixesAndObjects", q: coffer.ListQuery{Prefix: "photos/", Delimiter: "/"},
		objects:  []string{"photos/index.html"},
		prefixes: []string{"photos/2024/", "photos/2025/"}},
	{name: "PrefixNoDelimiter", q: coffer.ListQuery{Prefix: "a/b"},
		objects: []string{"a/b", "a/b/c"}},
	{name: "PrefixMatchesNothing", q: coffer.ListQuery{Prefix: "q"}},
	{name: "PrefixWithDelimiterInside", q: coffer.ListQuery{Prefix: "é/", Delimiter: "/"},
		objects: []string{"é/x"}},
	{name: "AfterKey", q: coffer.ListQuery{After: "ab"},
		objects: listKeys[7:]},
	{name: "AfterNotAKey", q: coffer.ListQuery{After: "b"},
		objects: listKeys[7:]},
	{name: "AfterInsideCommonPrefix", q: coffer.ListQuery{Delimiter: "/", After: "a/b"},
		objects:  []string{"ab", "z", "é", "日本語"},
		prefixes: []string{"b/", "photos/", "é/", "日本/"}},
	{name: "AfterEqualsCommonPrefix", q: coffer.ListQuery{Delimiter: "/", After: "a/"},
		objects:  []string{"ab", "z", "é", "日本語"},
		prefixes: []string{"b/", "photos/", "é/", "日本/"}},
	{name: "AfterInsideNestedPrefix", q: coffer.ListQuery{Prefix: "photos/", Delimiter: "/", After: "photos/2024/jan/1.jpg"},
		objects:  []string{"photos/index.html"},
		prefixes: []string{"photos/2025/"}},
	{name: "AfterBeforePrefix", q: coffer.ListQuery{Prefix: "photos/", After: "a"},
		objects: listKeys[8:12]},
	{name: "AfterBeyondPrefix", q: coffer.ListQuery{Prefix: "a", After: "b"}},
	{name: "AfterLastKey", q: coffer.ListQuery{After: "日本語"}},
	{name: "Limit", q: coffer.ListQuery{Limit: 3},
		objects: []string{"Zebra", "a", "a/"}, truncated: true, nextAfter: "a/"},
	{name: "LimitCountsPrefixes", q: coffer.ListQuery{Delimiter: "/", Limit: 3},
		objects: []string{"Zebra", "a"}, prefixes: []string{"a/"}, truncated: true, nextAfter: "a/"},
	{name: "LimitEndsOnObject", q: coffer.ListQuery{Delimiter: "/", Limit: 4},
		objects: []string{"Zebra", "a", "ab"}, prefixes: []string{"a/"}, truncated: true, nextAfter: "ab"},
	{name: "LimitExactlyRemaining", q: coffer.ListQuery{Prefix: "photos/", Delimiter: "/", Limit: 3},
		objects:  []string{"photos/index.html"},
		prefixes: []string{"photos/2024/", "photos/2025/"}},
	{name: "LimitOneAfter", q: coffer.ListQuery{After: "z", Limit: 1},
		objects: []string{"é"}, truncated: true, nextAfter: "é"},
	{name: "MultiByteDelimiter", q: coffer.ListQuery{Delimiter: "本"},
		objects:  listKeys[:15],
		prefixes: []string{"日本"}},
	{name: "DelimiterAtManyPositions", q: coffer.ListQuery{Delimiter: "b"},
		objects: []string{"a", "a/", "a//d", "photos/2024/jan/1.jpg", "photos/2025/x.jpg",
			"photos/index.html", "z", "é", "é/x", "日本/語", "日本語"},
		prefixes: []string{"Zeb", "a/b", "ab", "b", "photos/2024/feb"}},
	{name: "DelimiterInNoKey", q: coffer.ListQuery{Delimiter: "#"}, objects: listKeys},
	{name: "MultiCharDelimiter", q: coffer.ListQuery{Delimiter: "//"},
		objects: append([]string{"Zebra", "a", "a/"}, listKeys[4:]...), prefixes: []string{"a//"}},
	{name: "PrefixIsWholeKey", q: coffer.ListQuery{Prefix: "z"}, objects: []string{"z"}},
	{name: "LimitAboveMaximum", q: coffer.ListQuery{Limit: 5000}, objects: listKeys},
}

func testList(t *testing.T, open func(t *testing.T) coffer.Store) {
	s := open(t)
	b := newBucket(t, s)
	recs := map[string]coffer.ObjectRecord{}
	for i, k := range listKeys {
		recs[k] = put(t, s, b, k, []byte(fmt.Sprintf("object %d", i)))
	}
	for _, tc := range listCases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.ListObjects(t.Context(), b, tc.q)
			noErr(t, "ListObjects", err)
			got := listCase{objects: keysOf(page.Objects), prefixes: page.CommonPrefixes,
				truncated: page.Truncated, nextAfter: page.NextAfter}
			want := tc
			want.name, want.q = "", coffer.ListQuery{}
			if !sameListing(got, want) {
				t.Fatalf("ListObjects(%+v)\n got objects %q prefixes %q truncated %v next %q\nwant objects %q prefixes %q truncated %v next %q",
					tc.q, got.objects, got.prefixes, got.truncated, got.nextAfter,
					want.objects, want.prefixes, want.truncated, want.nextAfter)
			}
			for _, o := range page.Objects {
				sameRecord(t, "listed record", o, recs[o.Key])
			}
		})
	}
	t.Run("Paging", func(t *testing.T) { testPaging(t, s, b) })
	t.Run("Empty", func(t *testing.T) {
		page, err := s.ListObjects(t.Context(), newBucket(t, s), coffer.ListQuery{Delimiter: "/"})
		noErr(t, "ListObjects", err)
		if len(page.Objects)+len(page.CommonPrefixes) != 0 || page.Truncated || page.NextAfter != "" {
			t.Fatalf("empty bucket lists %+v", page)
		}
	})
}

func sameListing(a, b listCase) bool {
	return reflect.DeepEqual(nonNil(a.objects), nonNil(b.objects)) &&
		reflect.DeepEqual(nonNil(a.prefixes), nonNil(b.prefixes)) &&
		a.truncated == b.truncated && a.nextAfter == b.nextAfter
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// testPaging checks that walking any query page by page, resuming after
// NextAfter, yields exactly the single-page listing.
func testPaging(t *testing.T, s coffer.Store, bucket string) {
	queries := []coffer.ListQuery{
		{}, {Delimiter: "/"}, {Prefix: "a"}, {Prefix: "a/", Delimiter: "/"},
		{Prefix: "photos/", Delimiter: "/"}, {Delimiter: "b"}, {After: "a/b"},
	}
	for _, q := range queries {
		full, err := s.ListObjects(t.Context(), bucket, q)
		noErr(t, "ListObjects", err)
		want := entries(full)
		for limit := 1; limit <= 5; limit++ {
			var got []string
			pq := q
			pq.Limit = limit
			for pages := 0; ; pages++ {
				if pages > len(listKeys)+1 {
					t.Fatalf("query %+v: paging does not end", pq)
				}
				page, err := s.ListObjects(t.Context(), bucket, pq)
				noErr(t, "ListObjects", err)
				if n := len(page.Objects) + len(page.CommonPrefixes); n > limit || (page.Truncated && n != limit) {
					t.Fatalf("query %+v: page of %d entries (truncated %v)", pq, n, page.Truncated)
				}
				got = append(got, entries(page)...)
				if !page.Truncated {
					break
				}
				if e := entries(page); page.NextAfter != e[len(e)-1] {
					t.Fatalf("query %+v: NextAfter %q, last entry %q", pq, page.NextAfter, e[len(e)-1])
				}
				pq.After = page.NextAfter
			}
			if !reflect.DeepEqual(nonNil(got), nonNil(want)) {
				t.Fatalf("query %+v with limit %d pages through\n%q\nwant\n%q", q, limit, got, want)
			}
		}
	}
}

// entries merges a page's keys and common prefixes in byte order.
func entries(p coffer.RecordPage) []string {
	var out []string
	i, j := 0, 0
	for i < len(p.Objects) || j < len(p.CommonPrefixes) {
		if j == len(p.CommonPrefixes) || (i < len(p.Objects) && p.Objects[i].Key < p.CommonPrefixes[j]) {
			out = append(out, p.Objects[i].Key)
			i++
		} else {
			out = append(out, p.CommonPrefixes[j])
			j++
		}
	}
	return out
}
