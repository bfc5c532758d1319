package bench

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// sigmaDir is the SigmaHQ checkout beside the repository.
var sigmaDir = filepath.Join("..", "..", "..", "shared", "data", "sigma", "sigmahq")

// benchSize is the size of the Go benchmarks' dataset: big enough for the
// scan pipeline's fixed costs to fade, small enough to generate in seconds.
const benchSize = 50_000_000

var (
	benchOnce sync.Once
	benchDS   *Dataset
	benchErr  error
	benchDir  string
)

// benchDataset generates the Go benchmarks' dataset once per test binary,
// in a directory removed by TestMain.
func benchDataset(b *testing.B) *Dataset {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "idsentry-bench-test-")
		if benchErr == nil {
			benchDS, benchErr = Generate(DatasetOptions{Dir: benchDir, Size: benchSize})
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDS
}

// benchRules loads the built-in pack and the SigmaHQ rules (when the
// shared data is present).
func benchRules(b *testing.B) *Rules {
	b.Helper()
	dir := sigmaDir
	if _, err := os.Stat(dir); err != nil {
		b.Logf("SigmaHQ corpus not found at %s (shared data absent): built-in pack only", dir)
		dir = ""
	}
	r, err := LoadRules(dir)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkScanPipeline measures the scan path (scan.Run reading and
// normalising on GOMAXPROCS workers, detect matching with the built-in pack
// and every SigmaHQ rule idsentry reads, then correlation and alerts) on a
// generated ~50 MB file of Azure Monitor sign-in records, beside the
// baselines in the same run: fastjson parsing only, and the naive evaluator
// (encoding/json into maps and an AST interpreter over the same rules).
// Compare the MB/s of the sub-benchmarks, one core:
//
//	go test ./internal/bench -run '^$' -bench . -benchmem -cpu 1
func BenchmarkScanPipeline(b *testing.B) {
	ds := benchDataset(b)
	rules := benchRules(b)
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(ds.Bytes)
		for b.Loop() {
			var res StageResult
			if err := scanFile(context.Background(), ds.NDJSON, rules.Pack, false, &res); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("scan-gzip", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(ds.Bytes)
		for b.Loop() {
			var res StageResult
			if err := scanFile(context.Background(), ds.Gzip, rules.Pack, false, &res); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(ds.Bytes)
		for b.Loop() {
			var res StageResult
			if err := parseOnly(ds.NDJSON, &res); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("naive", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(ds.Bytes)
		for b.Loop() {
			var res StageResult
			if err := naive(ds.NDJSON, rules, &res); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoadRules measures loading and compiling the built-in pack and
// the SigmaHQ rules: a fixed cost of every scan.
func BenchmarkLoadRules(b *testing.B) {
	dir := sigmaDir
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("SigmaHQ corpus not found at %s (shared data absent)", dir)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadRules(dir); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild(os.Args[1:]))
	}
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}
