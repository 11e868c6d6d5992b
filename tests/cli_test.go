package tests

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// randomFile writes n pseudo-random bytes (seeded by name) to dir/name.
func randomFile(t *testing.T, dir, name string, n int) (string, []byte) {
	t.Helper()
	data := randomBytes(name, n)
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

func randomBytes(seed string, n int) []byte {
	var key [32]byte
	copy(key[:], seed)
	data := make([]byte, n)
	_, _ = rand.NewChaCha8(key).Read(data)
	return data
}

func md5hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func TestAWSCLIHighLevel(t *testing.T) {
	requireTool(t, "aws")
	s := startServer(t)
	dir := t.TempDir()
	s.awsCLI(t, "s3", "mb", "s3://cli-bucket")
	if out := s.awsCLI(t, "s3", "ls"); !strings.Contains(out, "cli-bucket") {
		t.Fatalf("s3 ls does not list the bucket:\n%s", out)
	}

	small, smallData := randomFile(t, dir, "small.txt", 1234)
	large, largeData := randomFile(t, dir, "large.bin", 20<<20) // over the CLI's 8 MiB multipart threshold
	s.awsCLI(t, "s3", "cp", small, "s3://cli-bucket/docs/small.txt")
	s.awsCLI(t, "s3", "cp", large, "s3://cli-bucket/big/large.bin")

	down := filepath.Join(dir, "down")
	s.awsCLI(t, "s3", "cp", "s3://cli-bucket/docs/small.txt", filepath.Join(down, "small.txt"))
	s.awsCLI(t, "s3", "cp", "s3://cli-bucket/big/large.bin", filepath.Join(down, "large.bin"))
	assertFileEquals(t, filepath.Join(down, "small.txt"), smallData)
	assertFileEquals(t, filepath.Join(down, "large.bin"), largeData)

	var head struct {
		ETag                 string
		ServerSideEncryption string
		ContentLength        int64
	}
	mustJSON(t, s.awsCLI(t, "s3api", "head-object", "--bucket", "cli-bucket", "--key", "big/large.bin"), &head)
	if head.ServerSideEncryption != "AES256" || head.ContentLength != int64(len(largeData)) || !strings.HasSuffix(strings.Trim(head.ETag, `"`), "-3") {
		t.Fatalf("multipart object head = %+v, want AES256, size %d, ETag ending -3", head, len(largeData))
	}
	mustJSON(t, s.awsCLI(t, "s3api", "head-object", "--bucket", "cli-bucket", "--key", "docs/small.txt"), &head)
	if strings.Trim(head.ETag, `"`) != md5hex(smallData) || head.ServerSideEncryption != "AES256" {
		t.Fatalf("single-part object head = %+v, want the plaintext MD5 as ETag and AES256", head)
	}

	tree := filepath.Join(dir, "tree")
	for i, name := range []string{"a.txt", "sub/b.txt", "sub/deeper/c.txt"} {
		randomFile(t, tree, name, 100*(i+1))
	}
	s.awsCLI(t, "s3", "sync", tree, "s3://cli-bucket/tree/")
	if out := s.awsCLI(t, "s3", "ls", "--recursive", "s3://cli-bucket/tree/"); strings.Count(out, "\n") != 3 {
		t.Fatalf("sync uploaded the wrong set:\n%s", out)
	}
	if out := s.awsCLI(t, "s3", "sync", tree, "s3://cli-bucket/tree/"); strings.TrimSpace(out) != "" {
		t.Fatalf("second sync should upload nothing, got:\n%s", out)
	}
	if out := s.awsCLI(t, "s3", "ls", "s3://cli-bucket/tree/"); !strings.Contains(out, "PRE sub/") {
		t.Fatalf("delimiter listing lacks the sub/ prefix:\n%s", out)
	}
	s.awsCLI(t, "s3", "rm", "--recursive", "s3://cli-bucket/")
	s.awsCLI(t, "s3", "rb", "s3://cli-bucket")
	if out := s.awsCLI(t, "s3", "ls"); strings.Contains(out, "cli-bucket") {
		t.Fatalf("bucket still listed after rb:\n%s", out)
	}
}

func TestAWSCLIS3API(t *testing.T) {
	requireTool(t, "aws")
	s := startServer(t)
	dir := t.TempDir()
	s.awsCLI(t, "s3api", "create-bucket", "--bucket", "api-bucket")
	body, data := randomFile(t, dir, "body.bin", 200_000)

	var put struct{ ETag, ServerSideEncryption string }
	mustJSON(t, s.awsCLI(t, "s3api", "put-object", "--bucket", "api-bucket", "--key", "dir/obj one+é.bin",
		"--body", body, "--server-side-encryption", "AES256", "--metadata", "color=blue,empty=",
		"--content-type", "application/x-test"), &put)
	if put.ServerSideEncryption != "AES256" || strings.Trim(put.ETag, `"`) != md5hex(data) {
		t.Fatalf("put-object = %+v", put)
	}

	var head struct {
		Metadata    map[string]string
		ContentType string
	}
	mustJSON(t, s.awsCLI(t, "s3api", "head-object", "--bucket", "api-bucket", "--key", "dir/obj one+é.bin"), &head)
	if head.Metadata["color"] != "blue" || head.ContentType != "application/x-test" {
		t.Fatalf("head-object = %+v", head)
	}
	if v, ok := head.Metadata["empty"]; !ok || v != "" {
		t.Fatalf("empty metadata value not kept: %+v", head.Metadata)
	}

	out := filepath.Join(dir, "range.out")
	var get struct {
		ContentRange         string
		ServerSideEncryption string
	}
	mustJSON(t, s.awsCLI(t, "s3api", "get-object", "--bucket", "api-bucket", "--key", "dir/obj one+é.bin",
		"--range", "bytes=65530-131080", out), &get)
	assertFileEquals(t, out, data[65530:131081])
	if get.ContentRange != "bytes 65530-131080/200000" || get.ServerSideEncryption != "AES256" {
		t.Fatalf("get-object range = %+v", get)
	}

	s.awsCLI(t, "s3api", "copy-object", "--bucket", "api-bucket", "--key", "copy.bin",
		"--copy-source", "api-bucket/dir/obj one+é.bin")
	s.awsCLI(t, "s3api", "get-object", "--bucket", "api-bucket", "--key", "copy.bin", out)
	assertFileEquals(t, out, data)

	var list struct {
		Contents       []struct{ Key string }
		CommonPrefixes []struct{ Prefix string }
	}
	mustJSON(t, s.awsCLI(t, "s3api", "list-objects-v2", "--bucket", "api-bucket", "--delimiter", "/"), &list)
	if len(list.Contents) != 1 || list.Contents[0].Key != "copy.bin" || len(list.CommonPrefixes) != 1 || list.CommonPrefixes[0].Prefix != "dir/" {
		t.Fatalf("list-objects-v2 = %+v", list)
	}

	var attrs struct {
		ETag       string
		ObjectSize int64
	}
	mustJSON(t, s.awsCLI(t, "s3api", "get-object-attributes", "--bucket", "api-bucket", "--key", "copy.bin",
		"--object-attributes", "ETag", "ObjectSize"), &attrs)
	if attrs.ObjectSize != int64(len(data)) || attrs.ETag != md5hex(data) {
		t.Fatalf("get-object-attributes = %+v", attrs)
	}

	if msg, err := s.awsCLIErr("s3api", "get-object", "--bucket", "api-bucket", "--key", "missing", out); err == nil || !strings.Contains(msg, "NoSuchKey") {
		t.Fatalf("get of a missing key: err=%v out=%s", err, msg)
	}
	if msg, err := s.awsCLIErr("s3api", "delete-bucket", "--bucket", "api-bucket"); err == nil || !strings.Contains(msg, "BucketNotEmpty") {
		t.Fatalf("delete of a non-empty bucket: err=%v out=%s", err, msg)
	}
	deletes := `{"Objects":[{"Key":"copy.bin"},{"Key":"dir/obj one+é.bin"}],"Quiet":false}`
	var deleted struct{ Deleted []struct{ Key string } }
	mustJSON(t, s.awsCLI(t, "s3api", "delete-objects", "--bucket", "api-bucket", "--delete", deletes), &deleted)
	if len(deleted.Deleted) != 2 {
		t.Fatalf("delete-objects = %+v", deleted)
	}
	s.awsCLI(t, "s3api", "delete-bucket", "--bucket", "api-bucket")
}

func assertFileEquals(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes (md5 %s), want %d bytes (md5 %s)", path, len(got), md5hex(got), len(want), md5hex(want))
	}
}

func mustJSON(t *testing.T, text string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(text), v); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, text)
	}
}
