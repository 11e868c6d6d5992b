package audit

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// FuzzParseLine: any input parses or is refused without panicking, and a
// parsed line re-frames to exactly the input.
func FuzzParseLine(f *testing.F) {
	f.Add([]byte(strings.TrimSuffix(vectorLine1, "\n")))
	f.Add([]byte(strings.TrimSuffix(vectorLine2, "\n")))
	f.Add([]byte(`{"x":"\",\"seq\":9","seq":3,"chain":"588b7c7db071556669a8610aa73190cc9d411fc2d1aa778f70da1e2c5ed3f22d"}`))
	f.Add([]byte(`{"seq":0,"chain":""}`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, err := parseLine(line)
		if err != nil {
			return
		}
		rebuilt := append(bytes.Clone(rec.bodyPrefix), chainMember...)
		rebuilt = hex.AppendEncode(rebuilt, rec.chain[:])
		rebuilt = append(rebuilt, `"}`...)
		if !bytes.Equal(rebuilt, line) || rec.seq == 0 {
			t.Fatalf("parsed %q as seq %d but re-frames to %q", line, rec.seq, rebuilt)
		}
	})
}

// FuzzEventOf: the record decoder a lookup uses never panics, and a
// decoded event's resources carry names derived from their ARNs.
func FuzzEventOf(f *testing.F) {
	f.Add([]byte(strings.TrimSuffix(vectorLine1, "\n")))
	f.Add([]byte(vectorRecord))
	f.Add([]byte(`{"eventTime":"2025-03-01T12:00:00Z","userIdentity":{"type":"Root"},"resources":[{"ARN":"arn:aws:s3:::b/k","type":"AWS::S3::Object"}]}`))
	f.Add([]byte(`{"eventTime":"not a time"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := eventOf(line)
		if err != nil {
			return
		}
		for _, r := range e.Resources {
			if r.Name != resourceName(r.ARN) {
				t.Fatalf("resource %q named %q", r.ARN, r.Name)
			}
		}
		if e.Time.Location() != time.UTC || e.Time.Nanosecond() != 0 {
			t.Fatalf("event time %v is not whole UTC seconds", e.Time)
		}
	})
}

// FuzzParseHead: the head parser never panics and accepts only what it
// would write itself.
func FuzzParseHead(f *testing.F) {
	f.Add([]byte(vectorHead))
	f.Add([]byte("coffer-audit-head v1\nseq 0\nchain \nmac \n"))
	f.Add([]byte{})
	k, _ := deriveKeys(testKey())
	f.Fuzz(func(t *testing.T, data []byte) {
		h, ok := parseHead(k.head, data)
		if ok && !bytes.Equal(encodeHead(k.head, h), data) {
			t.Fatalf("accepted a head it would not write: %q", data)
		}
	})
}
