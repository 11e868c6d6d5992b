package audit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConcurrentRecordLookupVerify(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	opts.SegmentSize = 64 << 10
	l := openLog(t, dir, opts)
	const writers, each = 8, 250
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				l.Record(context.Background(), kmsEvent(i, "GenerateDataKey", alice, w))
			}
		}()
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(2)
	go func() { // lookups and exports while writing
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := l.Lookup(context.Background(), Query{MaxResults: 5, Attributes: []Attribute{{AttrUsername, "alice"}}}); err != nil {
				t.Errorf("Lookup: %v", err)
				return
			}
			if err := ExportDir(context.Background(), dir, discard{}, time.Time{}, time.Time{}); err != nil {
				t.Errorf("ExportDir: %v", err)
				return
			}
		}
	}()
	go func() { // verification beside the writer
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := Verify(dir, testKey()); err != nil {
				t.Errorf("Verify while writing: %v", err)
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	readers.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	stats := l.Stats()
	report, err := Verify(dir, testKey())
	if err != nil || report.Records != writers*each || stats.Written != writers*each || stats.Dropped != 0 {
		t.Fatalf("report %+v, stats %+v, err %v", report, stats, err)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestWriteFailuresAreRetried(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	var calls atomic.Int32
	opts.fsync = func(f *os.File) error {
		if calls.Add(1) <= 3 {
			return errors.New("injected: disk on fire")
		}
		return f.Sync()
	}
	l := openLog(t, dir, opts)
	for i := range 10 {
		l.Record(t.Context(), kmsEvent(i, "Decrypt", alice, 1))
	}
	// Each Sync is one more attempt; the fourth fsync succeeds.
	var err error
	for range 5 {
		if err = l.Sync(t.Context()); err == nil {
			break
		}
		if !l.Stats().Failing || !strings.Contains(l.Stats().LastError.Error(), "disk on fire") {
			t.Fatalf("stats during failure: %+v", l.Stats())
		}
	}
	if err != nil {
		t.Fatalf("Sync never recovered: %v", err)
	}
	stats := l.Stats()
	if stats.Failing || stats.Written != 10 || stats.Dropped != 0 || stats.LastError == nil {
		t.Fatalf("stats after recovery: %+v", stats)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if report, err := Verify(dir, testKey()); err != nil || report.Records != 10 {
		t.Fatalf("Verify: %+v, %v", report, err)
	}
}

// A full queue makes Record wait, then drop and count; it never deadlocks.
func TestFullQueueDropsAfterWaiting(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	opts.QueueSize, opts.FlushRecords, opts.FullQueueWait = 1, 1, 10*time.Millisecond
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	opts.fsync = func(f *os.File) error {
		once.Do(func() { close(entered); <-release })
		return f.Sync()
	}
	l := openLog(t, dir, opts)
	l.Record(t.Context(), kmsEvent(0, "Decrypt", alice, 1)) // the writer takes it and stalls in fsync
	<-entered
	l.Record(t.Context(), kmsEvent(1, "Decrypt", alice, 1)) // fills the queue
	l.Record(t.Context(), kmsEvent(2, "Decrypt", alice, 1)) // waits, then is dropped
	if s := l.Stats(); s.Dropped != 1 || s.Queued != 1 {
		t.Fatalf("stats while stalled: %+v", s)
	}
	close(release)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l.Record(t.Context(), kmsEvent(3, "Decrypt", alice, 1)) // after Close: dropped, not a panic
	if s := l.Stats(); s.Written != 2 || s.Dropped != 2 {
		t.Fatalf("stats after close: %+v", s)
	}
	if report, err := Verify(dir, testKey()); err != nil || report.Records != 2 {
		t.Fatalf("Verify: %+v, %v", report, err)
	}
	if err := l.Sync(t.Context()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Sync after Close: %v", err)
	}
}

func TestCloseReportsLostEvents(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	opts.FlushInterval = time.Hour // only Close writes
	opts.fsync = func(*os.File) error { return errors.New("injected: read-only disk") }
	l, err := Open(dir, testKey(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		l.Record(t.Context(), kmsEvent(i, "Decrypt", alice, 1))
	}
	err = l.Close()
	if err == nil || !strings.Contains(err.Error(), "3 events lost") || l.Stats().Dropped != 3 {
		t.Fatalf("Close = %v, stats %+v", err, l.Stats())
	}
	// Nothing half-written: the trail is still a valid empty one.
	if report, err := Verify(dir, testKey()); err != nil || report.Records != 0 {
		t.Fatalf("Verify: %+v, %v", report, err)
	}
}

func TestExport(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	opts.SegmentSize = 2 << 10
	l := openLog(t, dir, opts)
	for i := range 12 {
		l.Record(t.Context(), kmsEvent(i, "Decrypt", alice, 1))
	}
	cases := []struct {
		name     string
		from, to time.Time
		want     []uint64
	}{
		{name: "all", want: []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{name: "from", from: epoch.Add(9 * time.Minute), want: []uint64{10, 11, 12}},
		{name: "to", to: epoch.Add(time.Minute), want: []uint64{1, 2}},
		{name: "window", from: epoch.Add(4 * time.Minute), to: epoch.Add(5 * time.Minute), want: []uint64{5, 6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := l.Export(t.Context(), &out, tc.from, tc.to); err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, line := range bytes.SplitAfter(out.Bytes(), []byte("\n")) {
				if len(line) == 0 {
					continue
				}
				rec, err := parseLine(bytes.TrimSuffix(line, []byte("\n")))
				if err != nil {
					t.Fatalf("exported line %q: %v", line, err)
				}
				got = append(got, rec.seq)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("exported %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("exported %v, want %v", got, tc.want)
				}
			}
		})
	}
	// A damaged line is skipped and reported after the rest is written.
	segs := segmentFiles(t, dir)
	editLine(t, segs[0], 1, func([]byte) []byte { return []byte("garbage") })
	var out bytes.Buffer
	err := ExportDir(t.Context(), dir, &out, time.Time{}, time.Time{})
	if err == nil || bytes.Count(out.Bytes(), []byte("\n")) != 11 {
		t.Fatalf("export of a damaged trail: %v, %d lines", err, bytes.Count(out.Bytes(), []byte("\n")))
	}
}
