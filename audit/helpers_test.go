package audit

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

const testAccount = "111122223333"

// testKey is the chain key of the known-answer vectors: bytes 0..31.
func testKey() []byte {
	k := make([]byte, KeySize)
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

func otherKey() []byte { return bytes.Repeat([]byte{0xA5}, KeySize) }

var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testOptions keep the writer quick and the logger quiet.
func testOptions() Options {
	return Options{Region: "eu-west-1", AccountID: testAccount, FlushInterval: 5 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}
}

func openLog(t *testing.T, dir string, opts Options) *Log {
	t.Helper()
	l, err := Open(dir, testKey(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

var (
	rootUser = coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root",
		UserID: testAccount, AccessKeyID: "AKIAROOT"}
	alice = coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/alice",
		UserName: "alice", UserID: "AIDAALICE", AccessKeyID: "AKIAALICE"}
)

func keyARN(n int) string {
	return fmt.Sprintf("arn:aws:kms:eu-west-1:%s:key/0000000%d-0000-0000-0000-000000000000", testAccount, n)
}

// kmsEvent is a KMS event at epoch+minute.
func kmsEvent(minute int, name string, p coffer.Principal, key int) coffer.AuditEvent {
	return coffer.AuditEvent{
		Time:        epoch.Add(time.Duration(minute) * time.Minute),
		EventSource: "kms.amazonaws.com",
		EventName:   name,
		Principal:   p,
		Request:     coffer.RequestInfo{RequestID: fmt.Sprintf("req-%d", minute), SourceIP: "192.0.2.7", UserAgent: "aws-cli/1.45"},
		ReadOnly:    name == "Decrypt" || name == "DescribeKey",
		Resources:   []coffer.AuditResource{{Type: "AWS::KMS::Key", ARN: keyARN(key)}},
		Parameters:  map[string]any{"keyId": keyARN(key)},
	}
}

func s3Event(minute int, name string, p coffer.Principal, bucket string) coffer.AuditEvent {
	return coffer.AuditEvent{
		Time:        epoch.Add(time.Duration(minute) * time.Minute),
		EventSource: "s3.amazonaws.com",
		EventName:   name,
		Principal:   p,
		Request:     coffer.RequestInfo{RequestID: fmt.Sprintf("req-%d", minute), SourceIP: "198.51.100.9", SecureTransport: true},
		Resources:   []coffer.AuditResource{{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::" + bucket}},
		Parameters:  map[string]any{"bucketName": bucket},
	}
}

func recordAll(t *testing.T, l *Log, events ...coffer.AuditEvent) {
	t.Helper()
	for _, e := range events {
		l.Record(context.Background(), e)
	}
	if err := l.Sync(context.Background()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
}

// segmentFiles lists the trail's segment paths in order.
func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, s := range segs {
		paths = append(paths, s.path)
	}
	return paths
}

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(data, []byte("\n"))
}

func writeLines(t *testing.T, path string, lines [][]byte) {
	t.Helper()
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
}

func headPath(dir string) string { return filepath.Join(dir, headFile) }
