package fs

import (
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// cpuMeter reports the process's CPU time per operation (cpu-µs/op) of
// the part of a benchmark between start and stop.
type cpuMeter struct {
	b     *testing.B
	start time.Duration
}

func startCPU(b *testing.B) cpuMeter {
	start, _ := processCPU()
	return cpuMeter{b: b, start: start}
}

func (m cpuMeter) stop() {
	end, ok := processCPU()
	if ok && m.b.N > 0 {
		m.b.ReportMetric(float64((end-m.start).Microseconds())/float64(m.b.N), "cpu-µs/op")
	}
}

func benchStore(b *testing.B, opts Options) *Store {
	b.Helper()
	s, err := Open(b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.CreateBucket(b.Context(), coffer.BucketRecord{Name: "b"}); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkPutSmall writes durable 4 KiB objects: one writer at a time,
// then many at once (where group commit shares fsyncs), then many at once
// with inlining off (every object a file, as without the inline path).
func BenchmarkPutSmall(b *testing.B) {
	data := testData(1, 4<<10)
	cases := []struct {
		name     string
		opts     Options
		parallel bool
	}{
		{"Serial", Options{}, false},
		{"Parallel", Options{}, true},
		{"ParallelAsFiles", Options{InlineThreshold: -1}, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			s := benchStore(b, tc.opts)
			ctx := b.Context()
			var seq atomic.Int64
			put := func() {
				if err := putObject(ctx, s, "b", fmt.Sprintf("k%d", seq.Add(1)), 1, data); err != nil {
					b.Error(err)
				}
			}
			b.SetBytes(int64(len(data)))
			cpu := startCPU(b)
			if tc.parallel {
				b.SetParallelism(32)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						put()
					}
				})
			} else {
				for b.Loop() {
					put()
				}
			}
			cpu.stop()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

// ioModes are the ways a store can write data files; the benchmarks of
// file-sized objects run each.
var ioModes = []struct {
	name string
	opts Options
}{
	{"Direct", Options{}},
	{"Buffered", Options{BufferedIO: true}},
}

// BenchmarkPutLarge writes durable 64 MiB objects in 1 MiB writes, one
// at a time.
func BenchmarkPutLarge(b *testing.B) {
	for _, mode := range ioModes {
		b.Run(mode.name, func(b *testing.B) {
			s := benchStore(b, mode.opts)
			ctx := b.Context()
			chunk := testData(2, 1<<20)
			b.SetBytes(64 << 20)
			cpu := startCPU(b)
			defer cpu.stop()
			i := 0
			for b.Loop() {
				i++
				w, err := s.NewObjectWriter(ctx, "b", fmt.Sprintf("large%d", i%2))
				if err != nil {
					b.Fatal(err)
				}
				for range 64 {
					if _, err := w.Write(chunk); err != nil {
						b.Fatal(err)
					}
				}
				rec := coffer.ObjectRecord{}
				if err := w.Commit(ctx, coffer.CommitRecord{Object: &rec}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPutMedium writes durable 1 MiB objects from many writers at
// once, in 64 KiB writes like the sse pipeline's; each object is a file.
func BenchmarkPutMedium(b *testing.B) {
	for _, mode := range ioModes {
		b.Run(mode.name, func(b *testing.B) {
			s := benchStore(b, mode.opts)
			ctx := b.Context()
			data := testData(4, 1<<20)
			var seq atomic.Int64
			b.SetBytes(int64(len(data)))
			b.SetParallelism(4)
			cpu := startCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := putObject(ctx, s, "b", fmt.Sprintf("m%d", seq.Add(1)), 1, data); err != nil {
						b.Error(err)
					}
				}
			})
			cpu.stop()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

// BenchmarkGetLarge reads a 64 MiB object (from the page cache, mostly).
func BenchmarkGetLarge(b *testing.B) {
	s := benchStore(b, Options{})
	ctx := b.Context()
	data := testData(3, 64<<20)
	if err := putObject(ctx, s, "b", "large", 1, data); err != nil {
		b.Fatal(err)
	}
	rec, err := s.GetObject(ctx, "b", "large")
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	b.SetBytes(rec.StoredSize)
	for b.Loop() {
		r, err := s.OpenObjectData(ctx, rec, 0, 0, rec.StoredSize)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf)
		r.Close()
		if err != nil || n != rec.StoredSize {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
}
