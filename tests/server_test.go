package tests

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cofferlabs/coffer/internal/testkit"
)

// Root credentials every test server starts with.
const (
	rootAccessKey = "COFFERTESTROOT"
	rootSecretKey = "coffer-test-secret-key-0123456789"
	testRegion    = "us-east-1"
)

var cofferBinary string // path of the coffer binary built by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "coffer-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cofferBinary = filepath.Join(dir, "coffer")
	build := exec.Command("go", "build", "-race", "-o", cofferBinary, "../cmd/coffer")
	if os.Getenv("COFFER_TEST_NORACE") != "" {
		build = exec.Command("go", "build", "-o", cofferBinary, "../cmd/coffer")
	}
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building coffer:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one running coffer process.
type server struct {
	t        *testing.T
	dataDir  string
	addr     string
	endpoint string
	cmd      *exec.Cmd
	logs     *syncBuffer
	stdout   *syncBuffer
	env      []string
	args     []string
}

// startServer starts coffer on a free port with a new data dir.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	s := &server{t: t, dataDir: t.TempDir(), args: args}
	s.env = append(os.Environ(), "COFFER_ROOT_ACCESS_KEY="+rootAccessKey, "COFFER_ROOT_SECRET_KEY="+rootSecretKey)
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *server) start() {
	s.t.Helper()
	if s.addr == "" { // a restart keeps its address so clients keep working
		s.addr = freeAddr(s.t)
		s.endpoint = "http://" + s.addr
	}
	s.logs, s.stdout = &syncBuffer{}, &syncBuffer{}
	args := append([]string{"serve", "--data-dir", s.dataDir, "--listen", s.addr}, s.args...)
	s.cmd = exec.Command(cofferBinary, args...)
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.logs
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start coffer: %v", err)
	}
	s.waitReady()
}

func (s *server) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.endpoint + "/_coffer/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if s.cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("coffer did not become ready; logs:\n%s", s.logs.String())
}

// stop ends the server gracefully (SIGTERM) and waits for it.
func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	if s.t.Failed() {
		s.t.Logf("coffer logs:\n%s", tail(s.logs.String(), 8000))
	}
	s.cmd = nil
}

// kill ends the server with SIGKILL, as a crash would.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// restart starts the server again on the same data dir.
func (s *server) restart() {
	s.stop()
	s.start()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// syncBuffer collects the server's output while the test reads it.
type syncBuffer = testkit.LockedBuffer

// awsCLI runs the aws CLI against the server and returns its stdout.
func (s *server) awsCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := s.awsCLIErr(args...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (s *server) awsCLIErr(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", s.endpoint}, args...)...)
	cmd.Env = append(cleanAWSEnv(), "AWS_ACCESS_KEY_ID="+rootAccessKey, "AWS_SECRET_ACCESS_KEY="+rootSecretKey,
		"AWS_DEFAULT_REGION="+testRegion)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// cleanAWSEnv drops the caller's AWS settings so tests see only theirs.
func cleanAWSEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	home, _ := os.MkdirTemp("", "coffer-aws-home")
	return append(env, "AWS_CONFIG_FILE="+filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"))
}

// python runs a Python script with the server's endpoint and credentials in
// its environment (COFFER_ENDPOINT, AWS_*).
func (s *server) python(t *testing.T, script string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python", append([]string{"-c", script}, args...)...)
	cmd.Env = append(cleanAWSEnv(), "AWS_ACCESS_KEY_ID="+rootAccessKey, "AWS_SECRET_ACCESS_KEY="+rootSecretKey,
		"AWS_DEFAULT_REGION="+testRegion, "COFFER_ENDPOINT="+s.endpoint)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	return string(out)
}

// requireTool skips nothing: CI installs every tool, so a missing one fails.
func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed; .ci/run installs it", name)
	}
}
