package listing_test

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: pure listing logic: the domain package only, and no HTTP.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{Coffer: []string{""}, StdlibOnly: true, NoHTTP: true})
}
