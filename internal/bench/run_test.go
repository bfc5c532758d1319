package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// childEnv makes the test binary act as a stage child (see TestMain).
const childEnv = "IDSENTRY_BENCH_TEST_CHILD"

// runChild runs one stage as `idsentry bench stage` would: flags, then
// NAME [FILE]; it prints the result as one JSON line.
func runChild(args []string) int {
	var o StageOptions
	fs := flag.NewFlagSet("stage", flag.ContinueOnError)
	fs.StringVar(&o.Sigma, "sigma", "", "")
	fs.IntVar(&o.Users, "users", 0, "")
	fs.BoolVar(&o.NoDedup, "no-dedup", false, "")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "")
	fs.StringVar(&o.MemProfile, "memprofile", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: stage [flags] NAME [FILE]")
		return 2
	}
	o.Name, o.File = fs.Arg(0), fs.Arg(1)
	res, err := RunStage(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return 1
	}
	return 0
}

// TestRunEndToEnd runs the whole benchmark on a tiny dataset, each stage in
// a child process (this test binary), and checks the report has every row,
// the correlation stage and every target.
func TestRunEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a dataset and starts child processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sigma := sigmaDir
	if _, err := os.Stat(sigma); err != nil {
		t.Logf("SigmaHQ corpus not found at %s (shared data absent): built-in pack only", sigma)
		sigma = ""
	}
	jq := ""
	if _, err := exec.LookPath("jq"); err != nil {
		jq = "-"
	}
	keep := t.TempDir()
	repeat := 2
	if raceEnabled {
		repeat = 1
	}
	o := Options{Size: 1_000_000, Keep: keep, Sigma: sigma, Scaling: true, ScaleSize: 1_500_000, CorrUsers: 2000, Jq: jq, Repeat: repeat,
		Exe: exe, Env: []string{childEnv + "=1"}}
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dataset.Bytes < 1_000_000 || rep.Dataset.Records == 0 || rep.Dataset.GzipBytes == 0 {
		t.Errorf("dataset = %+v, want 1 MB of records and a gzip copy", rep.Dataset)
	}
	want := []string{RowRaw, RowParse, RowNaive, RowJq, RowIngest, RowMatch, RowScan1, RowScanN, RowGzip1, RowGzipN}
	if len(rep.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rep.Rows), len(want))
	}
	for i, id := range want {
		r := rep.Rows[i]
		if r.ID != id {
			t.Errorf("row %d is %s, want %s", i, r.ID, id)
		}
		if id == RowJq && jq == "-" {
			continue
		}
		if r.Result == nil || r.Result.Records == 0 || r.Result.Wall <= 0 || r.Result.CPU <= 0 || r.Result.MaxRSS <= 0 || r.Result.Runs != repeat {
			t.Errorf("row %s: result %+v, want records, wall and CPU time, peak RSS, %d runs", id, r.Result, repeat)
		}
	}
	// Every record is read by every stage, gzip or not.
	for _, id := range []string{RowRaw, RowParse, RowNaive, RowIngest, RowMatch, RowScan1, RowScanN, RowGzip1, RowGzipN} {
		if got := rep.row(id).Result.Records; got != rep.Dataset.Records {
			t.Errorf("row %s read %d records, want %d", id, got, rep.Dataset.Records)
		}
	}
	if rep.row(RowMatch).Result.Matches == 0 {
		t.Errorf("the rules-only stage counted no match")
	}
	if got, want := rep.row(RowScanN).Result.Matches, rep.row(RowScan1).Result.Matches; got != want {
		t.Errorf("scan on all cores found %d matches, on one core %d", got, want)
	}
	if got, want := rep.row(RowGzip1).Result.Matches, rep.row(RowScan1).Result.Matches; got != want {
		t.Errorf("scan of the gzip copy found %d matches, of the NDJSON %d", got, want)
	}
	if c := rep.Corr; c == nil || c.Corr == nil || c.Corr.Users != 2000 || c.Corr.PeakKeys == 0 || !c.Corr.Bounded() {
		t.Errorf("correlation stage = %+v", rep.Corr)
	}
	if rep.Scaling == nil || len(rep.Scaling.Rows) != 4 || rep.Scaling.Dataset.Bytes < 1_500_000 {
		t.Errorf("scaling = %+v, want four runs, on a 1.5 MB dataset and the 1 MB one", rep.Scaling)
	}
	if len(rep.Targets) != 6 {
		t.Errorf("%d targets, want 6: %+v", len(rep.Targets), rep.Targets)
	}
	var buf bytes.Buffer
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	t.Log("\n" + out)
	for _, s := range []string{"Machine", "Dataset", "(a) raw read", "(b) fastjson parse only", "(c) naive", "(d) jq",
		"(e0) idsentry scan, no rules", "(e) idsentry scan", "(f) idsentry scan, gzip", "Floor: reading and normalising alone", "at 1.5 MB", "--no-dedup at 1.0 MB", "Correlation state", "Targets", "peak RSS ≤ 300 MiB"} {
		if !strings.Contains(out, s) {
			t.Errorf("table lacks %q:\n%s", s, out)
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("report does not marshal: %v", err)
	}
	// A second run over the kept directory reuses the dataset.
	again, err := dataset(rep.Dataset.Dir, DatasetOptions{Size: o.Size})
	if err != nil {
		t.Fatal(err)
	}
	if again.Elapsed != rep.Dataset.Elapsed {
		t.Error("the kept dataset was generated again")
	}
}

// TestMaxRSSStopsStage checks that a stage growing past Options.MaxRSS is
// stopped and reported as such, not as an error.
func TestMaxRSSStopsStage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Exe: exe, Env: []string{childEnv + "=1"}, MaxRSS: 1 << 20}
	_, err = o.child(context.Background(), StageOptions{Name: StageCorr, Users: 200000}, true, "")
	row := Row{ID: RowScan1}
	if err := row.stopped(err); err != nil {
		t.Fatalf("want a stopped stage, got %v", err)
	}
	if !row.Stopped || !strings.Contains(row.Skipped, "--max-rss") {
		t.Errorf("row = %+v, want it stopped for its memory", row)
	}
	rep := &Report{Rows: []Row{row}}
	for _, tg := range rep.check() {
		if strings.Contains(tg.Name, "peak RSS ≤ 300") && (tg.Met == nil || *tg.Met) {
			t.Errorf("target %q = %v, want failed", tg.Name, tg.Met)
		}
	}
}
