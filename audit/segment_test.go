package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// splitLines is the reference: complete lines, each with its offset and
// whether it fits maxLineBytes.
type refLine struct {
	text   string
	offset int64
	fits   bool
}

func splitLines(data []byte) []refLine {
	var out []refLine
	var offset int64
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return out
		}
		line := refLine{offset: offset, fits: i <= maxLineBytes}
		if line.fits {
			line.text = string(data[:i])
		}
		out = append(out, line)
		data, offset = data[i+1:], offset+int64(i+1)
	}
}

func readBothWays(t *testing.T, data []byte) (forward, backward []refLine) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seg")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fl := newForwardLines(f)
	for {
		line, offset, _, fits, ok := fl.next()
		if !ok {
			break
		}
		forward = append(forward, refLine{text: string(line), offset: offset, fits: fits})
	}
	if fl.err != nil {
		t.Fatal(fl.err)
	}
	bl, err := newBackwardLines(f, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for {
		line, offset, fits, ok, err := bl.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		backward = append(backward, refLine{text: string(line), offset: offset, fits: fits})
	}
	slices.Reverse(backward)
	return forward, backward
}

func TestLineReaders(t *testing.T) {
	long := strings.Repeat("L", maxLineBytes+1)
	huge := strings.Repeat("H", 4*backwardChunk+17)
	edge := strings.Repeat("E", maxLineBytes)
	cases := []struct {
		name string
		data string
	}{
		{name: "empty", data: ""},
		{name: "one line", data: "a\n"},
		{name: "no final newline", data: "a\nb"},
		{name: "only a partial line", data: "partial"},
		{name: "empty lines", data: "\n\n\n"},
		{name: "line exactly at the limit", data: "x\n" + edge + "\ny\n"},
		{name: "line one past the limit", data: "x\n" + long + "\ny\n"},
		{name: "line of several chunks", data: "x\n" + huge + "\ny\n" + huge + "\n"},
		{name: "long first line", data: long + "\nz\n"},
		{name: "long partial tail", data: "x\n" + huge},
		{name: "many lines across chunks", data: strings.Repeat(strings.Repeat("m", 999)+"\n", 300)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := splitLines([]byte(tc.data))
			forward, backward := readBothWays(t, []byte(tc.data))
			if !slices.Equal(forward, want) {
				t.Fatalf("forward: %d lines, want %d", len(forward), len(want))
			}
			if !slices.Equal(backward, want) {
				t.Fatalf("backward: %d lines, want %d", len(backward), len(want))
			}
		})
	}
}

// FuzzLineReaders: both readers split any content as the reference does.
func FuzzLineReaders(f *testing.F) {
	for _, seed := range []string{"", "a\n", "a\nb", "\n\n", "x\ny\nzz\n", vectorLine1 + vectorLine2} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := splitLines(data)
		forward, backward := readBothWays(t, data)
		if !slices.Equal(forward, want) || !slices.Equal(backward, want) {
			t.Fatalf("readers disagree with the reference on %q", data)
		}
	})
}
