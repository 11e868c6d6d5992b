//go:build unix

package fs

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) this process has used. A
// benchmark's CPU per operation is disturbed far less than its wall time
// by other work on a shared machine.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
