package postpolicy

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: the standard library, the domain package and sigv4 only.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{Coffer: []string{"", "sigv4"}, StdlibOnly: true})
}
