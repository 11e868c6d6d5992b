package postpolicy

import (
	"os/exec"
	"strings"
	"testing"
)

// postpolicy may import the standard library, coffer and sigv4 only.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/cofferlabs/coffer":            true,
		"github.com/cofferlabs/coffer/sigv4":      true,
		"github.com/cofferlabs/coffer/postpolicy": true,
	}
	for _, dep := range strings.Fields(string(out)) {
		if !allowed[dep] {
			t.Errorf("postpolicy imports %s; only the standard library, coffer and sigv4 are allowed", dep)
		}
	}
}
