package fs

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

func TestSweep(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := openTest(t, dir, Options{NoSync: true})
	noErr(t, s.CreateBucket(ctx, coffer.BucketRecord{Name: "b"}))
	noErr(t, putObject(ctx, s, "b", "kept", 1, oldLarge))
	rec, err := s.GetObject(ctx, "b", "kept")
	noErr(t, err)
	noErr(t, s.Close())

	past := time.Now().Add(-time.Hour)
	future := time.Now().Add(time.Hour)
	files := []struct {
		name    string
		path    string
		mtime   time.Time
		removed bool
	}{
		{"TempFile", filepath.Join(dir, tmpDir, newDataID()), past, true},
		{"UnindexedData", filepath.Join(dir, objectsDir, "ab", "ab"+newDataID()[2:]), past, true},
		{"UnindexedDataNewShard", filepath.Join(dir, objectsDir, "0f", "0f"+newDataID()[2:]), past, true},
		{"NewerThanOpen", filepath.Join(dir, objectsDir, "cd", "cd"+newDataID()[2:]), future, false},
		{"TempNewerThanOpen", filepath.Join(dir, tmpDir, newDataID()), future, false},
	}
	for _, f := range files {
		noErr(t, os.MkdirAll(filepath.Dir(f.path), 0o700))
		noErr(t, os.WriteFile(f.path, []byte("orphan"), 0o600))
		noErr(t, os.Chtimes(f.path, f.mtime, f.mtime))
	}
	kept := filepath.Join(dir, objectsDir, rec.DataID[:2], rec.DataID)
	noErr(t, os.Chtimes(kept, past, past))

	s = openTest(t, dir, Options{NoSync: true})
	removed, err := s.SweepResult()
	noErr(t, err)
	want := 0
	for _, f := range files {
		_, err := os.Stat(f.path)
		if gone := os.IsNotExist(err); gone != f.removed {
			t.Errorf("%s: removed %v, want %v", f.name, gone, f.removed)
		}
		if f.removed {
			want++
		}
	}
	if removed != want {
		t.Errorf("SweepResult = %d, want %d", removed, want)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Fatalf("sweep removed live data: %v", err)
	}
	if err := objectHolds(ctx, s, "kept", oldLarge); err != nil {
		t.Fatal(err)
	}
}

// TestSweepSparesLiveWriters runs the sweep logic against a writer in
// flight whose files look old: the live set must protect them.
func TestSweepSparesLiveWriters(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, t.TempDir(), Options{NoSync: true})
	<-s.Swept()
	noErr(t, s.CreateBucket(ctx, coffer.BucketRecord{Name: "b"}))
	dw, err := s.NewObjectWriter(ctx, "b", "k")
	noErr(t, err)
	_, err = dw.Write(newLarge) // spills to tmp
	noErr(t, err)
	w := dw.(*writer)
	noErr(t, os.Chtimes(w.file.Name(), time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)))
	removed, err := s.sweepOrphans(ctx, time.Now())
	noErr(t, err)
	if removed != 0 {
		t.Fatalf("sweep removed %d files of a live writer", removed)
	}
	rec := coffer.ObjectRecord{ETag: sha256Hex(newLarge)}
	noErr(t, dw.Commit(ctx, coffer.CommitRecord{Object: &rec}))
	removed, err = s.sweepOrphans(ctx, time.Now().Add(time.Hour))
	noErr(t, err)
	if removed != 0 {
		t.Fatalf("sweep removed %d committed files", removed)
	}
	if err := objectHolds(ctx, s, "k", newLarge); err != nil {
		t.Fatal(err)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
