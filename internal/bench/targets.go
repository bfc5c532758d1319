package bench

import (
	"fmt"
	"strings"
)

// rssLimit is the peak RSS target of (e).
const rssLimit = 300 << 20

func verdict(ok bool) *bool { return &ok }

var failed = verdict(false)

// stoppedRow returns the row with the given ID when it was stopped for its
// memory, or nil.
func stoppedRow(rows []Row, id string) *Row {
	for i := range rows {
		if rows[i].ID == id && rows[i].Stopped {
			return &rows[i]
		}
	}
	return nil
}

// check evaluates the targets of issue 6. A stage stopped for its memory
// fails every target it takes part in.
func (rep *Report) check() []Target {
	var ts []Target
	e1, eN, b, c := rep.row(RowScan1), rep.row(RowScanN), rep.row(RowParse), rep.row(RowNaive)
	var unfinished []string
	for _, id := range []string{RowScan1, RowScanN} {
		if r := stoppedRow(rep.Rows, id); r != nil {
			unfinished = append(unfinished, fmt.Sprintf("%d core: %s", r.Cores, r.Skipped))
		}
	}
	dnf := "did not finish: " + strings.Join(unfinished, "; ")
	add := func(name string, need bool, met *bool, detail string) {
		if need && len(unfinished) > 0 {
			met, detail = failed, dnf
		}
		ts = append(ts, Target{Name: name, Met: met, Detail: detail})
	}
	switch {
	case e1 != nil && b != nil:
		r := e1.MBps() / b.MBps()
		add("(e) 1 core ≥ 40% of (b)", false, verdict(r >= 0.40), fmt.Sprintf("%.0f MB/s = %.0f%% of %.0f MB/s", e1.MBps(), 100*r, b.MBps()))
	case b != nil:
		add("(e) 1 core ≥ 40% of (b)", true, nil, "")
	}
	switch {
	case e1 != nil && c != nil:
		r := e1.MBps() / c.MBps()
		add("(e) 1 core ≥ 8× (c)", false, verdict(r >= 8), fmt.Sprintf("%.0f MB/s = %.1f× %.1f MB/s", e1.MBps(), r, c.MBps()))
	case c != nil:
		add("(e) 1 core ≥ 8× (c)", true, nil, "")
	}
	name := fmt.Sprintf("(e) all cores ≥ 1.8× one core (%d cores)", rep.Machine.Cores)
	switch {
	case e1 != nil && eN != nil && eN.Cores < 2:
		add(name, false, nil, "one core only: not checked")
	case e1 != nil && eN != nil:
		r := eN.MBps() / e1.MBps()
		add(name, false, verdict(r >= 1.8), fmt.Sprintf("%.0f MB/s = %.2f× %.0f MB/s", eN.MBps(), r, e1.MBps()))
	default:
		add(name, true, nil, "")
	}
	var peak int64
	var parts []string
	for _, r := range []*Row{e1, eN} {
		if r != nil {
			peak = max(peak, r.Result.MaxRSS)
			parts = append(parts, fmt.Sprintf("%d core: %s", r.Cores, mib(r.Result.MaxRSS)))
		}
	}
	add("(e) peak RSS ≤ 300 MiB", true, verdict(peak <= rssLimit), strings.Join(parts, ", "))
	ts = append(ts, rep.scalingTarget(e1, eN))
	ts = append(ts, rep.corrTarget())
	return ts
}

// corrTarget checks the correlation state stage.
func (rep *Report) corrTarget() Target {
	c := rep.Corr
	if c == nil || c.Corr == nil {
		return Target{Name: "correlation state bounded by its caps", Met: failed, Detail: "did not finish: " + rep.CorrStopped}
	}
	cr := c.Corr
	// Bounded: live keys never exceed the caps, and what the caps turned
	// away is counted rather than dropped silently.
	ok := cr.Bounded() && (cr.Users <= cr.MaxKeys || cr.Stats.KeyOverflow > 0) && cr.Stats.DistinctOverflow > 0
	return Target{Name: fmt.Sprintf("correlation state, %s users, bounded by its caps", count(int64(cr.Users))), Met: verdict(ok),
		Detail: fmt.Sprintf("peak %s live keys (cap %s × %d correlations); %s inputs over the key cap and %s values over the distinct cap, counted; peak RSS %s",
			count(int64(cr.PeakKeys)), count(int64(cr.MaxKeys)), cr.Correlations, count(cr.Stats.KeyOverflow), count(cr.Stats.DistinctOverflow), mib(c.MaxRSS))}
}

// scalingTarget compares peak RSS of (e) at the two sizes.
func (rep *Report) scalingTarget(e1, eN *Row) Target {
	t := Target{Name: "(e) peak RSS at 5× size ≤ 110% of 1×"}
	if rep.Scaling == nil || rep.Scaling.Dataset == nil {
		t.Detail = "not run (use --scaling)"
		return t
	}
	t.Name = fmt.Sprintf("(e) peak RSS at %s ≤ 110%% of %s", human(rep.Scaling.Dataset.Bytes), human(rep.Dataset.Bytes))
	ok := true
	var parts []string
	for _, big := range rep.Scaling.Rows {
		small := e1
		switch big.ID {
		case RowScanN:
			small = eN
		case RowNoDedupSmall, RowNoDedupBig:
			continue
		}
		switch {
		case big.Stopped:
			ok = false
			parts = append(parts, fmt.Sprintf("%d core: %s", big.Cores, big.Skipped))
		case small == nil || big.Result == nil:
			ok = false
		default:
			r := float64(big.Result.MaxRSS) / float64(small.Result.MaxRSS)
			ok = ok && r <= 1.10
			parts = append(parts, fmt.Sprintf("%d core: %s vs %s (%+.0f%%)", big.Cores, mib(big.Result.MaxRSS), mib(small.Result.MaxRSS), 100*(r-1)))
		}
	}
	if small, big := rep.Scaling.row(RowNoDedupSmall), rep.Scaling.row(RowNoDedupBig); small != nil && big != nil {
		r := float64(big.Result.MaxRSS) / float64(small.Result.MaxRSS)
		parts = append(parts, fmt.Sprintf("without the duplicate-record set (--no-dedup), 1 core: %s vs %s (%+.0f%%)",
			mib(big.Result.MaxRSS), mib(small.Result.MaxRSS), 100*(r-1)))
	}
	t.Met, t.Detail = verdict(ok), strings.Join(parts, "; ")
	return t
}
