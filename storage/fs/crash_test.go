package fs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/cofferlabs/coffer"
)

// The crash tests re-run this test binary as a child process that works
// on a data directory and dies mid-write (os.Exit at a chosen step, or
// SIGKILL from the parent); the parent then reopens the directory and
// checks what survived.
const (
	childEnv  = "COFFER_FS_CRASH_CHILD" // "step" or "storm"
	dirEnv    = "COFFER_FS_CRASH_DIR"
	caseEnv   = "COFFER_FS_CRASH_CASE"
	stepEnv   = "COFFER_FS_CRASH_STEP"
	roundEnv  = "COFFER_FS_CRASH_ROUND"
	crashExit = 75
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "step":
		os.Exit(runStepChild())
	case "storm":
		os.Exit(runStormChild())
	}
	os.Exit(m.Run())
}

var (
	oldLarge = testData(1, 300<<10)
	newLarge = testData(2, 400<<10)
	oldSmall = testData(3, 1000)
	newSmall = testData(4, 2000)
	unused   = testData(5, 200<<10)
)

var fileSteps = []string{"spilled", "synced", "renamed", "placed", "committed", "removed"}

// stepCase is one write that a child crashes at each of its steps.
type stepCase struct {
	name    string
	prepare func(ctx context.Context, s *Store) error
	act     func(ctx context.Context, s *Store) error
	steps   []string
	// orphans is how many files the sweep must remove after a crash at
	// each step; steps not listed leave none.
	orphans map[string]int
	check   func(ctx context.Context, s *Store, applied bool) error
}

func inBucket(ctx context.Context, s *Store) error {
	return s.CreateBucket(ctx, coffer.BucketRecord{Name: "b"})
}

func putCase(name string, old, next []byte, orphans map[string]int) stepCase {
	steps := fileSteps
	if len(next) <= DefaultInlineThreshold {
		steps = []string{"committed", "removed"}
	}
	return stepCase{
		name: name,
		prepare: func(ctx context.Context, s *Store) error {
			if err := inBucket(ctx, s); err != nil {
				return err
			}
			return putObject(ctx, s, "b", "k", 1, old)
		},
		act:     func(ctx context.Context, s *Store) error { return putObject(ctx, s, "b", "k", 2, next) },
		steps:   steps,
		orphans: orphans,
		check: func(ctx context.Context, s *Store, applied bool) error {
			want := old
			if applied {
				want = next
			}
			return objectHolds(ctx, s, "k", want)
		},
	}
}

func objectHolds(ctx context.Context, s *Store, key string, want []byte) error {
	rec, err := s.GetObject(ctx, "b", key)
	if err != nil {
		return err
	}
	got, err := readObject(ctx, s, rec)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) || rec.ETag != sha256Hex(want) {
		return fmt.Errorf("%s holds %d bytes (etag %.8s), want %d bytes (etag %.8s)", key, len(got), rec.ETag, len(want), sha256Hex(want))
	}
	return nil
}

// batchKeys are written together by the BatchOfTwo crash case, over small
// (inline) old versions so that a commit leaves no replaced file behind.
var batchKeys = []struct {
	key      string
	old, new []byte
}{
	{"k1", oldSmall, newLarge},
	{"k2", newSmall, oldLarge},
}

// putBatch writes the new version of every batch key and commits them in
// one group-commit batch.
func putBatch(ctx context.Context, s *Store) error {
	writers := make([]coffer.DataWriter, len(batchKeys))
	for i, bk := range batchKeys {
		w, err := s.NewObjectWriter(ctx, "b", bk.key)
		if err != nil {
			return err
		}
		if _, err := w.Write(bk.new); err != nil {
			return err
		}
		writers[i] = w
	}
	release := holdCommitter(s, len(writers))
	errs := make(chan error, len(writers))
	for i, w := range writers {
		go func() {
			rec := coffer.ObjectRecord{ETag: sha256Hex(batchKeys[i].new)}
			errs <- w.Commit(ctx, coffer.CommitRecord{Object: &rec})
		}()
	}
	err := release()
	for range writers {
		err = errors.Join(err, <-errs)
	}
	return err
}

var stepCases = []stepCase{
	putCase("FileOverFile", oldLarge, newLarge, map[string]int{"spilled": 1, "synced": 1, "renamed": 1, "placed": 1, "committed": 1}),
	putCase("InlineOverFile", oldLarge, newSmall, map[string]int{"committed": 1}),
	putCase("FileOverInline", oldSmall, newLarge, map[string]int{"spilled": 1, "synced": 1, "renamed": 1, "placed": 1}),
	{
		name: "BatchOfTwo",
		prepare: func(ctx context.Context, s *Store) error {
			if err := inBucket(ctx, s); err != nil {
				return err
			}
			for _, bk := range batchKeys {
				if err := putObject(ctx, s, "b", bk.key, 1, bk.old); err != nil {
					return err
				}
			}
			return nil
		},
		act:   putBatch,
		steps: fileSteps,
		// Both files exist from the second spill on; the first crash at
		// "spilled" comes with the first file.
		orphans: map[string]int{"spilled": 1, "synced": 2, "renamed": 2, "placed": 2},
		check: func(ctx context.Context, s *Store, applied bool) error {
			for _, bk := range batchKeys {
				want := bk.old
				if applied {
					want = bk.new
				}
				if err := objectHolds(ctx, s, bk.key, want); err != nil {
					return err
				}
			}
			return nil
		},
	},
	{
		name: "Delete",
		prepare: func(ctx context.Context, s *Store) error {
			if err := inBucket(ctx, s); err != nil {
				return err
			}
			return putObject(ctx, s, "b", "k", 1, oldLarge)
		},
		act:     func(ctx context.Context, s *Store) error { return s.DeleteObject(ctx, "b", "k") },
		steps:   []string{"committed"},
		orphans: map[string]int{"committed": 1},
		check: func(ctx context.Context, s *Store, applied bool) error {
			if !applied {
				return objectHolds(ctx, s, "k", oldLarge)
			}
			if _, err := s.GetObject(ctx, "b", "k"); !errors.Is(err, coffer.ErrNoSuchKey) {
				return fmt.Errorf("deleted object: %v", err)
			}
			return nil
		},
	},
	{
		name: "Complete",
		prepare: func(ctx context.Context, s *Store) error {
			if err := inBucket(ctx, s); err != nil {
				return err
			}
			if err := putObject(ctx, s, "b", "k", 1, oldSmall); err != nil {
				return err
			}
			if err := s.CreateUpload(ctx, coffer.UploadRecord{Bucket: "b", Key: "k", ID: "u1"}); err != nil {
				return err
			}
			for n, data := range [][]byte{newLarge, newSmall, unused} {
				if _, err := putPart(ctx, s, "b", "k", "u1", n+1, data); err != nil {
					return err
				}
			}
			return nil
		},
		act: func(ctx context.Context, s *Store) error {
			return s.CompleteUpload(ctx, "u1", coffer.ObjectRecord{Bucket: "b", Key: "k", ETag: sha256Hex(newLarge, newSmall),
				Parts: []coffer.PartRecord{{Number: 1}, {Number: 2}}}, nil)
		},
		steps:   []string{"committed"},
		orphans: map[string]int{"committed": 1},
		check: func(ctx context.Context, s *Store, applied bool) error {
			parts, err := s.ListParts(ctx, "b", "k", "u1")
			if !applied {
				if err != nil || len(parts) != 3 {
					return fmt.Errorf("upload before complete: %d parts, %v", len(parts), err)
				}
				return objectHolds(ctx, s, "k", oldSmall)
			}
			if !errors.Is(err, coffer.ErrNoSuchUpload) {
				return fmt.Errorf("completed upload still there: %v", err)
			}
			return objectHolds(ctx, s, "k", append(slices.Clone(newLarge), newSmall...))
		},
	},
	{
		name: "PartReplace",
		prepare: func(ctx context.Context, s *Store) error {
			if err := inBucket(ctx, s); err != nil {
				return err
			}
			if err := s.CreateUpload(ctx, coffer.UploadRecord{Bucket: "b", Key: "k", ID: "u1"}); err != nil {
				return err
			}
			_, err := putPart(ctx, s, "b", "k", "u1", 1, oldLarge)
			return err
		},
		act: func(ctx context.Context, s *Store) error {
			_, err := putPart(ctx, s, "b", "k", "u1", 1, newLarge)
			return err
		},
		steps:   fileSteps,
		orphans: map[string]int{"spilled": 1, "synced": 1, "renamed": 1, "placed": 1, "committed": 1},
		check: func(ctx context.Context, s *Store, applied bool) error {
			want := oldLarge
			if applied {
				want = newLarge
			}
			err := s.CompleteUpload(ctx, "u1", coffer.ObjectRecord{Bucket: "b", Key: "k", ETag: sha256Hex(want),
				Parts: []coffer.PartRecord{{Number: 1, ETag: sha256Hex(want)}}}, nil)
			if err != nil {
				return fmt.Errorf("completing with the expected part: %w", err)
			}
			return objectHolds(ctx, s, "k", want)
		},
	},
}

// TestCrashAtEachStep kills a child process at every step of each kind of
// write and checks that the key holds exactly the old version before the
// commit step and exactly the new one from it on, that the sweep removes
// what the crash left behind, and that nothing else leaks.
func TestCrashAtEachStep(t *testing.T) {
	for _, tc := range stepCases {
		for _, step := range tc.steps {
			t.Run(tc.name+"/"+step, func(t *testing.T) {
				ctx := t.Context()
				dir := t.TempDir()
				s, err := Open(dir, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := tc.prepare(ctx, s); err != nil {
					t.Fatalf("prepare: %v", err)
				}
				s.Close()

				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"=step", dirEnv+"="+dir, caseEnv+"="+tc.name, stepEnv+"="+step)
				out, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != crashExit {
					t.Fatalf("child did not crash at %s: %v\n%s", step, err, out)
				}

				s = openTest(t, dir, Options{})
				removed, err := s.SweepResult()
				if err != nil {
					t.Fatalf("sweep: %v", err)
				}
				if removed != tc.orphans[step] {
					t.Errorf("sweep removed %d files, want %d", removed, tc.orphans[step])
				}
				applied := slices.Index(tc.steps, step) >= slices.Index(tc.steps, "committed")
				if err := tc.check(ctx, s, applied); err != nil {
					t.Fatalf("after crash at %s (write applied: %v): %v", step, applied, err)
				}
				checkIntegrity(t, s)
			})
		}
	}
}

func runStepChild() int {
	name, step := os.Getenv(caseEnv), os.Getenv(stepEnv)
	i := slices.IndexFunc(stepCases, func(c stepCase) bool { return c.name == name })
	if i < 0 {
		fmt.Fprintf(os.Stderr, "no crash case %q\n", name)
		return 1
	}
	s, err := Open(os.Getenv(dirEnv), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// This Open's own sweep must be done before the write: racing it, the
	// sweep may already remove what the write orphans (correctly), and the
	// parent could not count exactly what the crash left.
	<-s.Swept()
	crashHook = func(at string) {
		if at == step {
			os.Exit(crashExit)
		}
	}
	if err := stepCases[i].act(context.Background(), s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
