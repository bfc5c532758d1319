package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/idsentry/idsentry/internal/scan"
	"github.com/spf13/cobra"
)

func newInspect() *cobra.Command {
	var (
		asJSON bool
		format string
	)
	c := &cobra.Command{
		Use:   "inspect PATH...",
		Short: "Say what each input file was recognised as: format, log kinds, records, errors, time range",
		Long: `inspect reads every file (directories recursively, gzip and UTF-16 included) and prints one row per
file: the detected layout, the log kinds and export formats of its records, how many records were read,
skipped (with the reason and the first file:line of each) or dropped as duplicates, and the time range in UTC.
It exits non-zero when a file cannot be recognised at all.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := scan.Run(context.Background(), args, scan.Options{Format: format, Stdin: cmd.InOrStdin()})
			if err != nil {
				return exitf(exitUnreadable, "%v", err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(inspectJSON(res)); err != nil {
					return err
				}
			} else {
				writeInspect(out, res)
			}
			// A file named on the command line that is not a log is an
			// error; non-log files met while walking a directory (READMEs,
			// label files) are listed and do not fail the run.
			named := 0
			for _, f := range res.Unrecognised() {
				if !f.FromDir {
					named++
				}
			}
			if named > 0 {
				return exitf(exitUnreadable, "%d of %d files could not be read", named, len(res.Files))
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON for machines")
	c.Flags().StringVar(&format, "format", "", "force the reader layout for every file (json-object, json-array, ndjson, json-concat, graph-page, azure-records, cloudtrail-records, k8s-eventlist, csv)")
	return c
}

type inspectReport struct {
	Files      []*scan.FileStats `json:"files"`
	Records    int64             `json:"records"`
	Skipped    int64             `json:"skipped"`
	Duplicates int64             `json:"duplicates"`
	Bytes      int64             `json:"bytes"`
}

func inspectJSON(r *scan.Result) inspectReport {
	return inspectReport{Files: r.Files, Records: r.Records, Skipped: r.Skipped, Duplicates: r.Duplicates, Bytes: r.Bytes}
}

// writeInspect prints the human table.
func writeInspect(w io.Writer, r *scan.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tLAYOUT\tKINDS (FORMAT)\tRECORDS\tSKIPPED\tDUPS\tTIME RANGE (UTC)")
	for _, f := range r.Files {
		if f.Err != "" {
			what := "unrecognised"
			if f.FromDir {
				what = "not a log (skipped)"
			}
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\n", f.Path, what)
			continue
		}
		layout := f.Layout
		if f.Compression != "" {
			layout += "+" + f.Compression
		}
		if f.Encoding != "" && f.Encoding != "utf-8" {
			layout += " (" + f.Encoding + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", f.Path, layout, kindsText(f), f.Records, f.Skipped, f.Duplicates, rangeText(f.First, f.Last))
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d files, %d records, %d skipped, %d duplicates, %.1f MB\n", len(r.Files), r.Records, r.Skipped, r.Duplicates, float64(r.Bytes)/1e6)
	for _, f := range r.Files {
		if f.Err != "" {
			fmt.Fprintf(w, "%s: %s\n", f.Path, f.Err)
			continue
		}
		reasons := make([]string, 0, len(f.SkipReasons))
		for k := range f.SkipReasons {
			reasons = append(reasons, k)
		}
		sort.Strings(reasons)
		for _, k := range reasons {
			s := f.SkipReasons[k]
			fmt.Fprintf(w, "%s: skipped %d: %s (first at %s)\n", f.Path, s.Count, k, strings.Join(s.Samples, ", "))
		}
	}
}

func kindsText(f *scan.FileStats) string {
	if len(f.Kinds) == 0 {
		return "-"
	}
	var parts []string
	for k, n := range f.Kinds {
		parts = append(parts, fmt.Sprintf("%s:%d", k, n))
	}
	sort.Strings(parts)
	var formats []string
	for k := range f.Formats {
		formats = append(formats, k)
	}
	sort.Strings(formats)
	return strings.Join(parts, ",") + " (" + strings.Join(formats, ",") + ")"
}

func rangeText(first, last time.Time) string {
	if first.IsZero() {
		return "-"
	}
	const l = "2006-01-02T15:04:05Z"
	return first.UTC().Format(l) + " .. " + last.UTC().Format(l)
}
