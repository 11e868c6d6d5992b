package sse

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

func TestAbortStaleUploads(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		old, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "old", coffer.UploadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UploadPart(e.ctx, testBucket, "old", old.UploadID, 1, strings.NewReader("part"), coffer.PartOptions{Check: coffer.BodyCheck{Size: 4}}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(48 * time.Hour)
		fresh, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "fresh", coffer.UploadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)

		aborted, err := e.svc.AbortStaleUploads(e.ctx, 24*time.Hour)
		if err != nil || aborted != 1 {
			t.Fatalf("aborted %d, %v; want 1", aborted, err)
		}
		if _, err := e.svc.ListParts(e.ctx, testBucket, "old", old.UploadID, coffer.PartQuery{}); !errors.Is(err, coffer.ErrNoSuchUpload) {
			t.Fatalf("stale upload still there: %v", err)
		}
		if _, err := e.svc.ListParts(e.ctx, testBucket, "fresh", fresh.UploadID, coffer.PartQuery{}); err != nil {
			t.Fatalf("fresh upload was aborted: %v", err)
		}
		if aborted, err := e.svc.AbortStaleUploads(e.ctx, 24*time.Hour); err != nil || aborted != 0 {
			t.Fatalf("second pass aborted %d, %v", aborted, err)
		}
	})
}
