// Package deptest checks, from a package's own tests, that its dependencies
// (direct and transitive, test files excluded) keep the rules its doc
// comment states, so the layering in docs/ARCHITECTURE.md cannot erode
// unnoticed. It is for tests only and imports the standard library only.
package deptest

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Module is Coffer's module path.
const Module = "github.com/cofferlabs/coffer"

// Rules say what a package may depend on.
type Rules struct {
	// Coffer lists the Coffer packages it may use, relative to the module
	// ("" for the domain package, "sigv4", "storage/internal/listing").
	// The package itself is always allowed.
	Coffer []string
	// StdlibOnly limits every other dependency to the standard library and
	// the import-path prefixes in Allow.
	StdlibOnly bool
	Allow      []string
	// NoHTTP forbids net/http and everything below it.
	NoHTTP bool
}

// Check fails t for each dependency of the package in the current
// directory that the rules forbid.
func Check(t *testing.T, rules Rules) {
	t.Helper()
	self, deps := list(t)
	allowedCoffer := map[string]bool{self: true}
	for _, rel := range rules.Coffer {
		allowedCoffer[strings.TrimSuffix(Module+"/"+rel, "/")] = true
	}
	for _, dep := range deps {
		if why := rules.forbids(dep, allowedCoffer); why != "" {
			t.Errorf("%s depends on %s: %s", self, dep.path, why)
		}
	}
}

type dependency struct {
	path     string
	standard bool
}

func (r Rules) forbids(dep dependency, allowedCoffer map[string]bool) string {
	switch {
	case r.NoHTTP && (dep.path == "net/http" || strings.HasPrefix(dep.path, "net/http/")):
		return "this package must not speak HTTP"
	case dep.path == Module || strings.HasPrefix(dep.path, Module+"/"):
		if !allowedCoffer[dep.path] {
			return "not among the Coffer packages it may use"
		}
	case dep.standard:
	case r.StdlibOnly:
		for _, prefix := range r.Allow {
			if strings.HasPrefix(dep.path, prefix) {
				return ""
			}
		}
		return "outside the standard library and the allowed modules"
	}
	return ""
}

// list runs `go list -deps` on the package in the current directory.
func list(t *testing.T) (self string, deps []dependency) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("go list named no packages")
	}
	for _, line := range lines {
		path, standard, _ := strings.Cut(line, " ")
		deps = append(deps, dependency{path: path, standard: standard == "true"})
	}
	// go list -deps prints the package itself last.
	return deps[len(deps)-1].path, deps[:len(deps)-1]
}
