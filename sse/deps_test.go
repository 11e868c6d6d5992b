package sse

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// forbiddenImport reports why a package may not be imported by sse's
// non-test code, or "" when it may.
func forbiddenImport(path string) string {
	switch {
	case path == "net/http" || strings.HasPrefix(path, "net/http/"):
		return "sse must not speak HTTP"
	case path == "github.com/cofferlabs/coffer/s3api" || strings.HasPrefix(path, "github.com/cofferlabs/coffer/s3api/"):
		return "sse must not know its front end"
	case strings.HasPrefix(path, "github.com/cofferlabs/coffer/storage/"):
		return "sse sees storage only through coffer.Store and coffer.KeyStore"
	}
	return ""
}

func TestDirectImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if why := forbiddenImport(path); why != "" {
				t.Errorf("%s imports %s: %s", name, path, why)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("found no source files to check")
	}
}

func TestTransitiveImports(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list named no dependencies")
	}
	for _, dep := range deps {
		if why := forbiddenImport(dep); why != "" {
			t.Errorf("sse depends on %s: %s", dep, why)
		}
	}
}
