package policy

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: the standard library and the
// coffer domain package only, never net/http.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{Coffer: []string{""}, StdlibOnly: true, NoHTTP: true})
}
