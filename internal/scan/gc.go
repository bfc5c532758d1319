package scan

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// BatchGCPercent is the collector's target for a batch scan while its live
// heap is small: the heap may grow to three times what is live before a
// collection, not twice (Go's default GOGC=100). A scan's live heap is
// usually small and flat (the runs being filled, the open windows, the
// correlation state), so this costs a few tens of MB and saves
// collections: `bench stage scan`, 1 GB, one core, three alternating
// rounds: 15.6 s and 116 MiB against 17.5 s and 84 MiB.
const BatchGCPercent = 200

// BatchGCLive is the live heap past which TuneGC goes back to GOGC=100,
// so that a scan holding much (a rule with a window open for each of
// 100,000 keys) does not hold three times that: the old bench dataset's
// 5 GB, where a session rule keeps that many windows open, two cores:
// peak RSS 832 MiB with GOGC=200 throughout, 609 MiB with GOGC=100.
const BatchGCLive = 64 << 20

// TuneGC sets BatchGCPercent unless GOGC is set in the environment (which
// then decides), and watches the live heap until stop is called: past
// BatchGCLive it sets GOGC=100 for the rest of the process. Call it once,
// before a batch scan.
func TuneGC() (stop func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	debug.SetGCPercent(BatchGCPercent)
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > BatchGCLive {
				debug.SetGCPercent(100)
				return
			}
		}
	}()
	return func() { close(done) }
}
