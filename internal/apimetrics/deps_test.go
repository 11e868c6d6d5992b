package apimetrics

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{})
}
