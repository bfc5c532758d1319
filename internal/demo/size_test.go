package demo

import (
	"encoding/json"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// peakHeap runs fn while sampling the heap and returns the largest
// HeapInuse seen.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	return peak.Load()
}

func TestSizeScaling(t *testing.T) {
	const target = 20 << 20
	var m *Manifest
	start := time.Now()
	peakBig := peakHeap(func() { m = generate(t, Options{Dir: t.TempDir(), Seed: 2, Size: target}) })
	took := time.Since(start)
	if m.Bytes < target*8/10 || m.Bytes > target*12/10 {
		t.Errorf("Size %d gave %d bytes, want within 20%%", target, m.Bytes)
	}
	if !raceEnabled && took > 10*time.Second {
		t.Errorf("generating %d bytes took %v, want < 10s", m.Bytes, took)
	}
	peakSmall := peakHeap(func() { generate(t, Options{Dir: t.TempDir(), Seed: 2, Size: target / 4}) })
	t.Logf("%d bytes in %v; peak heap %d MiB (vs %d MiB for a quarter of the size)", m.Bytes, took, peakBig>>20, peakSmall>>20)
	if peakBig > peakSmall+24<<20 {
		t.Errorf("memory grows with size: peak heap %d MiB for %d bytes, %d MiB for a quarter", peakBig>>20, m.Bytes, peakSmall>>20)
	}
}

func TestSignInHeavy(t *testing.T) {
	m := generate(t, Options{Dir: t.TempDir(), Seed: 2, Users: 30, Days: 3, Size: 12 << 20, SignInHeavy: true})
	var signIns int64
	for _, f := range m.Files {
		if f.Kind == "entra_signin" {
			signIns += f.Bytes
		}
	}
	if signIns < m.Bytes*6/10 {
		t.Errorf("sign-in heavy run: %d of %d bytes are sign-ins", signIns, m.Bytes)
	}
	if m.Bytes < 9<<20 || m.Bytes > 15<<20 {
		t.Errorf("sign-in heavy run wrote %d bytes, want about %d", m.Bytes, 12<<20)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, bc := range []struct {
		name string
		opt  Options
	}{
		{"default", Options{Seed: 1}},
		{"size-64MiB", Options{Seed: 1, Size: 64 << 20}},
		{"signin-heavy-64MiB", Options{Seed: 1, Size: 64 << 20, SignInHeavy: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int64
			for b.Loop() {
				opt := bc.opt
				opt.Dir = b.TempDir()
				m, err := Generate(opt)
				if err != nil {
					b.Fatal(err)
				}
				n = m.Bytes
			}
			b.SetBytes(n)
		})
	}
}

// FuzzJSONString checks the JSON string writer against encoding/json.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnewline\n", "en\u2013dash ", "\x00\x1f", "\xff invalid", "\u00a0nbsp", "emoji 🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, b, err)
		}
		want := string([]rune(s)) // invalid UTF-8 becomes U+FFFD, as encoding/json does
		if got != want {
			t.Fatalf("round trip of %q gave %q", s, got)
		}
	})
}
