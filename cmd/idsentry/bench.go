package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/idsentry/idsentry/internal/bench"
	"github.com/spf13/cobra"
)

// defaultSigma is where a SigmaHQ checkout sits beside the repository
// (../shared/data/sigma/sigmahq from the repository root).
var defaultSigma = filepath.Join("..", "shared", "data", "sigma", "sigmahq")

func newBench() *cobra.Command {
	var (
		o      bench.Options
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "bench",
		Short: "Measure idsentry against a raw read, a JSON parse, a naive evaluator and jq on a generated dataset",
		Long: `bench generates a sign-in-heavy dataset with the demo tenant generator (one NDJSON file of Azure Monitor
sign-in records of --size bytes and a gzip copy), then measures in one run, each in its own child process:
(a) a raw read counting newlines, (b) fastjson parsing only, (c) a naive baseline (encoding/json into maps
and an interpreter over the same rules), (d) jq 'select(.properties.status.errorCode==65004)' when jq is
installed, (e0) the scan's reading path with no rules, (e) the scan path with the built-in pack and every
SigmaHQ rule for the log kinds idsentry reads on one core and on all cores, (f) the same on the gzip copy, and
the correlation state of one million distinct users. It prints MB/s, records/s, peak RSS and ratios, and checks
the targets of BENCHMARKS.md.

By default it also scans a dataset 5 times the size to compare peak RSS (--scaling; about 6 GB of disk while it
runs, in a temporary directory unless --keep), and runs every stage three times in interleaved rounds, keeping
the fastest run (--repeat), so that the ratios hold on a machine whose speed drifts. For a quick look:
idsentry bench --scaling=false --repeat 1 --size 250000000.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Size <= 0 {
				return exitf(exitUsage, "--size must be positive")
			}
			if o.Sigma != "" {
				if _, err := os.Stat(o.Sigma); err != nil {
					if cmd.Flags().Changed("sigma") {
						return exitf(exitUsage, "--sigma: %v", err)
					}
					fmt.Fprintf(cmd.ErrOrStderr(), "idsentry: no SigmaHQ checkout at %s: running the built-in pack only (see --sigma)\n", o.Sigma)
					o.Sigma = ""
				}
			}
			exe, err := os.Executable()
			if err != nil {
				return exitf(exitUnreadable, "bench: %v", err)
			}
			o.Exe, o.StageArgs, o.Log = exe, []string{"bench", "stage"}, cmd.ErrOrStderr()
			rep, err := bench.Run(cmd.Context(), o)
			if err != nil {
				return exitf(exitUnreadable, "bench: %v", err)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return rep.WriteTable(cmd.OutOrStdout())
		},
	}
	fl := c.Flags()
	fl.Int64Var(&o.Size, "size", 1_000_000_000, "size of the NDJSON dataset in bytes")
	fl.StringVar(&o.Keep, "keep", "", "write the dataset to this directory and keep it (reused when the size matches)")
	fl.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fl.BoolVar(&o.Scaling, "scaling", true, "also scan a dataset 5 times --size and compare peak RSS (--scaling=false: not)")
	fl.Int64Var(&o.ScaleSize, "scaling-size", 0, "size of the --scaling dataset (default 5 × --size)")
	fl.StringVar(&o.Sigma, "sigma", defaultSigma, "SigmaHQ checkout whose azure, m365, aws and kubernetes rules run beside the built-in pack (\"\" for none)")
	fl.IntVar(&o.CorrUsers, "corr-users", bench.DefaultCorrUsers, "distinct users fed through the correlation stage")
	fl.IntVar(&o.Users, "users", 0, "people in the generated tenant (default: from --size, at most 500)")
	fl.Int64Var(&o.MaxRSS, "max-rss", bench.DefaultMaxRSS, "stop a stage whose resident set passes this many bytes (the row says so)")
	fl.IntVar(&o.Repeat, "repeat", 3, "run every stage this many times in interleaved rounds and keep the fastest run")
	fl.StringVar(&o.Jq, "jq", "", "jq executable for row (d) (default: jq on PATH; \"-\" skips it)")
	fl.StringVar(&o.ProfileDir, "profile", "", "write CPU and allocation profiles of the scan stages to this directory")
	_ = fl.MarkHidden("profile")
	c.AddCommand(newBenchStage())
	return c
}

// newBenchStage is the hidden child command that runs one measured stage and
// prints its result as one JSON line.
func newBenchStage() *cobra.Command {
	var o bench.StageOptions
	c := &cobra.Command{
		Use:    "stage NAME [FILE]",
		Short:  "Run one benchmark stage (used by idsentry bench)",
		Hidden: true,
		Args:   cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if len(args) > 1 {
				o.File = args[1]
			}
			res, err := bench.RunStage(cmd.Context(), o)
			if err != nil {
				return exitf(exitUnreadable, "bench stage %s: %v", o.Name, err)
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
		},
	}
	fl := c.Flags()
	fl.StringVar(&o.Sigma, "sigma", "", "SigmaHQ checkout")
	fl.IntVar(&o.Users, "users", 0, "distinct users of the corr stage")
	fl.BoolVar(&o.NoDedup, "no-dedup", false, "scan without the duplicate-record set")
	fl.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured phase")
	fl.StringVar(&o.MemProfile, "memprofile", "", "write an allocation profile")
	return c
}
