package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"
)

// lookupSlack is how far out of order event times may be relative to the
// order records were appended in. Scanning backwards, a lookup stops at the
// first event older than StartTime by more than this, and skips a segment
// whose first event is newer than EndTime by more than this. Events are
// stamped when they happen and recorded at once, so real disorder is
// milliseconds; an event recorded more than this after its time can be
// missed by time-bounded lookups (never by Verify or Export).
const lookupSlack = 15 * time.Minute

// Lookup returns the events matching q, newest first, as CloudTrail's
// LookupEvents does. Events recorded before the call are included. Memory
// is bounded by one page and one read buffer, whatever the trail's size.
func (l *Log) Lookup(ctx context.Context, q Query) (Page, error) {
	p, err := q.plan(l.keys.token)
	if err != nil {
		return Page{}, err
	}
	if err := l.Sync(ctx); err != nil && ctx.Err() != nil {
		return Page{}, ctx.Err()
	}
	return lookup(ctx, l.dir, p, q, l.keys.token, l.opts.Logger)
}

func lookup(ctx context.Context, dir string, p plan, q Query, tokenKey []byte, logger *slog.Logger) (Page, error) {
	segs, err := listSegments(dir)
	if err != nil {
		return Page{}, err
	}
	s := scan{plan: p, ctx: ctx}
	for i := len(segs) - 1; i >= 0 && !s.stop; i-- {
		seg := segs[i]
		if seg.first >= p.before || s.after(seg) {
			continue
		}
		if err := s.segment(seg); err != nil {
			return Page{}, err
		}
	}
	if s.skipped > 0 {
		logger.Warn("audit: lookup skipped lines that are not records; run coffer audit verify", "lines", s.skipped)
	}
	page := Page{Events: s.found}
	if len(s.found) > p.max {
		page.Events = s.found[:p.max]
		page.NextToken = encodeToken(tokenKey, page.Events[p.max-1].Seq, q)
	}
	return page, nil
}

// scan collects matches, newest first, until it has one more than a page
// (to know whether another page exists) or runs out.
type scan struct {
	plan
	ctx     context.Context
	found   []Event
	stop    bool
	skipped int
}

// after reports whether every event of seg is newer than the end time.
func (s *scan) after(seg segment) bool {
	if s.end.IsZero() {
		return false
	}
	line, ok, err := firstLine(seg.path)
	if err != nil || !ok {
		return false
	}
	e, err := eventOf(line)
	return err == nil && e.Time.After(s.end.Add(lookupSlack))
}

func (s *scan) segment(seg segment) error {
	f, err := os.Open(seg.path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	lines, err := newBackwardLines(f, info.Size())
	if err != nil {
		return err
	}
	for n := 0; !s.stop; n++ {
		if n%1024 == 0 && s.ctx.Err() != nil {
			return s.ctx.Err()
		}
		line, _, fits, ok, err := lines.next()
		if err != nil || !ok {
			return err
		}
		s.consider(line, fits)
	}
	return nil
}

func (s *scan) consider(line []byte, fits bool) {
	rec, err := parseLine(line)
	if !fits || err != nil {
		s.skipped++
		return
	}
	if rec.seq >= s.before || s.needle != nil && !bytes.Contains(line, s.needle) {
		return
	}
	e, err := eventOf(line)
	if err != nil {
		s.skipped++
		return
	}
	switch {
	case !s.start.IsZero() && e.Time.Before(s.start):
		s.stop = e.Time.Before(s.start.Add(-lookupSlack))
		return
	case !s.end.IsZero() && e.Time.After(s.end):
		return
	case s.attr != nil && !s.attr.matches(&e):
		return
	}
	e.Seq = rec.seq
	e.Record = slices.Clone(line)
	s.found = append(s.found, e)
	s.stop = len(s.found) > s.max
}

// lookupRecord is the part of a record a lookup reads.
type lookupRecord struct {
	EventID      string `json:"eventID"`
	EventName    string `json:"eventName"`
	EventSource  string `json:"eventSource"`
	EventTime    string `json:"eventTime"`
	ReadOnly     bool   `json:"readOnly"`
	UserIdentity struct {
		Type        string `json:"type"`
		UserName    string `json:"userName"`
		AccessKeyID string `json:"accessKeyId"`
	} `json:"userIdentity"`
	Resources []struct {
		ARN  string `json:"ARN"`
		Type string `json:"type"`
	} `json:"resources"`
}

// eventOf decodes a record line into what LookupEvents shows.
func eventOf(line []byte) (Event, error) {
	var r lookupRecord
	if err := json.Unmarshal(line, &r); err != nil {
		return Event{}, err
	}
	when, err := time.Parse(timeLayout, r.EventTime)
	if err != nil {
		return Event{}, err
	}
	e := Event{ID: r.EventID, Name: r.EventName, Source: r.EventSource, Time: when, ReadOnly: r.ReadOnly,
		AccessKeyID: r.UserIdentity.AccessKeyID, Username: r.UserIdentity.UserName}
	if r.UserIdentity.Type == "Root" {
		e.Username = "root"
	}
	for _, res := range r.Resources {
		e.Resources = append(e.Resources, Resource{Type: res.Type, Name: resourceName(res.ARN), ARN: res.ARN})
	}
	return e, nil
}

// resourceName is the name CloudTrail shows for a resource: bucket or
// bucket/key for S3, the ARN for everything else (KMS keys included).
func resourceName(arn string) string {
	if name, ok := strings.CutPrefix(arn, "arn:aws:s3:::"); ok {
		return name
	}
	return arn
}
