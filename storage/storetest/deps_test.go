package storetest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the package off net/http and every Coffer package
// but coffer.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/cofferlabs/coffer":                   true,
		"github.com/cofferlabs/coffer/storage/storetest": true,
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "net/http" || strings.HasPrefix(dep, "net/http/") {
			t.Errorf("imports %s", dep)
		}
		if strings.HasPrefix(dep, "github.com/cofferlabs/coffer") && !allowed[dep] {
			t.Errorf("imports Coffer package %s", dep)
		}
	}
}
