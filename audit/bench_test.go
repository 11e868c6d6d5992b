package audit

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// BenchmarkRecord measures sustained Record throughput with group commit:
// every event is synced to disk before the timer stops.
func BenchmarkRecord(b *testing.B) {
	dir := b.TempDir()
	l, err := Open(dir, testKey(), Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := vectorEvent
	e.Time = time.Time{}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Record(context.Background(), e)
		}
	})
	if err := l.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	if s := l.Stats(); s.Dropped != 0 {
		b.Fatalf("dropped %d", s.Dropped)
	}
}

func BenchmarkVerify(b *testing.B) {
	dir := b.TempDir()
	l, err := Open(dir, testKey(), Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	const records = 20000
	for i := range records {
		l.Record(context.Background(), kmsEvent(i, "GenerateDataKey", alice, i%3))
	}
	l.Close()
	b.ResetTimer()
	for range b.N {
		if r, err := Verify(dir, testKey()); err != nil || r.Records != records {
			b.Fatal(r, err)
		}
	}
	b.ReportMetric(float64(records*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkLookup is the worst case for a page: one match at the very
// start of a 20,000-record trail.
func BenchmarkLookup(b *testing.B) {
	dir := b.TempDir()
	l, err := Open(dir, testKey(), Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	l.Record(context.Background(), kmsEvent(0, "CreateKey", rootUser, 1))
	for i := range 20000 {
		l.Record(context.Background(), kmsEvent(i, "GenerateDataKey", alice, i%3))
	}
	q := Query{Attributes: []Attribute{{AttrEventName, "CreateKey"}}}
	b.ResetTimer()
	for range b.N {
		if p, err := l.Lookup(context.Background(), q); err != nil || len(p.Events) != 1 {
			b.Fatal(p, err)
		}
	}
}
