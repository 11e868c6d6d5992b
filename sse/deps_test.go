package sse

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: no HTTP, no front end, and storage only through coffer.Store and coffer.KeyStore.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{Coffer: []string{"", "dare", "checksum"}, NoHTTP: true})
}
