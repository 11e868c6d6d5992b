package tests

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestHealthAndMetrics(t *testing.T) {
	s := startServer(t)
	for _, path := range []string{"/_coffer/health/live", "/_coffer/health/ready"} {
		if _, err := httpGet(s.endpoint + path); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	client := s.sdkClient()
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("metrics")}); err != nil {
		t.Fatal(err)
	}
	_, _ = client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("metrics"), Key: aws.String("missing")})
	body, err := httpGet(s.endpoint + "/_coffer/metrics")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"coffer_s3_requests_total", "coffer_s3_request_duration_seconds", "NoSuchKey"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Every request is logged once with a request id, and no secret.
	logs := s.logs.String()
	if !strings.Contains(logs, "request") || strings.Contains(logs, rootSecretKey) {
		t.Errorf("request logs missing or leaking the secret:\n%s", tail(logs, 2000))
	}
}

func TestFirstStartGeneratesCredentials(t *testing.T) {
	dataDir := t.TempDir()
	s := &server{t: t, dataDir: dataDir, env: cleanEnvWithout("COFFER_ROOT_")}
	s.start()
	t.Cleanup(s.stop)
	banner := s.stdout.String()
	var creds struct{ AccessKeyID, SecretAccessKey string }
	path := filepath.Join(dataDir, "root-credentials.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, string(data), &creds)
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, info.Mode().Perm())
	}
	if !strings.Contains(banner, creds.SecretAccessKey) || !strings.Contains(banner, "aws --endpoint-url") {
		t.Fatalf("first start banner lacks the credentials or the example:\n%s", banner)
	}
	if !strings.Contains(banner, "WARNING") {
		t.Errorf("embedded root key without a warning:\n%s", banner)
	}
	var id struct{ AccountID string }
	data, _ = os.ReadFile(filepath.Join(dataDir, "identity.json"))
	mustJSON(t, string(data), &id)
	if len(id.AccountID) != 12 {
		t.Fatalf("account id %q is not 12 digits", id.AccountID)
	}

	s.restart()
	if strings.Contains(s.stdout.String(), creds.SecretAccessKey) {
		t.Fatalf("the secret was printed again on the second start")
	}
	data, _ = os.ReadFile(filepath.Join(dataDir, "identity.json"))
	if !strings.Contains(string(data), id.AccountID) {
		t.Fatalf("account id changed across restarts")
	}
	if strings.Contains(s.logs.String(), creds.SecretAccessKey) {
		t.Fatalf("the secret reached the logs")
	}
}

func TestMasterKeyRotationAndRewrap(t *testing.T) {
	s := startServer(t)
	client := s.sdkClient()
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("rotate")}); err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{}
	put := func(key string, n int) {
		bodies[key] = randomBytes(key, n)
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rotate"), Key: aws.String(key), Body: bytes.NewReader(bodies[key])}); err != nil {
			t.Fatal(err)
		}
	}
	for i, n := range []int{10, 5000, 200_000} {
		put("before-"+string(rune('a'+i)), n)
	}
	out := s.admin(t, "rotate-master-key")
	if !strings.Contains(out, "version 2") {
		t.Fatalf("rotate-master-key: %s", out)
	}
	put("after", 1000)
	out = s.admin(t, "rewrap")
	if !strings.Contains(out, "re-wrapped") {
		t.Fatalf("rewrap: %s", out)
	}
	s.restart()
	for key, want := range bodies {
		got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rotate"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("%s after rotation and rewrap: %v", key, err)
		}
		data, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if !bytes.Equal(data, want) {
			t.Fatalf("%s changed after rotation and rewrap", key)
		}
	}
	// A request not signed by root is refused.
	resp, err := http.Post(s.endpoint+"/_coffer/admin/v1/rotate-master-key", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unsigned admin request: %s", resp.Status)
	}
}

// admin runs `coffer admin SUBCOMMAND` against the server.
func (s *server) admin(t *testing.T, sub string) string {
	t.Helper()
	cmd := exec.Command(cofferBinary, "admin", sub, "--endpoint", s.endpoint)
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("coffer admin %s: %v\n%s", sub, err, out)
	}
	return string(out)
}

func cleanEnvWithout(prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			env = append(env, kv)
		}
	}
	return env
}
