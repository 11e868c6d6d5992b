package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliDriverScript runs aws CLI commands, one per line of JSON on fd 3
// (the argument list), through the CLI's own entry point: what the aws
// script does (awscli.clidriver.main: a new driver per command), minus a
// Python start per command. It answers one JSON line per command on fd 4;
// stdin and stdout stay away from the protocol, so nothing the CLI or a
// program it starts reads or writes there can disturb it.
const cliDriverScript = `
import contextlib, io, json, os, sys
from awscli.clidriver import create_clidriver

requests, replies = os.fdopen(3, "r"), os.fdopen(4, "w")
for line in requests:
    args = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = create_clidriver().main(args)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
    replies.write(json.dumps({"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
    replies.flush()
`

// cliSession is the aws CLI pointed at one endpoint (with a CA bundle for
// HTTPS), kept running in one Python process for the whole test.
type cliSession struct {
	global []string // --endpoint-url, --ca-bundle
	dir    string   // scratch files for fileb:// arguments
	driver *pyDriver
}

// cliResult is one command's outcome.
type cliResult struct {
	RC     int    `json:"rc"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
}

// newCLISession starts the CLI driver for endpoint as the root user;
// caPath may be "".
func newCLISession(t *testing.T, endpoint, caPath string) *cliSession {
	t.Helper()
	return newCLISessionAs(t, endpoint, caPath, rootAccessKey, rootSecretKey)
}

// newCLISessionAs starts the CLI driver signing with the given access key.
func newCLISessionAs(t *testing.T, endpoint, caPath, accessKey, secretKey string) *cliSession {
	t.Helper()
	requireTool(t, "aws")
	c := &cliSession{global: []string{"--endpoint-url", endpoint}, dir: t.TempDir()}
	if caPath != "" {
		c.global = append(c.global, "--ca-bundle", caPath)
	}
	env := append(cleanAWSEnv(), "AWS_ACCESS_KEY_ID="+accessKey, "AWS_SECRET_ACCESS_KEY="+secretKey,
		"AWS_DEFAULT_REGION="+testRegion, "AWS_PAGER=", "PYTHONIOENCODING=utf-8")
	c.driver = startPyDriver(t, "aws CLI", cliDriverScript, env)
	return c
}

// run runs `aws <global options> args...`.
func (c *cliSession) run(t *testing.T, args ...string) cliResult {
	t.Helper()
	var r cliResult
	c.driver.call(t, append(append([]string{}, c.global...), args...), &r)
	return r
}

// ok runs a command that must succeed and returns its stdout.
func (c *cliSession) ok(t *testing.T, args ...string) string {
	t.Helper()
	r := c.run(t, args...)
	if r.RC != 0 {
		t.Fatalf("aws %s: exit %d\n%s%s", strings.Join(args, " "), r.RC, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// json runs a command that must succeed and decodes its JSON output.
func (c *cliSession) json(t *testing.T, into any, args ...string) {
	t.Helper()
	out := c.ok(t, args...)
	if err := json.Unmarshal([]byte(out), into); err != nil {
		t.Fatalf("aws %s printed %q: %v", strings.Join(args, " "), out, err)
	}
}

// fails runs a command that must fail with the error code code, as the
// CLI prints it ("An error occurred (Code) when calling ..."), and returns
// the message.
func (c *cliSession) fails(t *testing.T, code string, args ...string) string {
	t.Helper()
	r := c.run(t, args...)
	if r.RC == 0 {
		t.Fatalf("aws %s succeeded, want %s:\n%s", strings.Join(args, " "), code, r.Stdout)
	}
	if !strings.Contains(r.Stderr, "("+code+")") {
		t.Fatalf("aws %s: want error %s, got exit %d:\n%s", strings.Join(args, " "), code, r.RC, r.Stderr)
	}
	return r.Stderr
}

// file writes data to a scratch file and returns it as a fileb:// argument.
func (c *cliSession) file(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return "fileb://" + path
}

// path is the scratch path name (for downloads).
func (c *cliSession) path(name string) string { return filepath.Join(c.dir, name) }

// cliJSON renders v as a JSON argument.
func cliJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
