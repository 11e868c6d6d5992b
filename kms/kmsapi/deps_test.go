package kmsapi

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: coffer, kms and sigv4 only.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{Coffer: []string{"", "kms", "sigv4", "internal/apimetrics"}})
}
