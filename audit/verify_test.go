package audit

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

const trailRecords = 30

// buildTrail writes trailRecords events under key into dir, in segments
// of about five records, and closes it.
func buildTrail(t *testing.T, dir string, key []byte) {
	t.Helper()
	opts := testOptions()
	opts.SegmentSize = 3 << 10
	l, err := Open(dir, key, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range trailRecords {
		name := "Decrypt"
		if i%2 == 0 {
			name = "GenerateDataKey"
		}
		l.Record(t.Context(), kmsEvent(i, name, alice, i%3))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyIntact(t *testing.T) {
	dir := t.TempDir()
	buildTrail(t, dir, testKey())
	report, err := Verify(dir, testKey())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if report.Records != trailRecords || report.LastSeq != trailRecords || report.HeadSeq != trailRecords ||
		report.Segments < 4 || len(report.LastChain) != 64 || report.Damage != nil || report.UnsyncedTailBytes != 0 {
		t.Fatalf("report = %+v", report)
	}
}

// tamper describes one way of damaging a trail; it returns where Verify
// should point (segment index and 1-based line; -1 for the head file).
type tamper func(t *testing.T, dir string, segs []string) (segment, line int)

func TestVerifyDetectsTampering(t *testing.T) {
	cases := []struct {
		name string
		kind DamageKind
		seq  uint64
		do   tamper
	}{
		{name: "edit a byte in a record", kind: DamageEdited, seq: 7, do: func(t *testing.T, dir string, segs []string) (int, int) {
			seg, line := locate(t, segs, 7)
			editLine(t, segs[seg], line, func(b []byte) []byte { return bytes.Replace(b, []byte("alice"), []byte("alicf"), 1) })
			return seg, line
		}},
		{name: "edit a record's chain", kind: DamageEdited, seq: 12, do: func(t *testing.T, dir string, segs []string) (int, int) {
			seg, line := locate(t, segs, 12)
			editLine(t, segs[seg], line, func(b []byte) []byte {
				i := bytes.Index(b, []byte(chainMember)) + len(chainMember)
				b[i] ^= 1
				return b
			})
			return seg, line
		}},
		{name: "make a line unparseable", kind: DamageEdited, seq: 3, do: func(t *testing.T, dir string, segs []string) (int, int) {
			seg, line := locate(t, segs, 3)
			editLine(t, segs[seg], line, func(b []byte) []byte { return b[1:] })
			return seg, line
		}},
		{name: "delete a line", kind: DamageDeleted, seq: 8, do: func(t *testing.T, dir string, segs []string) (int, int) {
			seg, line := locate(t, segs, 8)
			lines := readLines(t, segs[seg])
			writeLines(t, segs[seg], append(lines[:line-1:line-1], lines[line:]...))
			return seg, line
		}},
		{name: "swap two lines", kind: DamageReordered, seq: 14, do: func(t *testing.T, dir string, segs []string) (int, int) {
			seg, line := locate(t, segs, 14)
			lines := readLines(t, segs[seg])
			lines[line-1], lines[line] = lines[line], lines[line-1]
			writeLines(t, segs[seg], lines)
			return seg, line
		}},
		{name: "duplicate a line", kind: DamageReordered, seq: 5, do: func(t *testing.T, dir string, segs []string) (int, int) {
			seg, line := locate(t, segs, 4)
			lines := readLines(t, segs[seg])
			lines = append(lines[:line], append([][]byte{lines[line-1]}, lines[line:]...)...)
			writeLines(t, segs[seg], lines)
			return seg, line + 1
		}},
		{name: "delete the first segment", kind: DamageDeleted, seq: 1, do: func(t *testing.T, dir string, segs []string) (int, int) {
			remove(t, segs[0])
			return 1, 1
		}},
		{name: "delete a middle segment", kind: DamageDeleted, do: func(t *testing.T, dir string, segs []string) (int, int) {
			remove(t, segs[2])
			return 3, 1
		}},
		{name: "truncate the tail by a record", kind: DamageTruncated, seq: trailRecords, do: func(t *testing.T, dir string, segs []string) (int, int) {
			last := segs[len(segs)-1]
			lines := readLines(t, last)
			writeLines(t, last, lines[:len(lines)-2]) // SplitAfter leaves an empty final element
			return len(segs) - 1, len(lines) - 1
		}},
		{name: "cut the last record short", kind: DamageTruncated, seq: trailRecords, do: func(t *testing.T, dir string, segs []string) (int, int) {
			last := segs[len(segs)-1]
			data, _ := os.ReadFile(last)
			os.WriteFile(last, data[:len(data)-40], 0o600)
			return len(segs) - 1, len(readLines(t, last))
		}},
		{name: "delete the last segment", kind: DamageTruncated, do: func(t *testing.T, dir string, segs []string) (int, int) {
			remove(t, segs[len(segs)-1])
			return len(segs) - 2, len(readLines(t, segs[len(segs)-2]))
		}},
		{name: "drop the head file", kind: DamageHeadMissing, seq: trailRecords, do: func(t *testing.T, dir string, segs []string) (int, int) {
			remove(t, headPath(dir))
			return -1, 0
		}},
		{name: "edit the head file", kind: DamageHeadInvalid, seq: trailRecords, do: func(t *testing.T, dir string, segs []string) (int, int) {
			data, _ := os.ReadFile(headPath(dir))
			os.WriteFile(headPath(dir), bytes.Replace(data, []byte("seq 30"), []byte("seq 29"), 1), 0o600)
			return -1, 0
		}},
		{name: "replace the trail with one made under another key", kind: DamageWrongKey, seq: 1, do: func(t *testing.T, dir string, segs []string) (int, int) {
			other := t.TempDir()
			buildTrail(t, other, otherKey())
			for _, s := range segs {
				remove(t, s)
			}
			for _, name := range []string{headFile} {
				copyFile(t, filepath.Join(other, name), filepath.Join(dir, name))
			}
			otherSegs := segmentFiles(t, other)
			for _, s := range otherSegs {
				copyFile(t, s, filepath.Join(dir, filepath.Base(s)))
			}
			return 0, 1
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			buildTrail(t, dir, testKey())
			segs := segmentFiles(t, dir)
			seg, line := tc.do(t, dir, segs)
			report, err := Verify(dir, testKey())
			var d *Damage
			if !errors.Is(err, ErrDamaged) || !errors.As(err, &d) || report.Damage != d {
				t.Fatalf("Verify err = %v (report %+v), want damage", err, report)
			}
			wantFile := headFile
			if seg >= 0 {
				wantFile = filepath.Base(segs[seg])
			}
			if d.Kind != tc.kind || d.File != wantFile || d.Line != line || tc.seq != 0 && d.Seq != tc.seq || d.Detail == "" {
				t.Fatalf("damage = %+v\nwant kind %v at %s line %d seq %d", d, tc.kind, wantFile, line, tc.seq)
			}
			// Open checks the end of the trail: damage there stops it.
			l, err := Open(dir, testKey(), testOptions())
			if err == nil {
				l.Close()
			}
			atEnd := tc.kind != DamageEdited && tc.kind != DamageDeleted && tc.kind != DamageReordered
			if atEnd && !errors.Is(err, ErrDamaged) {
				t.Fatalf("Open of a trail damaged at its end: %v, want ErrDamaged", err)
			}
		})
	}
}

func TestVerifyWrongKey(t *testing.T) {
	dir := t.TempDir()
	buildTrail(t, dir, testKey())
	_, err := Verify(dir, otherKey())
	var d *Damage
	if !errors.As(err, &d) || d.Kind != DamageWrongKey || d.Seq != 1 {
		t.Fatalf("Verify with another key: %v", err)
	}
	if _, err := Open(dir, otherKey(), testOptions()); !errors.Is(err, ErrDamaged) {
		t.Fatalf("Open with another key: %v", err)
	}
}

// What the chain cannot prove, pinned down so it stays documented: a
// head rolled back to an earlier (genuine) state is not damage, and bytes
// past the head are an unsynced tail.
func TestVerifyLimits(t *testing.T) {
	t.Run("stale head", func(t *testing.T) {
		dir := t.TempDir()
		buildTrail(t, dir, testKey())
		k, _ := deriveKeys(testKey())
		segs := segmentFiles(t, dir)
		seg, line := locate(t, segs, 25)
		rec, err := parseLine(bytes.TrimSuffix(readLines(t, segs[seg])[line-1], []byte("\n")))
		if err != nil {
			t.Fatal(err)
		}
		if err := writeHead(dir, k.head, head{seq: 25, chain: rec.chain}); err != nil {
			t.Fatal(err)
		}
		report, err := Verify(dir, testKey())
		if err != nil || report.HeadSeq != 25 || report.LastSeq != trailRecords {
			t.Fatalf("Verify = %+v, %v", report, err)
		}
	})
	t.Run("garbage past the head", func(t *testing.T) {
		dir := t.TempDir()
		buildTrail(t, dir, testKey())
		segs := segmentFiles(t, dir)
		f, _ := os.OpenFile(segs[len(segs)-1], os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString("{\"partial\":\n")
		f.Close()
		report, err := Verify(dir, testKey())
		if err != nil || report.UnsyncedTailBytes != 12 || report.LastSeq != trailRecords {
			t.Fatalf("Verify = %+v, %v", report, err)
		}
	})
}

func TestVerifyEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testOptions())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if report, err := Verify(dir, testKey()); err != nil || report.Records != 0 {
		t.Fatalf("fresh trail: %+v, %v", report, err)
	}
	var d *Damage
	if _, err := Verify(t.TempDir(), testKey()); !errors.As(err, &d) || d.Kind != DamageHeadMissing {
		t.Fatalf("directory without a trail: %v", err)
	}
	if _, err := Verify(filepath.Join(dir, "nope"), testKey()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing directory: %v", err)
	}
	if _, err := Verify(dir, []byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}

// locate returns the segment index and 1-based line of seq.
func locate(t *testing.T, segs []string, seq uint64) (int, int) {
	t.Helper()
	for i, s := range segs {
		for j, line := range readLines(t, s) {
			if rec, err := parseLine(bytes.TrimSuffix(line, []byte("\n"))); err == nil && rec.seq == seq {
				return i, j + 1
			}
		}
	}
	t.Fatalf("seq %d not found", seq)
	return 0, 0
}

func editLine(t *testing.T, path string, line int, edit func([]byte) []byte) {
	t.Helper()
	lines := readLines(t, path)
	body := bytes.TrimSuffix(lines[line-1], []byte("\n"))
	lines[line-1] = append(edit(bytes.Clone(body)), '\n')
	writeLines(t, path, lines)
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
