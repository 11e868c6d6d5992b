package console

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: the domain package, the
// standard library and aws-sdk-go-v2's SigV4 signer (with what it needs).
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{
		Coffer:     []string{""},
		StdlibOnly: true,
		Allow:      []string{"github.com/aws/aws-sdk-go-v2/", "github.com/aws/smithy-go"},
	})
}
