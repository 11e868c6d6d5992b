package dare

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies enforces the package doc: the standard library and
// golang.org/x/crypto only, and never net/http.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, standard, _ := strings.Cut(line, " ")
		switch {
		case path == "github.com/cofferlabs/coffer/dare":
		case path == "net/http" || strings.HasPrefix(path, "net/http/"):
			t.Errorf("dare depends on %s", path)
		case standard == "true":
		case strings.HasPrefix(path, "golang.org/x/crypto/"), strings.HasPrefix(path, "golang.org/x/sys/"):
			// x/crypto is allowed, and brings x/sys with it.
		default:
			t.Errorf("dare depends on %s, outside the standard library and x/crypto", path)
		}
	}
}
