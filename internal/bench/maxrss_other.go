//go:build !unix

package bench

import "os"

// maxRSS is 0: no getrusage here (the table then shows no peak RSS for
// the stages /proc does not cover either).
func maxRSS(ps *os.ProcessState) int64 { return 0 }
