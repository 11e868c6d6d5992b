package tests

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// pyDriver is a long-running Python process that answers one JSON line on
// fd 4 for each JSON line it reads on fd 3: the aws CLI and boto3 sessions
// run their commands through one, paying Python's start once per test.
// stdin and stdout stay away from the protocol.
type pyDriver struct {
	name string
	mu   sync.Mutex
	cmd  *exec.Cmd
	in   *os.File
	out  *bufio.Reader
}

// startPyDriver runs `python -c script args...` with env; it ends when the
// test does.
func startPyDriver(t *testing.T, name, script string, env []string, args ...string) *pyDriver {
	t.Helper()
	requireTool(t, "python")
	d := &pyDriver{name: name, cmd: exec.Command("python", append([]string{"-c", script}, args...)...)}
	d.cmd.Env = env
	d.cmd.Stderr = os.Stderr // the driver's own failures
	requestsR, requestsW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	repliesR, repliesW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.ExtraFiles = []*os.File{requestsR, repliesW} // fds 3 and 4
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start the %s driver: %v", name, err)
	}
	requestsR.Close()
	repliesW.Close()
	d.in, d.out = requestsW, bufio.NewReaderSize(repliesR, 1<<20)
	t.Cleanup(func() {
		d.in.Close() // the driver ends at EOF
		_ = d.cmd.Wait()
		repliesR.Close()
	})
	return d
}

// call sends request as one JSON line and decodes the answer into reply.
func (d *pyDriver) call(t *testing.T, request, reply any) {
	t.Helper()
	line, err := json.Marshal(request)
	if err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.in.Write(append(line, '\n')); err != nil {
		t.Fatalf("%s driver: %v", d.name, err)
	}
	answer, err := d.out.ReadBytes('\n')
	if err != nil {
		t.Fatalf("%s driver: %v", d.name, err)
	}
	if err := json.Unmarshal(answer, reply); err != nil {
		t.Fatalf("%s driver answered %q: %v", d.name, answer, err)
	}
}
