package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// Export writes the records with from <= eventTime <= to (zero is
// unbounded) to w as JSON lines, oldest first, exactly as stored (with seq
// and chain, so the export can be verified against the key). Events
// recorded before the call are included.
func (l *Log) Export(ctx context.Context, w io.Writer, from, to time.Time) error {
	if err := l.Sync(ctx); err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return ExportDir(ctx, l.dir, w, from, to)
}

// ExportDir is Export on a trail that may be open in another process: it
// only reads, and stops at each segment's last complete line. Lines that
// are not records are skipped, and reported in the error once the rest is
// written.
func ExportDir(ctx context.Context, dir string, w io.Writer, from, to time.Time) error {
	segs, err := listSegments(dir)
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(w, 256<<10)
	skipped := 0
	for _, seg := range segs {
		n, err := exportSegment(ctx, seg, out, from, to)
		skipped += n
		if err != nil {
			return err
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if skipped > 0 {
		return fmt.Errorf("audit: %d lines that are not records were skipped; run coffer audit verify", skipped)
	}
	return nil
}

func exportSegment(ctx context.Context, seg segment, out *bufio.Writer, from, to time.Time) (skipped int, err error) {
	f, err := os.Open(seg.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	lines := newForwardLines(f)
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return skipped, ctx.Err()
		}
		line, _, _, fits, ok := lines.next()
		if !ok {
			return skipped, lines.err
		}
		when, valid := recordTime(line, fits)
		switch {
		case !valid:
			skipped++
		case !from.IsZero() && when.Before(from), !to.IsZero() && when.After(to):
		default:
			out.Write(line)
			if err := out.WriteByte('\n'); err != nil {
				return skipped, err
			}
		}
	}
}

func recordTime(line []byte, fits bool) (time.Time, bool) {
	if _, err := parseLine(line); !fits || err != nil {
		return time.Time{}, false
	}
	var r struct {
		EventTime string `json:"eventTime"`
	}
	if json.Unmarshal(line, &r) != nil {
		return time.Time{}, false
	}
	when, err := time.Parse(timeLayout, r.EventTime)
	return when, err == nil
}
