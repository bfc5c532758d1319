package detect_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/demo"
	"github.com/idsentry/idsentry/internal/detect"
	"github.com/idsentry/idsentry/internal/rulepack"
	"github.com/idsentry/idsentry/internal/scan"
)

// run scans dir with the built-in pack and returns the result.
func run(t *testing.T, pack *detect.Pack, dir string, opts detect.RunOptions, workers int) *detect.Result {
	t.Helper()
	det := pack.NewDetector(opts)
	if _, err := scan.Run(context.Background(), []string{dir}, scan.Options{
		Workers:    workers,
		NewHandler: func(w int) scan.Handler { return det.NewWorker(w) },
	}); err != nil {
		t.Fatal(err)
	}
	res := det.Finish()
	for _, err := range res.Errors {
		t.Errorf("finish: %v", err)
	}
	return res
}

// summary renders what a reader sees of each alert.
func summary(as []alert.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s %s %s count=%d %s..%s values=%v group=%v entities=%d evidence=%d %q",
			a.ID, a.Rule.ID, a.Level, a.Count, a.FirstSeen.Format("01-02T15:04:05"), a.LastSeen.Format("01-02T15:04:05"),
			a.Values, a.Group, len(a.Entities), len(a.Evidence), a.Message))
	}
	return out
}

// TestPruningKeepsAlerts scans the demo tenant with and without skipping the
// hits of alert keys that cannot alert (alert.Pruner; KeepMatched turns it
// off): the same alerts, and most hits of the grouping rules skipped.
func TestPruningKeepsAlerts(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Generate(demo.Options{Dir: dir, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	rules, probs, err := detect.Parse(rulepack.Source())
	if err != nil {
		t.Fatal(err)
	}
	pack := detect.Build(rules, probs, detect.Options{})
	all := run(t, pack, dir, detect.RunOptions{KeepMatched: true}, 2)
	if all.Skipped != 0 {
		t.Fatalf("pruning with KeepMatched: %d hits skipped", all.Skipped)
	}
	want := summary(all.Alerts)
	for _, workers := range []int{1, 2} {
		pruned := run(t, pack, dir, detect.RunOptions{}, workers)
		got := summary(pruned.Alerts)
		if len(got) != len(want) {
			t.Fatalf("%d workers: %d alerts with pruning, %d without", workers, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%d workers: alert %d\n with pruning: %s\n without:      %s", workers, i, got[i], want[i])
			}
		}
		if pruned.Hits != all.Hits {
			t.Errorf("%d workers: %d hits with pruning, %d without", workers, pruned.Hits, all.Hits)
		}
		// Most successful sign-ins are hits of the session rule, whose
		// sessions stay in one country.
		if pruned.Skipped < all.Hits/4 {
			t.Errorf("%d workers: %d of %d hits skipped: the pruner did little", workers, pruned.Skipped, all.Hits)
		}
		t.Logf("%d workers: %d alerts, %d of %d hits skipped", workers, len(got), pruned.Skipped, pruned.Hits)
	}
}
