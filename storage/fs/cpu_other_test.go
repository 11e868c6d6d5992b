//go:build !unix

package fs

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
