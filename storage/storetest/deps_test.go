package storetest_test

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: the suite serves any backend: of Coffer only the domain package, and no HTTP.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{Coffer: []string{""}, NoHTTP: true})
}
