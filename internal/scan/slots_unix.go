//go:build unix

package scan

import (
	"syscall"
	"unsafe"
)

// allocSlots returns n zeroed slots from an anonymous private mapping,
// outside the Go heap: the table holds no pointers, so the collector has
// nothing to scan in it, and outside the heap it does not raise the heap
// goal (GOGC=100 lets the heap grow to twice what is live, a scan's
// GOGC=200 to three times: a table of 16 MB on the heap makes the peak RSS
// ~32–48 MB higher, off it 16 MB). It
// falls back to the heap when the mapping fails; mapped tells free which.
func allocSlots(n int) (s []uint64, mapped bool) {
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil || len(b) != n*8 {
		return make([]uint64, n), false
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), n), true
}

// freeSlots releases a table from allocSlots.
func freeSlots(s []uint64, mapped bool) {
	if !mapped || len(s) == 0 {
		return
	}
	_ = syscall.Munmap(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*8))
}
