package s3api

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps s3api on the coffer.Service boundary: among
// Coffer's packages it may use only the domain, sigv4 and postpolicy, never
// sse, dare, checksum or a storage backend (its tests may).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/cofferlabs/coffer":            true,
		"github.com/cofferlabs/coffer/s3api":      true,
		"github.com/cofferlabs/coffer/sigv4":      true,
		"github.com/cofferlabs/coffer/postpolicy": true,
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/cofferlabs/coffer") && !allowed[dep] {
			t.Errorf("imports Coffer package %s", dep)
		}
	}
}
