package testkit

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: the standard library only.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{StdlibOnly: true, NoHTTP: true})
}
