package sigv4

import (
	"os/exec"
	"strings"
	"testing"
)

// sigv4 may import the standard library only.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != "github.com/cofferlabs/coffer/sigv4" {
			t.Errorf("sigv4 imports %s; only the standard library is allowed", dep)
		}
	}
}
