package opsapi

import (
	"os/exec"
	"strings"
	"testing"
)

// TestForbiddenImports keeps opsapi on its side of the layering: it sees
// the key hierarchy through KeyAdmin, never the concrete packages.
func TestForbiddenImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, forbidden := range []string{"/sse", "/storage/", "/s3api"} {
			if strings.HasPrefix(dep, "github.com/cofferlabs/coffer") && strings.Contains(dep, forbidden) {
				t.Errorf("opsapi imports %s", dep)
			}
		}
	}
}
