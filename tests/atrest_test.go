package tests

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestNoPlaintextAtRest uploads objects full of a marker through every
// write path (inline-sized, file-backed, multipart, copy) and then searches
// every file under the data dir, and the server's logs, for it.
func TestNoPlaintextAtRest(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	client := s.sdkClient()
	marker := []byte("COFFER-PLAINTEXT-MARKER-7f3a9c")
	body := func(n int) []byte { return bytes.Repeat(marker, n/len(marker)+1)[:n] }
	bucket := aws.String("atrest")
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{len(marker), 4 << 10, 100 << 10, 3 << 20} {
		key := aws.String("plain-" + strconv.Itoa(size))
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader(body(size))}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy-" + strconv.Itoa(size)),
			CopySource: aws.String("atrest/plain-" + strconv.Itoa(size))}); err != nil {
			t.Fatal(err)
		}
	}
	requireTool(t, "aws")
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, body(18<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	s.awsCLI(t, "s3", "cp", big, "s3://atrest/multipart.txt")
	// An aborted upload's parts and a replaced object's old data count too.
	s.awsCLI(t, "s3", "cp", big, "s3://atrest/plain-4096")

	s.stop() // flush everything and release the files
	scanned, _ := scanFiles(t, s.dataDir, "plaintext marker found", func(data []byte) bool { return bytes.Contains(data, marker) || bytes.Contains(data, marker[:16]) })
	if scanned < 2 {
		t.Fatalf("scanned only %d files; the data dir layout is not what this test expects", scanned)
	}
	if strings.Contains(s.logs.String(), string(marker[:16])) {
		t.Errorf("plaintext marker found in the server's logs")
	}
	t.Logf("scanned %d files under the data dir: no plaintext", scanned)
}

// scanFiles reads every file under dir and reports each one in which
// found sees what must not be there (what, e.g. "plaintext marker found"),
// returning how many files it read and how many it reported.
func scanFiles(t *testing.T, dir, what string, found func(data []byte) bool) (scanned, reported int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		if found(data) {
			reported++
			t.Errorf("%s in %s", what, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return scanned, reported
}
