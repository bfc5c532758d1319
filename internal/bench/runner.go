package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Options configure a benchmark run.
type Options struct {
	// Size is the target size of the NDJSON dataset in bytes.
	Size int64
	// Keep, when set, is the directory the dataset is written to and left
	// in; otherwise a temporary directory is used and removed. A dataset
	// already in Keep with the requested size is reused.
	Keep string
	// Sigma is the SigmaHQ checkout whose rules run beside the built-in
	// pack ("" for the built-in pack only).
	Sigma string
	// Scaling also scans a second dataset of ScaleSize bytes (default
	// 5 × Size) to compare peak RSS.
	Scaling   bool
	ScaleSize int64
	// CorrUsers is the number of distinct users of the correlation stage
	// (default DefaultCorrUsers).
	CorrUsers int
	// Users is the demo tenant's size (0 picks one from Size).
	Users int
	// Exe and StageArgs start a stage child: Exe StageArgs... [flags] NAME
	// FILE. Env is added to the child's environment.
	Exe       string
	StageArgs []string
	Env       []string
	// Repeat runs every measured stage this many times (default 1) and
	// keeps the run with the least wall time: on a shared machine the
	// fastest run is the one least disturbed by other work.
	Repeat int
	// Jq is the jq executable ("" looks it up on PATH; "-" skips (d)).
	Jq string
	// ProfileDir, when set, receives CPU and allocation profiles of the
	// scan stages (scan-1.cpu.pprof, scan-1.mem.pprof, …).
	ProfileDir string
	// MaxRSS stops a stage whose resident set grows past it (default
	// DefaultMaxRSS): the row then says so, instead of the machine running
	// out of memory.
	MaxRSS int64
	// Log receives progress lines (nil: none).
	Log io.Writer
}

// DefaultMaxRSS is the default Options.MaxRSS: far above the 300 MiB
// target, far below a laptop's memory.
const DefaultMaxRSS = 4 << 30

// stoppedError reports a stage stopped for its memory.
type stoppedError struct {
	rss   int64
	after time.Duration
}

func (e *stoppedError) Error() string {
	return fmt.Sprintf("stopped at %s RSS after %s (--max-rss)", mib(e.rss), seconds(e.after))
}

// Run generates the dataset and measures every stage, each in a child
// process, and returns the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Exe == "" {
		return nil, errors.New("bench: no executable to run stages with")
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	rep := &Report{Machine: ReadMachine(), Started: time.Now().UTC(), Size: o.Size, Sigma: o.Sigma}
	dir, cleanup, err := workDir(o.Keep)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	logf("generating %s of Azure Monitor sign-in records with the demo tenant generator…", human(o.Size))
	ds, err := dataset(filepath.Join(dir, "size-"+strconv.FormatInt(o.Size, 10)), DatasetOptions{Size: o.Size, Users: o.Users})
	if err != nil {
		return nil, err
	}
	rep.Dataset = ds
	logf("dataset: %s, %d records (%.0f B each), gzip %s, in %s", ds.NDJSON, ds.Records, float64(ds.Bytes)/float64(max(ds.Records, 1)),
		human(ds.GzipBytes), ds.Elapsed.Round(time.Millisecond))

	cores := runtime.NumCPU()
	type plan struct {
		row   Row
		stage string
		file  string
		one   bool
	}
	plans := []plan{
		{Row{ID: RowRaw, Label: "(a) raw read (newline count)", Cores: 1, Input: "ndjson"}, StageRaw, ds.NDJSON, true},
		{Row{ID: RowParse, Label: "(b) fastjson parse only", Cores: 1, Input: "ndjson"}, StageParse, ds.NDJSON, true},
		{Row{ID: RowNaive, Label: "(c) naive: encoding/json + AST interpreter", Cores: 1, Input: "ndjson"}, StageNaive, ds.NDJSON, true},
		{Row{ID: RowJq, Label: "(d) jq select(errorCode==65004)", Cores: 1, Input: "ndjson"}, "jq", ds.NDJSON, true},
		{Row{ID: RowScan1, Label: "(e) idsentry scan", Cores: 1, Input: "ndjson"}, StageScan, ds.NDJSON, true},
		{Row{ID: RowScanN, Label: "(e) idsentry scan", Cores: cores, Input: "ndjson"}, StageScan, ds.NDJSON, false},
		{Row{ID: RowGzip1, Label: "(f) idsentry scan, gzip", Cores: 1, Input: "gzip"}, StageScan, ds.Gzip, true},
		{Row{ID: RowGzipN, Label: "(f) idsentry scan, gzip", Cores: cores, Input: "gzip"}, StageScan, ds.Gzip, false},
	}
	for _, p := range plans {
		row := p.row
		logf("running %s on %d core(s)…", row.Label, row.Cores)
		if p.stage == "jq" {
			row.Result, row.Skipped, err = o.runJq(ctx, ds)
		} else {
			row.Result, err = o.child(ctx, StageOptions{Name: p.stage, File: p.file, Sigma: o.Sigma}, p.one, row.ID)
		}
		if err := row.stopped(err); err != nil {
			return nil, fmt.Errorf("%s: %w", row.Label, err)
		}
		rep.Rows = append(rep.Rows, row)
	}

	logf("running the correlation state stage…")
	users := o.CorrUsers
	if users <= 0 {
		users = DefaultCorrUsers
	}
	once := o
	once.Repeat = 1 // a memory and bounds check: one run says it
	corr, err := once.child(ctx, StageOptions{Name: StageCorr, Users: users}, true, "")
	var stop *stoppedError
	switch {
	case errors.As(err, &stop):
		rep.CorrStopped = stop.Error()
	case err != nil:
		return nil, fmt.Errorf("correlation stage: %w", err)
	default:
		rep.Corr = corr
	}

	if o.Scaling {
		big := o.ScaleSize
		if big <= 0 {
			big = 5 * o.Size
		}
		logf("scaling: generating %s…", human(big))
		ds2, err := dataset(filepath.Join(dir, "size-"+strconv.FormatInt(big, 10)), DatasetOptions{Size: big, Users: o.Users, NoGzip: true})
		if err != nil {
			return nil, err
		}
		sc := &Scaling{Dataset: ds2}
		runs := []struct {
			id      string
			ds      *Dataset
			one     bool
			noDedup bool
		}{
			{RowScan1, ds2, true, false},
			{RowScanN, ds2, false, false},
			{RowNoDedupSmall, ds, true, true},
			{RowNoDedupBig, ds2, true, true},
		}
		for _, x := range runs {
			c := cores
			if x.one {
				c = 1
			}
			label := "(e) idsentry scan"
			if x.noDedup {
				label += " --no-dedup"
			}
			label += " at " + human(x.ds.Bytes)
			logf("scaling: %s on %d core(s)…", label, c)
			row := Row{ID: x.id, Label: label, Cores: c, Input: "ndjson"}
			row.Result, err = o.child(ctx, StageOptions{Name: StageScan, File: x.ds.NDJSON, Sigma: o.Sigma, NoDedup: x.noDedup}, x.one, "")
			if err := row.stopped(err); err != nil {
				return nil, fmt.Errorf("scaling run: %w", err)
			}
			sc.Rows = append(sc.Rows, row)
		}
		rep.Scaling = sc
		if o.Keep == "" {
			os.RemoveAll(filepath.Dir(ds2.NDJSON))
		}
	}
	rep.Elapsed = time.Since(rep.Started)
	rep.Targets = rep.check()
	return rep, nil
}

// dataset generates a dataset in dir, or reuses the one already there when
// its size matches.
func dataset(dir string, opts DatasetOptions) (*Dataset, error) {
	meta := filepath.Join(dir, "dataset.json")
	if data, err := os.ReadFile(meta); err == nil {
		var ds Dataset
		if json.Unmarshal(data, &ds) == nil && fileSize(ds.NDJSON) == ds.Bytes && (opts.NoGzip || fileSize(ds.Gzip) == ds.GzipBytes) {
			return &ds, nil
		}
	}
	opts.Dir = dir
	ds, err := Generate(opts)
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(ds, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(meta, data, 0o644); err != nil {
		return nil, err
	}
	return ds, nil
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// workDir returns the directory to work in and how to clean it up.
func workDir(keep string) (string, func(), error) {
	if keep != "" {
		if err := os.MkdirAll(keep, 0o755); err != nil {
			return "", nil, fmt.Errorf("--keep: %w", err)
		}
		return keep, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "idsentry-bench-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// child runs one stage in a child process Repeat times and keeps the
// fastest run. one sets GOMAXPROCS=1.
func (o *Options) child(ctx context.Context, so StageOptions, one bool, profile string) (*StageResult, error) {
	var best *StageResult
	var peak int64
	runs := max(o.Repeat, 1)
	for i := range runs {
		prof := ""
		if i == 0 {
			prof = profile
		}
		r, err := o.childOnce(ctx, so, one, prof)
		if err != nil {
			return nil, err
		}
		peak = max(peak, r.MaxRSS)
		if best == nil || r.Wall < best.Wall {
			best = r
		}
	}
	best.MaxRSS, best.Runs = peak, runs
	return best, nil
}

// childOnce runs one stage in a child process and adds its wall time, CPU
// time and peak RSS.
func (o *Options) childOnce(ctx context.Context, so StageOptions, one bool, profile string) (*StageResult, error) {
	args := append([]string(nil), o.StageArgs...)
	if so.Sigma != "" {
		args = append(args, "--sigma", so.Sigma)
	}
	if so.Users > 0 {
		args = append(args, "--users", strconv.Itoa(so.Users))
	}
	if so.NoDedup {
		args = append(args, "--no-dedup")
	}
	if o.ProfileDir != "" && profile != "" && so.Name == StageScan {
		args = append(args, "--cpuprofile", filepath.Join(o.ProfileDir, profile+".cpu.pprof"),
			"--memprofile", filepath.Join(o.ProfileDir, profile+".mem.pprof"))
	}
	args = append(args, so.Name)
	if so.File != "" {
		args = append(args, so.File)
	}
	cmd := exec.CommandContext(ctx, o.Exe, args...)
	cmd.Env = append(os.Environ(), o.Env...)
	if one {
		cmd.Env = append(cmd.Env, "GOMAXPROCS=1")
	} else {
		cmd.Env = append(cmd.Env, "GOMAXPROCS=")
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	limit := o.MaxRSS
	if limit <= 0 {
		limit = DefaultMaxRSS
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("stage %s: %w", so.Name, err)
	}
	over := watchRSS(cmd.Process, limit)
	err := cmd.Wait()
	wall := time.Since(start)
	if rss := over(); rss > 0 {
		return nil, &stoppedError{rss: rss, after: wall}
	}
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w: %s", so.Name, err, bytes.TrimSpace(stderr.Bytes()))
	}
	out := bytes.TrimSpace(stdout.Bytes())
	if i := bytes.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	var res StageResult
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("stage %s: bad report %q: %w", so.Name, out, err)
	}
	res.Wall, res.Runs = wall, 1
	var rss int64
	res.CPU, rss = usage(cmd.ProcessState)
	if res.MaxRSS <= 0 {
		res.MaxRSS = rss // no /proc: getrusage, an upper bound
	}
	return &res, nil
}

// usage is the CPU time (user + system) and getrusage maxrss in bytes of
// an exited child (which includes the parent's high-water mark; see
// peakRSS).
func usage(ps *os.ProcessState) (cpu time.Duration, rss int64) {
	if ps == nil {
		return 0, 0
	}
	cpu = ps.UserTime() + ps.SystemTime()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		rss = int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return cpu, rss
}

// jqFilter is the jq program of row (d): failed sign-ins with error 65004
// (user declined consent), on the Azure Monitor record shape.
const jqFilter = `select(.properties.status.errorCode==65004)`

// runJq runs row (d), or says why it was skipped.
func (o *Options) runJq(ctx context.Context, ds *Dataset) (*StageResult, string, error) {
	jq := o.Jq
	if jq == "-" {
		return nil, "skipped", nil
	}
	if jq == "" {
		p, err := exec.LookPath("jq")
		if err != nil {
			return nil, "jq not found on PATH", nil
		}
		jq = p
	}
	var best *StageResult
	for range max(o.Repeat, 1) {
		cmd := exec.CommandContext(ctx, jq, "-c", jqFilter, ds.NDJSON)
		lines := &lineCounter{}
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = lines, &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return nil, "", fmt.Errorf("jq: %w", err)
		}
		polled := pollPeakRSS(cmd.Process.Pid)
		err := cmd.Wait()
		wall := time.Since(start)
		if err != nil {
			return nil, "", fmt.Errorf("jq: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
		}
		r := &StageResult{Stage: "jq", Bytes: ds.Bytes, Records: ds.Records, Matches: lines.n, Elapsed: wall, Wall: wall}
		r.CPU, r.MaxRSS = usage(cmd.ProcessState)
		if peak := polled(); peak > 0 {
			r.MaxRSS = peak
		}
		if best == nil || r.Wall < best.Wall {
			if best != nil {
				r.MaxRSS = max(r.MaxRSS, best.MaxRSS)
			}
			best = r
		} else {
			best.MaxRSS = max(best.MaxRSS, r.MaxRSS)
		}
	}
	best.Runs = max(o.Repeat, 1)
	return best, "", nil
}

// watchRSS kills p when its resident set (VmRSS) passes limit. The
// returned function stops watching and returns the resident set p was
// stopped at, or 0.
func watchRSS(p *os.Process, limit int64) func() int64 {
	var (
		killed atomic.Int64
		stop   = make(chan struct{})
		done   = make(chan struct{})
	)
	id := strconv.Itoa(p.Pid)
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			if rss := procBytes(id, "VmRSS"); rss > limit {
				killed.Store(rss)
				p.Kill() //nolint:errcheck // it may have exited meanwhile
				return
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return killed.Load()
	}
}

// pollPeakRSS samples the peak resident set (VmHWM) of a running process
// every 10 ms; the returned function stops sampling and returns the last
// value read (0 without /proc). VmHWM only grows, so the last sample before
// the process exits is its peak, short of the final 10 ms.
func pollPeakRSS(pid int) func() int64 {
	var (
		mu   sync.Mutex
		peak int64
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	id := strconv.Itoa(pid)
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if v := peakRSS(id); v > 0 {
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// lineCounter counts the lines written to it.
type lineCounter struct{ n int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}
