package audit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// crash describes the state a crash leaves; Open must then resume, record
// a recovery when it discarded bytes, and leave a trail that verifies.
func TestRecoverAfterCrash(t *testing.T) {
	cases := []struct {
		name       string
		crash      func(t *testing.T, dir string, segs []string)
		recovery   bool
		wantRecord uint64 // records after reopening and closing
	}{
		{name: "torn last line", recovery: true, wantRecord: trailRecords + 1, crash: func(t *testing.T, dir string, segs []string) {
			appendBytes(t, segs[len(segs)-1], []byte(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","princ`))
		}},
		{name: "zeros where the last batch was", recovery: true, wantRecord: trailRecords + 1, crash: func(t *testing.T, dir string, segs []string) {
			appendBytes(t, segs[len(segs)-1], make([]byte, 4096))
		}},
		{name: "records synced but the head not updated", wantRecord: trailRecords, crash: func(t *testing.T, dir string, segs []string) {
			rollHeadBack(t, dir, segs, 27)
		}},
		{name: "head behind and the batch torn", recovery: true, wantRecord: trailRecords, crash: func(t *testing.T, dir string, segs []string) {
			rollHeadBack(t, dir, segs, 28)
			seg, line := locate(t, segs, 30)
			lines := readLines(t, segs[seg])
			writeLines(t, segs[seg], append(lines[:line-1:line-1], lines[line-1][:50]))
		}},
		{name: "new segment created but empty", wantRecord: trailRecords, crash: func(t *testing.T, dir string, segs []string) {
			if err := os.WriteFile(filepath.Join(dir, segmentName(trailRecords+1)), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "temporary head left behind", wantRecord: trailRecords, crash: func(t *testing.T, dir string, segs []string) {
			os.WriteFile(filepath.Join(dir, ".HEAD.tmp12345"), []byte("coffer-audit-head v1\n"), 0o600)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			buildTrail(t, dir, testKey())
			tc.crash(t, dir, segmentFiles(t, dir))
			if _, err := Verify(dir, testKey()); err != nil {
				t.Fatalf("Verify after the crash: %v", err)
			}
			l, err := Open(dir, testKey(), testOptions())
			if err != nil {
				t.Fatalf("Open after the crash: %v", err)
			}
			page, err := l.Lookup(t.Context(), Query{Attributes: []Attribute{{AttrEventName, RecoveryEventName}}})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(page.Events) == 1; got != tc.recovery {
				t.Fatalf("recovery events: %d, want recovery=%v", len(page.Events), tc.recovery)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			report, err := Verify(dir, testKey())
			if err != nil || report.Records != tc.wantRecord || report.HeadSeq != tc.wantRecord || report.UnsyncedTailBytes != 0 ||
				report.Recoveries != len(page.Events) {
				t.Fatalf("Verify after reopening = %+v, %v", report, err)
			}
			if temps, _ := filepath.Glob(filepath.Join(dir, headTmpPat)); len(temps) != 0 {
				t.Fatalf("temporary heads left: %v", temps)
			}
		})
	}
}

func TestOpenRefusesDamageAtTheEnd(t *testing.T) {
	dir := t.TempDir()
	buildTrail(t, dir, testKey())
	segs := segmentFiles(t, dir)
	seg, line := locate(t, segs, trailRecords-1)
	editLine(t, segs[seg], line, func(b []byte) []byte { return bytes.Replace(b, []byte("alice"), []byte("mallory"), 1) })
	_, err := Open(dir, testKey(), testOptions())
	var d *Damage
	if !errors.As(err, &d) || d.Kind != DamageEdited || d.Seq != trailRecords-1 {
		t.Fatalf("Open = %v, want the edited record", err)
	}
}

func TestOpenLocks(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testOptions())
	if _, err := Open(dir, testKey(), testOptions()); err == nil {
		t.Fatal("a second Open of the same trail succeeded")
	}
	l.Close()
	again, err := Open(dir, testKey(), testOptions())
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

// TestKilledWriter kills a process that records as fast as it can, at
// whatever point it has reached, and checks the trail verifies and reopens.
func TestKilledWriter(t *testing.T) {
	if dir := os.Getenv("AUDIT_TEST_WRITER_DIR"); dir != "" {
		runWriterUntilKilled(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriter$")
	cmd.Env = append(os.Environ(), "AUDIT_TEST_WRITER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until it has synced a few batches, then kill it mid-stream.
	lines := bufio.NewScanner(out)
	for synced := 0; synced < 5 && lines.Scan(); {
		if lines.Text() == "synced" {
			synced++
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	before, err := Verify(dir, testKey())
	if err != nil || before.Records < 5 {
		t.Fatalf("Verify after kill: %+v, %v", before, err)
	}
	l, err := Open(dir, testKey(), testOptions())
	if err != nil {
		t.Fatalf("Open after kill: %v", err)
	}
	recordAll(t, l, kmsEvent(0, "Decrypt", alice, 1))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := Verify(dir, testKey())
	if err != nil || after.Records < before.Records+1 || after.UnsyncedTailBytes != 0 {
		t.Fatalf("Verify after reopening: %+v, %v", after, err)
	}
}

func runWriterUntilKilled(dir string) {
	opts := testOptions()
	opts.SegmentSize = 16 << 10
	l, err := Open(dir, testKey(), opts)
	if err != nil {
		os.Exit(3)
	}
	for i := 0; ; i++ {
		l.Record(context.Background(), kmsEvent(i%600, "GenerateDataKey", alice, i%3))
		if i%100 == 99 {
			if l.Sync(context.Background()) == nil {
				os.Stdout.WriteString("synced\n")
			}
		}
	}
}

func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

// rollHeadBack points the head at seq, as if the crash came between the
// segment's fsync and the head's rename.
func rollHeadBack(t *testing.T, dir string, segs []string, seq uint64) {
	t.Helper()
	seg, line := locate(t, segs, seq)
	rec, err := parseLine(bytes.TrimSuffix(readLines(t, segs[seg])[line-1], []byte("\n")))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := deriveKeys(testKey())
	if err := writeHead(dir, k.head, head{seq: seq, chain: rec.chain}); err != nil {
		t.Fatal(err)
	}
}
