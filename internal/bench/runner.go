package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
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
// process, and returns the report. With Options.Repeat, every stage runs
// that many times in interleaved rounds (a, b, …, f, then a, b, … again),
// so a burst of other work on the machine spoils one run of several stages
// rather than every run of one.
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
	rep.Rows = []Row{
		{ID: RowRaw, Label: "(a) raw read (newline count)", Cores: 1, Input: "ndjson"},
		{ID: RowParse, Label: "(b) fastjson parse only", Cores: 1, Input: "ndjson"},
		{ID: RowNaive, Label: "(c) naive: encoding/json + AST interpreter", Cores: 1, Input: "ndjson"},
		{ID: RowJq, Label: "(d) jq select(errorCode==65004)", Cores: 1, Input: "ndjson"},
		{ID: RowIngest, Label: "(e0) idsentry scan, no rules (read + normalise)", Cores: 1, Input: "ndjson"},
		{ID: RowMatch, Label: "(em) idsentry scan, rules run, matches dropped", Cores: 1, Input: "ndjson"},
		{ID: RowScan1, Label: "(e) idsentry scan", Cores: 1, Input: "ndjson"},
		{ID: RowScanN, Label: "(e) idsentry scan", Cores: cores, Input: "ndjson"},
		{ID: RowGzip1, Label: "(f) idsentry scan, gzip", Cores: 1, Input: "gzip"},
		{ID: RowGzipN, Label: "(f) idsentry scan, gzip", Cores: cores, Input: "gzip"},
	}
	stages := map[string]StageOptions{
		RowRaw:    {Name: StageRaw, File: ds.NDJSON},
		RowParse:  {Name: StageParse, File: ds.NDJSON},
		RowNaive:  {Name: StageNaive, File: ds.NDJSON, Sigma: o.Sigma},
		RowIngest: {Name: StageIngest, File: ds.NDJSON},
		RowMatch:  {Name: StageMatch, File: ds.NDJSON, Sigma: o.Sigma},
		RowScan1:  {Name: StageScan, File: ds.NDJSON, Sigma: o.Sigma},
		RowScanN:  {Name: StageScan, File: ds.NDJSON, Sigma: o.Sigma},
		RowGzip1:  {Name: StageScan, File: ds.Gzip, Sigma: o.Sigma},
		RowGzipN:  {Name: StageScan, File: ds.Gzip, Sigma: o.Sigma},
	}
	jq, why := o.jqPath()
	if err := o.rounds(ctx, rep.Rows, logf, func(round int, row *Row) (*StageResult, error) {
		if row.ID == RowJq {
			if jq == "" {
				row.Skipped = why
				return nil, nil
			}
			return runJq(ctx, jq, ds)
		}
		prof := ""
		if round == 0 {
			prof = row.ID
		}
		return o.child(ctx, stages[row.ID], row.Cores == 1, prof)
	}); err != nil {
		return nil, err
	}

	logf("running the correlation state stage…")
	users := o.CorrUsers
	if users <= 0 {
		users = DefaultCorrUsers
	}
	// A memory and bounds check: one run says it.
	corr, err := o.child(ctx, StageOptions{Name: StageCorr, Users: users}, true, "")
	var stop *stoppedError
	switch {
	case errors.As(err, &stop):
		rep.CorrStopped = stop.Error()
	case err != nil:
		return nil, fmt.Errorf("correlation stage: %w", err)
	default:
		corr.Runs = 1
		rep.Corr = corr
	}

	if o.Scaling {
		if rep.Scaling, err = o.scaling(ctx, dir, ds, logf); err != nil {
			return nil, err
		}
	}
	rep.Elapsed = time.Since(rep.Started)
	rep.Targets = rep.check()
	return rep, nil
}

// scaling scans a dataset ScaleSize bytes big (default 5 × Size), and both
// datasets without the duplicate-record set.
func (o *Options) scaling(ctx context.Context, dir string, ds *Dataset, logf func(string, ...any)) (*Scaling, error) {
	big := o.ScaleSize
	if big <= 0 {
		big = 5 * o.Size
	}
	logf("scaling: a dataset of %s…", human(big))
	ds2, err := dataset(filepath.Join(dir, "size-"+strconv.FormatInt(big, 10)), DatasetOptions{Size: big, Users: o.Users, NoGzip: true})
	if err != nil {
		return nil, err
	}
	if o.Keep == "" {
		defer os.RemoveAll(filepath.Dir(ds2.NDJSON))
	}
	cores := runtime.NumCPU()
	sc := &Scaling{Dataset: ds2}
	stages := map[string]StageOptions{
		RowScan1:        {Name: StageScan, File: ds2.NDJSON, Sigma: o.Sigma},
		RowScanN:        {Name: StageScan, File: ds2.NDJSON, Sigma: o.Sigma},
		RowNoDedupSmall: {Name: StageScan, File: ds.NDJSON, Sigma: o.Sigma, NoDedup: true},
		RowNoDedupBig:   {Name: StageScan, File: ds2.NDJSON, Sigma: o.Sigma, NoDedup: true},
	}
	sc.Rows = []Row{
		{ID: RowScan1, Label: "(e) idsentry scan at " + human(ds2.Bytes), Cores: 1, Input: "ndjson"},
		{ID: RowScanN, Label: "(e) idsentry scan at " + human(ds2.Bytes), Cores: cores, Input: "ndjson"},
		{ID: RowNoDedupSmall, Label: "(e) idsentry scan --no-dedup at " + human(ds.Bytes), Cores: 1, Input: "ndjson"},
		{ID: RowNoDedupBig, Label: "(e) idsentry scan --no-dedup at " + human(ds2.Bytes), Cores: 1, Input: "ndjson"},
	}
	err = o.rounds(ctx, sc.Rows, logf, func(_ int, row *Row) (*StageResult, error) {
		return o.child(ctx, stages[row.ID], row.Cores == 1, "")
	})
	return sc, err
}

// rounds runs every row Repeat times in interleaved rounds, keeping for
// each row the run with the least wall time and the largest peak RSS. A
// row stopped for its memory, or skipped, is not run again.
func (o *Options) rounds(ctx context.Context, rows []Row, logf func(string, ...any), run func(round int, row *Row) (*StageResult, error)) error {
	n := max(o.Repeat, 1)
	for round := range n {
		for i := range rows {
			row := &rows[i]
			if row.Stopped || row.Skipped != "" {
				continue
			}
			logf("round %d/%d: %s on %d core(s)…", round+1, n, row.Label, row.Cores)
			res, err := run(round, row)
			if err := row.stopped(err); err != nil {
				return fmt.Errorf("%s: %w", row.Label, err)
			}
			if res == nil {
				continue
			}
			best := row.Result
			switch {
			case best == nil:
				res.Runs = 1
				row.Result = res
			case res.Wall < best.Wall:
				res.Runs, res.MaxRSS = best.Runs+1, max(res.MaxRSS, best.MaxRSS)
				row.Result = res
			default:
				best.Runs++
				best.MaxRSS = max(best.MaxRSS, res.MaxRSS)
			}
		}
	}
	return nil
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
