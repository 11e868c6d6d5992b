package checksum

import (
	"testing"

	"github.com/cofferlabs/coffer/internal/deptest"
)

// TestDependencies enforces the package doc: the domain package and the CRC libraries only; never HTTP.
func TestDependencies(t *testing.T) {
	deptest.Check(t, deptest.Rules{Coffer: []string{""}, StdlibOnly: true, NoHTTP: true,
		Allow: []string{"github.com/klauspost/crc32", "github.com/minio/crc64nvme", "github.com/klauspost/cpuid/v2", "golang.org/x/sys/cpu"}})
}
