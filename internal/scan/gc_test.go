package scan

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestTuneGC: GOGC=200 while the live heap is small, 100 once it passes
// BatchGCLive; nothing when GOGC is set.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	if v, set := os.LookupEnv("GOGC"); set {
		os.Unsetenv("GOGC")
		defer os.Setenv("GOGC", v)
	}
	stop := TuneGC()
	defer stop()
	if got := gogc(); got != BatchGCPercent {
		t.Fatalf("GOGC %d after TuneGC, want %d", got, BatchGCPercent)
	}
	time.Sleep(120 * time.Millisecond)
	if got := gogc(); got != BatchGCPercent {
		t.Fatalf("GOGC %d with a small heap, want %d", got, BatchGCPercent)
	}
	live := make([][]byte, 0, 100)
	for i := 0; i < 100; i++ {
		live = append(live, make([]byte, 1<<20))
	}
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for gogc() != 100 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := gogc(); got != 100 {
		t.Fatalf("GOGC %d with %d MiB live, want 100", got, len(live))
	}
	runtime.KeepAlive(live)

	debug.SetGCPercent(100)
	os.Setenv("GOGC", "150")
	defer os.Unsetenv("GOGC")
	TuneGC()()
	if got := gogc(); got != 100 {
		t.Fatalf("GOGC set in the environment: TuneGC changed the target to %d", got)
	}
}
