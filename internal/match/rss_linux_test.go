package match

import "syscall"

// peakRSS returns the process's peak resident memory in bytes (Linux reports ru_maxrss
// in KiB).
func peakRSS() int64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return u.Maxrss * 1024
}
