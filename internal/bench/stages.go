package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/detect"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/normalize"
	"github.com/idsentry/idsentry/internal/scan"
	"github.com/valyala/fastjson"
)

// Stage names: what `idsentry bench stage NAME` runs.
const (
	StageRaw   = "raw"   // newline count with a big buffer
	StageParse = "parse" // fastjson ParseBytes per line, one parser
	StageNaive = "naive" // encoding/json into maps + an AST interpreter
	StageScan  = "scan"  // scan.Run + detect (the scan command's path)
	// StageIngest is scan.Run with no rules: reading, decoding,
	// de-duplicating and normalising, the floor under StageScan.
	StageIngest = "ingest"
	// StageMatch is StageIngest with every rule evaluated on every event
	// and the matches dropped: no per-match work, no correlation, no
	// alerts. What the scan costs before its matches cost anything.
	StageMatch = "match"
	StageCorr  = "corr" // 1 million distinct users through correlations
)

// StageOptions configure one stage run in a child process.
type StageOptions struct {
	// Name is the stage (StageRaw …).
	Name string
	// File is the input (unused by StageCorr).
	File string
	// Sigma is the SigmaHQ checkout for StageNaive and StageScan ("" runs
	// the built-in pack only).
	Sigma string
	// Users is the number of distinct users of StageCorr (default 1e6).
	Users int
	// NoDedup keeps records seen before (StageScan; scan.Options.NoDedup).
	NoDedup bool
	// CPUProfile and MemProfile, when set, receive pprof profiles of the
	// measured phase (the heap profile holds allocations since start).
	CPUProfile, MemProfile string
}

// StageResult is what a stage reports (as one JSON line on its standard
// output); the parent adds Wall and MaxRSS.
type StageResult struct {
	Stage string `json:"stage"`
	// Bytes and Records are the decoded input processed.
	Bytes   int64 `json:"bytes"`
	Records int64 `json:"records"`
	// Matches counts rule hits (naive, scan) or matching records (jq).
	Matches int64 `json:"matches"`
	// Alerts is the number of alerts a scan raised.
	Alerts int `json:"alerts,omitempty"`
	// Rules is the number of rules evaluated (naive: on sign-ins; scan:
	// compiled detections and correlations).
	Rules int `json:"rules,omitempty"`
	// Setup is the time spent before the measured phase (rule loading);
	// Elapsed the measured phase, both timed inside the child.
	Setup   time.Duration `json:"setup_ns"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// Corr holds the correlation stage's figures.
	Corr *CorrResult `json:"corr,omitempty"`
	// Wall is the child's wall time and CPU its user and system time,
	// measured by the parent; MaxRSS is its peak resident set in bytes, as
	// the child reads it (VmHWM; see peakRSS). With repeats: the run with
	// the least wall time, and the largest peak RSS.
	Wall   time.Duration `json:"wall_ns"`
	CPU    time.Duration `json:"cpu_ns"`
	MaxRSS int64         `json:"max_rss"`
	// Runs is the number of runs the figures were taken from.
	Runs int `json:"runs"`
}

// RunStage runs one stage in this process and returns what it measured.
func RunStage(ctx context.Context, o StageOptions) (*StageResult, error) {
	started := time.Now()
	res := &StageResult{Stage: o.Name}
	var measured func() error
	switch o.Name {
	case StageRaw:
		measured = func() error { return rawRead(o.File, res) }
	case StageParse:
		measured = func() error { return parseOnly(o.File, res) }
	case StageNaive:
		rules, err := LoadRules(o.Sigma)
		if err != nil {
			return nil, err
		}
		measured = func() error { return naive(o.File, rules, res) }
	case StageScan:
		rules, err := LoadRules(o.Sigma)
		if err != nil {
			return nil, err
		}
		measured = func() error { return scanFile(ctx, o.File, rules.Pack, o.NoDedup, res) }
	case StageIngest:
		measured = func() error { return ingestFile(ctx, o.File, o.NoDedup, res) }
	case StageMatch:
		rules, err := LoadRules(o.Sigma)
		if err != nil {
			return nil, err
		}
		measured = func() error { return matchFile(ctx, o.File, rules.Pack, o.NoDedup, res) }
	case StageCorr:
		measured = func() error { return correlate(o.Users, res) }
	default:
		return nil, fmt.Errorf("bench: unknown stage %q", o.Name)
	}
	switch o.Name {
	case StageScan, StageIngest, StageMatch:
		defer scan.TuneGC()() // as idsentry scan does
	}
	res.Setup = time.Since(started)
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	var peak *peakHeap
	if o.MemProfile != "" {
		// Finer than the default 512 KiB, so that a few MB of difference
		// between two profiles is not sampling noise.
		runtime.MemProfileRate = 64 << 10
		peak = watchHeap()
	}
	t := time.Now()
	err := measured()
	res.Elapsed = time.Since(t)
	if o.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return nil, err
	}
	res.MaxRSS = peakRSS("self")
	if o.MemProfile != "" {
		if err := writeHeapProfile(o.MemProfile); err != nil {
			return nil, err
		}
		if err := peak.write(o.MemProfile + ".peak"); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// peakHeap keeps the heap profile taken when the live heap (as of the last
// garbage collection) was largest: where the memory of a stage's peak RSS
// went, which the profile at the end no longer shows.
type peakHeap struct {
	stop chan struct{}
	done chan struct{}
	prof []byte
}

func watchHeap() *peakHeap {
	p := &peakHeap{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		var max uint64
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc <= max+max/10 {
				continue
			}
			max = ms.HeapAlloc
			var b bytes.Buffer
			if pprof.Lookup("heap").WriteTo(&b, 0) == nil {
				p.prof = b.Bytes()
			}
		}
	}()
	return p
}

// write stops the watch and writes the peak profile to path.
func (p *peakHeap) write(path string) error {
	close(p.stop)
	<-p.done
	if p.prof == nil {
		return nil
	}
	return os.WriteFile(path, p.prof, 0o644)
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readBuf is the read size of the line-oriented stages.
const readBuf = 4 << 20

// rawRead counts newlines.
func rawRead(path string, res *StageResult) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, readBuf)
	for {
		n, err := f.Read(buf)
		res.Bytes += int64(n)
		res.Records += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// eachLine calls fn with every non-empty line of an NDJSON file (the slice
// is valid during the call).
func eachLine(path string, res *StageResult, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, readBuf), 256<<20)
	for sc.Scan() {
		l := sc.Bytes()
		res.Bytes += int64(len(l)) + 1
		if len(l) == 0 {
			continue
		}
		res.Records++
		if err := fn(l); err != nil {
			return err
		}
	}
	return sc.Err()
}

// parseOnly parses every line with one fastjson parser.
func parseOnly(path string, res *StageResult) error {
	var p fastjson.Parser
	return eachLine(path, res, func(l []byte) error {
		if _, err := p.ParseBytes(l); err != nil {
			return fmt.Errorf("parse line %d: %w", res.Records, err)
		}
		return nil
	})
}

// naive runs the baseline evaluator over every line.
func naive(path string, rules *Rules, res *StageResult) error {
	n := NewNaive(rules.Parsed)
	res.Rules = n.Rules(signInKind)
	return eachLine(path, res, func(l []byte) error {
		hits, _ := n.Record(l)
		res.Matches += int64(hits)
		return nil
	})
}

// ingestFile runs the scan command's reading path over one file, events
// handed to no rule: what every scan pays before matching.
func ingestFile(ctx context.Context, path string, noDedup bool, res *StageResult) error {
	return runScan(ctx, path, scan.Options{NoDedup: noDedup}, res)
}

// matchFile runs the scan command's reading path over one file with every
// rule of pack evaluated on each event (compile.Matcher, as the scan's
// workers do) and the matches counted, then dropped. Its count is of rule
// matches, base rules of correlations included, where the scan's is of
// reported hits.
func matchFile(ctx context.Context, path string, pack *detect.Pack, noDedup bool, res *StageResult) error {
	var mu sync.Mutex
	var hs []*matchOnly
	err := runScan(ctx, path, scan.Options{
		NewHandler: func(int) scan.Handler {
			h := &matchOnly{m: pack.Set.NewMatcher()}
			h.count = func(*compile.Rule, []compile.FieldValue) { h.n++ }
			mu.Lock()
			hs = append(hs, h)
			mu.Unlock()
			return h
		},
		NoDedup: noDedup,
	}, res)
	for _, h := range hs {
		res.Matches += h.n
	}
	st := pack.Set.Stats()
	res.Rules = st.Detections + st.Correlations
	return err
}

// matchOnly is a scan.Handler (one per worker) that evaluates the rules
// and counts matches.
type matchOnly struct {
	m     *compile.Matcher
	n     int64
	count func(*compile.Rule, []compile.FieldValue) // made once: no closure per event
}

func (h *matchOnly) Event(ev *event.Event) { h.m.Match(ev, h.count) }

// runScan runs scan.Run over one file and records the bytes and records
// it read; a file it could not read is an error.
func runScan(ctx context.Context, path string, o scan.Options, res *StageResult) error {
	out, err := scan.Run(ctx, []string{path}, o)
	if err != nil {
		return err
	}
	for _, f := range out.Files {
		if f.Err != "" {
			return fmt.Errorf("scan %s: %s", f.Path, f.Err)
		}
	}
	res.Bytes, res.Records = out.Bytes, out.Records+out.Duplicates+out.Skipped+out.OutOfRange
	return nil
}

// scanFile runs the scan command's path over one file: scan.Run reading and
// normalising on GOMAXPROCS workers, each matching with a detect.Worker,
// then correlation, alert grouping and enrichment (Detector.Finish).
func scanFile(ctx context.Context, path string, pack *detect.Pack, noDedup bool, res *StageResult) error {
	var ro detect.RunOptions
	sp, err := event.NewSpill("")
	if err != nil {
		return err
	}
	defer sp.Close()
	sp.SetRender(normalize.Render)
	sp.SetReparse(normalize.Reparse)
	ro.Engine.Spill = sp
	ro.Engine.UniqueIDs = !noDedup
	det := pack.NewDetector(ro)
	err = runScan(ctx, path, scan.Options{
		NewHandler: func(w int) scan.Handler { return det.NewWorker(w) },
		NoDedup:    noDedup,
	}, res)
	if err != nil {
		return err
	}
	found := det.Finish()
	st := pack.Set.Stats()
	res.Matches, res.Alerts, res.Rules = int64(found.Hits), len(found.Alerts), st.Detections+st.Correlations
	return nil
}
