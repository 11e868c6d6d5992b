package iamapi

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: coffer, iam and sigv4 only
// (iam brings policy with it).
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{Coffer: []string{"", "iam", "sigv4", "policy"}})
}
