package bench

import (
	"errors"
	"fmt"
	"github.com/idsentry/idsentry/internal/scan"
	"io"
	"os"
	"strings"
	"time"
)

// Row IDs.
const (
	RowRaw   = "a"
	RowParse = "b"
	RowNaive = "c"
	RowJq    = "d"
	// RowIngest is the scan's reading path with no rules (StageIngest).
	RowIngest = "e0"
	// RowMatch is the reading path with the rules evaluated and the
	// matches dropped (StageMatch).
	RowMatch = "em"
	RowScan1 = "e1"
	RowScanN = "eN"
	RowGzip1 = "f1"
	RowGzipN = "fN"
	// Scaling rows without the duplicate-record set, at both sizes.
	RowNoDedupSmall = "e1-nodedup-1x"
	RowNoDedupBig   = "e1-nodedup-5x"
)

// Report is the outcome of a benchmark run.
type Report struct {
	Machine Machine       `json:"machine"`
	Started time.Time     `json:"started"`
	Elapsed time.Duration `json:"elapsed_ns"`
	Size    int64         `json:"size"`
	Sigma   string        `json:"sigma,omitempty"`
	Dataset *Dataset      `json:"dataset"`
	Rows    []Row         `json:"rows"`
	// Corr is the correlation state stage; CorrStopped says why it has no
	// result.
	Corr        *StageResult `json:"corr"`
	CorrStopped string       `json:"corr_stopped,omitempty"`
	// Scaling holds the second-size runs (--scaling).
	Scaling *Scaling `json:"scaling,omitempty"`
	Targets []Target `json:"targets"`
}

// Row is one measured stage.
type Row struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Cores int    `json:"cores"`
	// Input is "ndjson" or "gzip".
	Input  string       `json:"input"`
	Result *StageResult `json:"result,omitempty"`
	// Skipped says why the stage did not run (jq absent) or was stopped
	// (Stopped: over Options.MaxRSS).
	Skipped string `json:"skipped,omitempty"`
	Stopped bool   `json:"stopped,omitempty"`
}

// stopped records a stage stopped for its memory in the row and returns any
// other error.
func (r *Row) stopped(err error) error {
	var stop *stoppedError
	if errors.As(err, &stop) {
		r.Result, r.Skipped, r.Stopped = nil, stop.Error(), true
		return nil
	}
	return err
}

// MBps is the throughput in decoded megabytes (10^6 bytes) per second of
// wall time.
func (r *Row) MBps() float64 {
	if r.Result == nil || r.Result.Wall <= 0 {
		return 0
	}
	return float64(r.Result.Bytes) / 1e6 / r.Result.Wall.Seconds()
}

// RecordsPerSec is the records per second of wall time.
func (r *Row) RecordsPerSec() float64 {
	if r.Result == nil || r.Result.Wall <= 0 {
		return 0
	}
	return float64(r.Result.Records) / r.Result.Wall.Seconds()
}

// Scaling is the second-size measurement.
type Scaling struct {
	Dataset *Dataset `json:"dataset"`
	Rows    []Row    `json:"rows"`
}

// Target is one target of issue 6 checked against the run.
type Target struct {
	Name string `json:"name"`
	// Met is nil when the target could not be checked (Detail says why).
	Met    *bool  `json:"met"`
	Detail string `json:"detail"`
}

// row returns the row with the given ID, or nil.
func (rep *Report) row(id string) *Row {
	for i := range rep.Rows {
		if rep.Rows[i].ID == id && rep.Rows[i].Result != nil {
			return &rep.Rows[i]
		}
	}
	return nil
}

// row returns the scaling row with the given ID, or nil.
func (sc *Scaling) row(id string) *Row {
	for i := range sc.Rows {
		if sc.Rows[i].ID == id && sc.Rows[i].Result != nil {
			return &sc.Rows[i]
		}
	}
	return nil
}

// WriteTable prints the report for people.
func (rep *Report) WriteTable(w io.Writer) error {
	p := &errWriter{w: w}
	m := rep.Machine
	p.printf("idsentry bench — %s, took %s\n\n", rep.Started.Format(time.RFC3339), rep.Elapsed.Round(time.Second))
	p.printf("Machine   %s · %d cores · %s RAM · %s · %s/%s · load average %s at start\n", m.CPU, m.Cores, mib(m.Memory), m.Go, m.OS, m.Arch, m.Load)
	if ds := rep.Dataset; ds != nil {
		p.printf("Dataset   %s NDJSON: %s Azure Monitor sign-in records (%.0f bytes each on average), gzip copy %s; demo tenant seed %d, %d users\n",
			human(ds.Bytes), count(ds.Records), float64(ds.Bytes)/float64(max(ds.Records, 1)), human(ds.GzipBytes), ds.Seed, ds.Users)
	}
	src := "the built-in pack"
	if rep.Sigma != "" {
		src += " + every SigmaHQ rule for azure, m365, aws and kubernetes"
	}
	compiled := ""
	for _, id := range []string{RowScan1, RowScanN, RowGzip1, RowGzipN} {
		if e := rep.row(id); e != nil {
			compiled = fmt.Sprintf(": %d compiled detections and correlations", e.Result.Rules)
			break
		}
	}
	p.printf("Rules     %s%s (the naive baseline interprets %d of them on sign-ins)\n", src, compiled, rep.naiveRules())
	p.printf("\nEach stage runs in its own child process%s.\n", rep.runsNote())
	p.printf("MB/s, records/s: decoded input over the child's wall time (process start and rule loading, the setup column, included);\n")
	p.printf("CPU: its user + system time; peak RSS: its VmHWM; vs (x): this row's MB/s over row x's;\n")
	p.printf("matches: rule matches for (c) and (em), base rules of correlations included; reported hits for (e) and (f); records for (d).\n")
	if g, set := os.LookupEnv("GOGC"); set {
		p.printf("Every row runs with GOGC=%s, set in the environment.\n\n", g)
	} else {
		p.printf("The idsentry rows (e0, em, e, f) run with the collector target idsentry scan sets (GOGC=%d while the live heap is under %d MiB), (b) and (c) with Go's default (100).\n\n", scan.BatchGCPercent, scan.BatchGCLive>>20)
	}
	width := len("stage")
	for _, r := range rep.allRows() {
		width = max(width, len([]rune(r.label)))
	}
	p.printf("%-*s %5s %8s %11s %9s %8s %8s %6s %9s %7s %7s %7s %7s\n", width, "stage", "cores", "MB/s", "records/s",
		"peak RSS", "wall", "CPU", "setup", "matches", "vs (a)", "vs (b)", "vs (c)", "vs (d)")
	for _, x := range rep.allRows() {
		r := x.row
		p.printf("%s%s %5d ", x.label, strings.Repeat(" ", width-len([]rune(x.label))), r.Cores)
		if r.Result == nil {
			p.printf("%8s\n", r.Skipped)
			continue
		}
		p.printf("%8.1f %11s %9s %8s %8s %6s %9s", r.MBps(), count(int64(r.RecordsPerSec())), mib(r.Result.MaxRSS),
			seconds(r.Result.Wall), seconds(r.Result.CPU), seconds(r.Result.Setup), count(r.Result.Matches))
		if x.scaled {
			p.printf("\n")
			continue
		}
		for _, id := range []string{RowRaw, RowParse, RowNaive, RowJq} {
			if o := rep.row(id); o != nil && o.MBps() > 0 {
				p.printf(" %7s", ratio(r.MBps()/o.MBps()))
			} else {
				p.printf(" %7s", "–")
			}
		}
		p.printf("\n")
	}
	if c := rep.Corr; c != nil && c.Corr != nil {
		cr := c.Corr
		p.printf("\nCorrelation state: %s distinct users (%s events) through an event_count and a value_count correlation in a Stream,\n",
			count(int64(cr.Users)), count(cr.Events))
		p.printf("all inside one window: peak %s live keys (cap %s per correlation), key overflow %s, distinct overflow %s (cap %s per key),\n",
			count(int64(cr.PeakKeys)), count(int64(cr.MaxKeys)), count(cr.Stats.KeyOverflow), count(cr.Stats.DistinctOverflow), count(int64(cr.MaxDistinct)))
		perKey := 0.0
		if cr.PeakKeys > 0 {
			perKey = float64(cr.PeakHeap) / float64(cr.PeakKeys)
		}
		p.printf("%s matches, %s hits; peak live heap %s (%.0f bytes per live key), peak RSS %s; %s.\n", count(cr.Stats.Matches),
			count(c.Matches), mib(int64(cr.PeakHeap)), perKey, mib(c.MaxRSS), seconds(c.Wall))
	}
	if rep.CorrStopped != "" {
		p.printf("\nCorrelation state: %s.\n", rep.CorrStopped)
	}
	p.printf("\nTargets (issue 6)\n")
	for _, t := range rep.Targets {
		mark := "–"
		if t.Met != nil {
			mark = map[bool]string{true: "✓", false: "✗"}[*t.Met]
		}
		p.printf("  %s %-52s %s\n", mark, t.Name, t.Detail)
	}
	if e0, e1, b := rep.row(RowIngest), rep.row(RowScan1), rep.row(RowParse); e0 != nil && e1 != nil && b != nil {
		p.printf("\nFloor: reading and normalising alone (e0), 1 core, runs at %.0f MB/s = %.0f%% of (b); the scan (e) at %.0f%% of that.\n",
			e0.MBps(), 100*e0.MBps()/b.MBps(), 100*e1.MBps()/e0.MBps())
		if em := rep.row(RowMatch); em != nil {
			p.printf("Evaluating the rules with every match dropped (em) runs at %.0f MB/s = %.0f%% of (b): a bound on (e), which does all of that and then works on its matches.\n",
				em.MBps(), 100*em.MBps()/b.MBps())
		}
	}
	return p.err
}

// labelled is a row with the label it is printed with.
type labelled struct {
	row    *Row
	label  string
	scaled bool
}

// allRows lists the rows to print: the main ones, then the scaling runs.
func (rep *Report) allRows() []labelled {
	var out []labelled
	for i := range rep.Rows {
		out = append(out, labelled{row: &rep.Rows[i], label: rep.Rows[i].Label})
	}
	if sc := rep.Scaling; sc != nil {
		for i := range sc.Rows {
			out = append(out, labelled{row: &sc.Rows[i], label: sc.Rows[i].Label, scaled: true})
		}
	}
	return out
}

// seconds formats a duration in seconds.
func seconds(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

// runsNote says how many runs each figure is the best of.
func (rep *Report) runsNote() string {
	if r := rep.row(RowRaw); r != nil && r.Result.Runs > 1 {
		return fmt.Sprintf(", %d times in interleaved rounds: figures from the run with the least wall time, peak RSS the largest", r.Result.Runs)
	}
	return ""
}

// naiveRules is the number of rules the naive baseline ran.
func (rep *Report) naiveRules() int {
	if r := rep.row(RowNaive); r != nil {
		return r.Result.Rules
	}
	return 0
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

// ratio formats a speed ratio.
func ratio(r float64) string {
	switch {
	case r >= 10:
		return fmt.Sprintf("%.0f×", r)
	case r >= 0.1:
		return fmt.Sprintf("%.2f×", r)
	}
	return fmt.Sprintf("%.3f×", r)
}

// mib formats bytes as MiB (or GiB).
func mib(n int64) string {
	if n >= 10<<30 {
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}

// human formats a byte count in decimal units.
func human(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// count formats an integer with thousands separators.
func count(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
