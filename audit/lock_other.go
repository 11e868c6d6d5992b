//go:build !unix

package audit

import (
	"os"
	"path/filepath"
)

const lockFile = "LOCK"

// lockDir keeps a LOCK file open. Without flock there is no exclusion on
// this platform: the package doc says one process per trail.
func lockDir(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
}
