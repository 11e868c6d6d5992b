package dare

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: the standard library and golang.org/x/crypto only.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{StdlibOnly: true, NoHTTP: true, Allow: []string{"golang.org/x/crypto/", "golang.org/x/sys/"}})
}
