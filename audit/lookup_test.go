package audit

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// lookupFixture records twelve events a minute apart (seq 1..12) and
// returns the log and the events' IDs by seq.
func lookupFixture(t *testing.T) (*Log, map[uint64]string) {
	t.Helper()
	l := openLog(t, t.TempDir(), testOptions())
	recordAll(t, l,
		kmsEvent(0, "CreateKey", rootUser, 1),
		kmsEvent(1, "GenerateDataKey", rootUser, 1),
		kmsEvent(2, "Decrypt", alice, 1),
		kmsEvent(3, "GenerateDataKey", alice, 2),
		s3Event(4, "PutBucketEncryption", rootUser, "photos"),
		kmsEvent(5, "Decrypt", rootUser, 2),
		s3Event(6, "PutBucketPolicy", alice, "logs"),
		kmsEvent(7, "GenerateDataKey", rootUser, 2),
		kmsEvent(8, "DescribeKey", alice, 1),
		s3Event(9, "DeleteBucketEncryption", rootUser, "photos"),
		kmsEvent(10, "GenerateDataKey", alice, 1),
		kmsEvent(11, "Decrypt", alice, 2),
	)
	ids := map[uint64]string{}
	page, err := l.Lookup(t.Context(), Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Events {
		ids[e.Seq] = e.ID
	}
	return l, ids
}

func seqs(events []Event) []uint64 {
	var out []uint64
	for _, e := range events {
		out = append(out, e.Seq)
	}
	return out
}

func TestLookup(t *testing.T) {
	l, ids := lookupFixture(t)
	at := func(minute int) time.Time { return epoch.Add(time.Duration(minute) * time.Minute) }
	cases := []struct {
		name  string
		query Query
		want  []uint64
	}{
		{name: "everything newest first", query: Query{}, want: []uint64{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{name: "EventName", query: Query{Attributes: []Attribute{{AttrEventName, "GenerateDataKey"}}}, want: []uint64{11, 8, 4, 2}},
		{name: "EventSource", query: Query{Attributes: []Attribute{{AttrEventSource, "s3.amazonaws.com"}}}, want: []uint64{10, 7, 5}},
		{name: "Username of a user", query: Query{Attributes: []Attribute{{AttrUsername, "alice"}}}, want: []uint64{12, 11, 9, 7, 4, 3}},
		{name: "Username root", query: Query{Attributes: []Attribute{{AttrUsername, "root"}}}, want: []uint64{10, 8, 6, 5, 2, 1}},
		{name: "AccessKeyId", query: Query{Attributes: []Attribute{{AttrAccessKeyID, "AKIAALICE"}}}, want: []uint64{12, 11, 9, 7, 4, 3}},
		{name: "ReadOnly true", query: Query{Attributes: []Attribute{{AttrReadOnly, "true"}}}, want: []uint64{12, 9, 6, 3}},
		{name: "ReadOnly false", query: Query{Attributes: []Attribute{{AttrReadOnly, "false"}}}, want: []uint64{11, 10, 8, 7, 5, 4, 2, 1}},
		{name: "ResourceType", query: Query{Attributes: []Attribute{{AttrResourceType, "AWS::S3::Bucket"}}}, want: []uint64{10, 7, 5}},
		{name: "ResourceName bucket", query: Query{Attributes: []Attribute{{AttrResourceName, "photos"}}}, want: []uint64{10, 5}},
		{name: "ResourceName bucket ARN", query: Query{Attributes: []Attribute{{AttrResourceName, "arn:aws:s3:::logs"}}}, want: []uint64{7}},
		{name: "ResourceName key ARN", query: Query{Attributes: []Attribute{{AttrResourceName, keyARN(2)}}}, want: []uint64{12, 8, 6, 4}},
		{name: "EventId", query: Query{Attributes: []Attribute{{AttrEventID, ids[6]}}}, want: []uint64{6}},
		{name: "no match", query: Query{Attributes: []Attribute{{AttrEventName, "ScheduleKeyDeletion"}}}},
		{name: "start time inclusive", query: Query{StartTime: at(9)}, want: []uint64{12, 11, 10}},
		{name: "end time inclusive", query: Query{EndTime: at(2)}, want: []uint64{3, 2, 1}},
		{name: "time window and attribute", query: Query{StartTime: at(3), EndTime: at(8),
			Attributes: []Attribute{{AttrEventName, "GenerateDataKey"}}}, want: []uint64{8, 4}},
		{name: "window before everything", query: Query{StartTime: at(-60), EndTime: at(-1)}},
		{name: "max results", query: Query{MaxResults: 2, Attributes: []Attribute{{AttrEventName, "Decrypt"}}}, want: []uint64{12, 6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := l.Lookup(t.Context(), tc.query)
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if got := seqs(page.Events); !slices.Equal(got, tc.want) {
				t.Fatalf("seqs = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLookupEventFields(t *testing.T) {
	l, _ := lookupFixture(t)
	page, err := l.Lookup(t.Context(), Query{MaxResults: 1, Attributes: []Attribute{{AttrEventName, "PutBucketPolicy"}}})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("Lookup = %+v, %v", page, err)
	}
	e := page.Events[0]
	want := Event{Seq: 7, ID: e.ID, Name: "PutBucketPolicy", Source: "s3.amazonaws.com", Time: epoch.Add(6 * time.Minute),
		AccessKeyID: "AKIAALICE", Username: "alice",
		Resources: []Resource{{Type: "AWS::S3::Bucket", Name: "logs", ARN: "arn:aws:s3:::logs"}}}
	e.Record = nil
	if len(e.ID) != 36 || !e.Time.Equal(want.Time) || e.Name != want.Name || e.Source != want.Source ||
		e.AccessKeyID != want.AccessKeyID || e.Username != want.Username || !slices.Equal(e.Resources, want.Resources) ||
		e.ReadOnly || e.Seq != 7 {
		t.Fatalf("event = %+v, want %+v", e, want)
	}
}

func TestLookupPagination(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	opts.SegmentSize = 4 << 10 // pages cross segments
	l := openLog(t, dir, opts)
	var events []coffer.AuditEvent
	for i := range 53 {
		name := "Decrypt"
		if i%3 == 0 {
			name = "GenerateDataKey"
		}
		events = append(events, kmsEvent(i, name, alice, i%2))
	}
	recordAll(t, l, events...)
	if n := len(segmentFiles(t, dir)); n < 5 {
		t.Fatalf("only %d segments; the test wants pages across segments", n)
	}
	cases := []struct {
		name     string
		query    Query
		pageSize []int
		total    int
	}{
		{name: "default page size", query: Query{}, pageSize: []int{50, 3}, total: 53},
		{name: "pages of 7", query: Query{MaxResults: 7, Attributes: []Attribute{{AttrEventName, "GenerateDataKey"}}},
			pageSize: []int{7, 7, 4}, total: 18},
		{name: "exact multiple has no empty last page", query: Query{MaxResults: 6, Attributes: []Attribute{{AttrEventName, "GenerateDataKey"}}, EndTime: epoch.Add(35 * time.Minute)},
			pageSize: []int{6, 6}, total: 12},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.query
			var all []uint64
			var sizes []int
			for {
				page, err := l.Lookup(t.Context(), q)
				if err != nil {
					t.Fatalf("Lookup: %v", err)
				}
				sizes = append(sizes, len(page.Events))
				all = append(all, seqs(page.Events)...)
				if page.NextToken == "" {
					break
				}
				q.NextToken = page.NextToken
			}
			if !slices.Equal(sizes, tc.pageSize) || len(all) != tc.total {
				t.Fatalf("page sizes %v (total %d), want %v (total %d)", sizes, len(all), tc.pageSize, tc.total)
			}
			for i := 1; i < len(all); i++ {
				if all[i] >= all[i-1] {
					t.Fatalf("not strictly newest first: %v", all)
				}
			}
		})
	}
}

func TestLookupRefusals(t *testing.T) {
	l, _ := lookupFixture(t)
	page, err := l.Lookup(t.Context(), Query{MaxResults: 2, Attributes: []Attribute{{AttrEventName, "Decrypt"}}})
	if err != nil || page.NextToken == "" {
		t.Fatalf("first page: %v, token %q", err, page.NextToken)
	}
	token := page.NextToken
	forged := []byte(token)
	forged[5] ^= 1
	cases := []struct {
		name  string
		query Query
		want  error
	}{
		{name: "two attributes", query: Query{Attributes: []Attribute{{AttrEventName, "Decrypt"}, {AttrUsername, "alice"}}}, want: ErrInvalidLookupAttributes},
		{name: "unknown key", query: Query{Attributes: []Attribute{{"Color", "blue"}}}, want: ErrInvalidLookupAttributes},
		{name: "empty value", query: Query{Attributes: []Attribute{{AttrEventName, ""}}}, want: ErrInvalidLookupAttributes},
		{name: "value too long", query: Query{Attributes: []Attribute{{AttrEventName, string(make([]byte, 2001))}}}, want: ErrInvalidLookupAttributes},
		{name: "ReadOnly not boolean", query: Query{Attributes: []Attribute{{AttrReadOnly, "yes"}}}, want: ErrInvalidLookupAttributes},
		{name: "start after end", query: Query{StartTime: epoch.Add(time.Minute), EndTime: epoch}, want: ErrInvalidTimeRange},
		{name: "max results too big", query: Query{MaxResults: 51}, want: ErrInvalidMaxResults},
		{name: "max results negative", query: Query{MaxResults: -1}, want: ErrInvalidMaxResults},
		{name: "garbage token", query: Query{NextToken: "not-a-token"}, want: ErrInvalidNextToken},
		{name: "forged token", query: Query{Attributes: []Attribute{{AttrEventName, "Decrypt"}}, NextToken: string(forged)}, want: ErrInvalidNextToken},
		{name: "token with other attributes", query: Query{Attributes: []Attribute{{AttrEventName, "GenerateDataKey"}}, NextToken: token}, want: ErrInvalidNextToken},
		{name: "token with other times", query: Query{Attributes: []Attribute{{AttrEventName, "Decrypt"}}, StartTime: epoch, NextToken: token}, want: ErrInvalidNextToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.Lookup(t.Context(), tc.query)
			var qe *QueryError
			if !errors.Is(err, tc.want) || !errors.As(err, &qe) || qe.Message == "" {
				t.Fatalf("Lookup err = %v, want %v with a message", err, tc.want)
			}
		})
	}
	// The same token with a different page size is fine, as on CloudTrail.
	if _, err := l.Lookup(t.Context(), Query{MaxResults: 1, Attributes: []Attribute{{AttrEventName, "Decrypt"}}, NextToken: token}); err != nil {
		t.Fatalf("token with another MaxResults: %v", err)
	}
	// A token from another trail's key is refused.
	other, err := Open(t.TempDir(), otherKey(), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Lookup(t.Context(), Query{Attributes: []Attribute{{AttrEventName, "Decrypt"}}, NextToken: token}); !errors.Is(err, ErrInvalidNextToken) {
		t.Fatalf("token of another key: %v", err)
	}
}

// A lookup skips lines that are not records rather than failing.
func TestLookupSkipsDamagedLines(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testOptions())
	recordAll(t, l, kmsEvent(0, "CreateKey", rootUser, 1), kmsEvent(1, "Decrypt", rootUser, 1), kmsEvent(2, "Decrypt", rootUser, 1))
	path := segmentFiles(t, dir)[0]
	lines := readLines(t, path)
	lines[1] = []byte("this is not a record\n")
	writeLines(t, path, lines)
	page, err := l.Lookup(t.Context(), Query{})
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(page.Events); !slices.Equal(got, []uint64{3, 1}) {
		t.Fatalf("seqs = %v, want [3 1]", got)
	}
}
