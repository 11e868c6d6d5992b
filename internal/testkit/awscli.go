package testkit

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// AWSCLI runs the aws CLI (v1) against one endpoint with an empty
// configuration (us-east-1, JSON output) and the credentials it was given,
// never the caller's own AWS_* environment. Prefix words (e.g. "kms") go
// before every command's arguments.
type AWSCLI struct {
	t      *testing.T
	url    string
	prefix []string
	env    []string
	dir    string
}

// NewAWSCLI returns the CLI for url signing with accessKey and secret; it
// skips the test when the aws CLI is not installed.
func NewAWSCLI(t *testing.T, url, accessKey, secret string, prefix ...string) *AWSCLI {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the aws CLI is not installed")
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("[default]\nregion = us-east-1\noutput = json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &AWSCLI{t: t, url: url, prefix: prefix, dir: dir}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			c.env = append(c.env, kv)
		}
	}
	c.env = append(c.env, "AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
	return c.As(accessKey, secret)
}

// As is the same CLI signing with other credentials.
func (c *AWSCLI) As(accessKey, secret string) *AWSCLI {
	out := *c
	out.env = append(append([]string(nil), c.env...), "AWS_ACCESS_KEY_ID="+accessKey, "AWS_SECRET_ACCESS_KEY="+secret)
	return &out
}

// Run runs `aws --endpoint-url URL <prefix> <args>`; it returns stdout, or
// stderr when wantFail (the command must then fail).
func (c *AWSCLI) Run(wantFail bool, args ...string) string {
	c.t.Helper()
	all := append(append([]string{"--endpoint-url", c.url}, c.prefix...), args...)
	cmd := exec.Command("aws", all...)
	cmd.Env = c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if wantFail {
		if err == nil {
			c.t.Fatalf("aws %v succeeded: %s", all[2:], stdout.String())
		}
		return stderr.String()
	}
	if err != nil {
		c.t.Fatalf("aws %v: %v\n%s", all[2:], err, stderr.String())
	}
	return stdout.String()
}

// JSON runs a command that must succeed and decodes its output into into.
func (c *AWSCLI) JSON(into any, args ...string) {
	c.t.Helper()
	out := c.Run(false, args...)
	if err := json.Unmarshal([]byte(out), into); err != nil {
		c.t.Fatalf("aws %v printed %q: %v", args, out, err)
	}
}

// File writes data to a scratch file and returns its path.
func (c *AWSCLI) File(name string, data []byte) string {
	c.t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}
