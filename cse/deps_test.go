package cse

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: the standard library,
// golang.org/x/crypto and aws-sdk-go-v2 (with smithy-go) only, and no
// Coffer package.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{StdlibOnly: true, Allow: []string{
		"golang.org/x/crypto/", "github.com/aws/aws-sdk-go-v2/", "github.com/aws/smithy-go",
	}})
}
