package checksum

import (
	"os/exec"
	"strings"
	"testing"
)

// allowed are the packages outside the standard library checksum may
// depend on: the domain package, the two CRC libraries, and what those
// bring along.
var allowed = map[string]bool{
	"github.com/cofferlabs/coffer":          true,
	"github.com/cofferlabs/coffer/checksum": true,
	"github.com/klauspost/crc32":            true,
	"github.com/minio/crc64nvme":            true,
	"github.com/klauspost/cpuid/v2":         true, // via crc64nvme
	"golang.org/x/sys/cpu":                  true, // via klauspost/crc32
}

// TestDependencies enforces the package doc.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, standard, _ := strings.Cut(line, " ")
		switch {
		case path == "net/http" || strings.HasPrefix(path, "net/http/"):
			t.Errorf("checksum depends on %s", path)
		case standard == "true", allowed[path]:
		default:
			t.Errorf("checksum depends on %s, which its doc does not allow", path)
		}
	}
}
