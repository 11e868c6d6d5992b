package audit

import (
	"log/slog"
	"os"
	"time"
)

// Options tune a Log; the zero value is usable.
type Options struct {
	// Region and AccountID fill every record's awsRegion and
	// recipientAccountId (and resources' accountId when an ARN has none).
	Region    string // "" means us-east-1
	AccountID string
	// SegmentSize is the size after which a new segment file starts.
	SegmentSize int64 // 0 means 64 MiB
	// QueueSize is how many events may wait for the writer.
	QueueSize int // 0 means 4096
	// FlushInterval is the longest an event waits to be written and
	// synced: the window a crash can lose.
	FlushInterval time.Duration // 0 means 100 ms
	// FlushRecords writes a batch as soon as this many events wait (the
	// batch then takes everything queued, so that under load one fsync
	// covers all that arrived during the last).
	FlushRecords int // 0 means 1024
	// FullQueueWait is how long Record blocks for room in a full queue
	// before it gives the event up (counted in Stats.Dropped and logged).
	FullQueueWait time.Duration // 0 means 2 s
	// Logger receives write failures and drops.
	Logger *slog.Logger // nil means slog.Default()
	// Now stamps events that carry no time.
	Now func() time.Time // nil means time.Now

	fsync func(*os.File) error // tests inject failures; nil means (*os.File).Sync
}

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.SegmentSize <= 0 {
		o.SegmentSize = 64 << 20
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 4096
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 100 * time.Millisecond
	}
	if o.FlushRecords <= 0 {
		o.FlushRecords = 1024
	}
	if o.FullQueueWait <= 0 {
		o.FullQueueWait = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.fsync == nil {
		o.fsync = (*os.File).Sync
	}
	return o
}
