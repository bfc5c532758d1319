//go:build !unix

package scan

// allocSlots returns n zeroed slots on the Go heap (platforms without
// anonymous mappings in package syscall).
func allocSlots(n int) (s []uint64, mapped bool) { return make([]uint64, n), false }

// freeSlots leaves the table to the collector.
func freeSlots(s []uint64, mapped bool) {}
