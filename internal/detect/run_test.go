package detect_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// TestPruningKeepsCorrelationFields: a pruned rule that feeds a correlation
// (its own key never alerts) keeps every field its matches give the
// correlation's alerts.
func TestPruningKeepsCorrelationFields(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Generate(demo.Options{Dir: filepath.Join(dir, "logs"), Seed: 1}); err != nil {
		t.Fatal(err)
	}
	rules := filepath.Join(dir, "rules")
	if err := os.MkdirAll(rules, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"failed.yml": `title: Test Failed Sign-In
id: 5a4e7f0e-0c1b-4c55-9d2a-0d6f1f1f0001
name: test_failed_signin
status: test
logsource: {product: azure, service: signinlogs}
detection:
  selection:
    status.errorCode: [50126, 50053, 50055]
  condition: selection
level: low
idsentry:
  group-by: [userPrincipalName]
  window: 1h
  values: [ipAddress]
  having: 'count >= 100000'
`,
		"failures.yml": `title: Test Failures per User
id: 5a4e7f0e-0c1b-4c55-9d2a-0d6f1f1f0002
status: test
correlation:
  type: event_count
  rules: [test_failed_signin]
  group-by: [userPrincipalName]
  timespan: 1h
  generate: true
  condition: {gte: 1}
level: medium
idsentry:
  group-by: [userPrincipalName]
  window: 1h
  values: [ipAddress]
  having: 'distinct["ipAddress"] >= 1'
`,
	} {
		if err := os.WriteFile(filepath.Join(rules, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	parsed, probs, err := detect.Parse(rulepack.Source(), detect.DiskSource(rules))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Logf("rule problem: %v", p)
	}
	pack := detect.Build(parsed, probs, detect.Options{})
	logs := filepath.Join(dir, "logs")
	all := run(t, pack, logs, detect.RunOptions{KeepMatched: true}, 2)
	pruned := run(t, pack, logs, detect.RunOptions{}, 2)
	want, got := summary(all.Alerts), summary(pruned.Alerts)
	n := 0
	for _, a := range all.Alerts {
		if a.Rule.Title == "Test Failures per User" {
			n++
			if len(a.Values["ipAddress"]) == 0 {
				t.Fatalf("correlation alert without values: %+v", a.Values)
			}
		}
	}
	if n == 0 || pruned.Skipped == 0 {
		t.Fatalf("%d correlation alerts, %d hits skipped: the test tests nothing", n, pruned.Skipped)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("alerts differ with pruning:\n%s\nwithout:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
