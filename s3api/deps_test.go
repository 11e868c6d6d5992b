package s3api

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: it sees coffer.Service only: never sse, dare, checksum or a storage backend (its tests may).
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{Coffer: []string{"", "sigv4", "postpolicy", "internal/apimetrics"}})
}
