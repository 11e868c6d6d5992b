package tlsconfig

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: the standard library only, without net/http.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{StdlibOnly: true, NoHTTP: true})
}
