package mem_test

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: no HTTP, and of Coffer only the domain package and the shared listing code.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{Coffer: []string{"", "storage/internal/listing"}, NoHTTP: true})
}
