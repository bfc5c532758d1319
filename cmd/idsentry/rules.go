package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/detect"
	"github.com/idsentry/idsentry/internal/rulepack"
	"github.com/spf13/cobra"
)

func newRules() *cobra.Command {
	c := &cobra.Command{
		Use:   "rules",
		Short: "Check, list and unit-test Sigma rules (the built-in pack, or yours)",
	}
	c.AddCommand(newRulesCheck(), newRulesList(), newRulesTest())
	return c
}

// sources returns the rule sources for paths, or the built-in pack.
func sources(paths []string) []detect.Source {
	if len(paths) == 0 {
		return []detect.Source{rulepack.Source()}
	}
	var out []detect.Source
	for _, p := range paths {
		out = append(out, detect.DiskSource(p))
	}
	return out
}

// loadPack parses and builds the given sources.
func loadPack(srcs []detect.Source, opts detect.Options) (*detect.Pack, error) {
	rules, probs, err := detect.Parse(srcs...)
	if err != nil {
		return nil, err
	}
	return detect.Build(rules, probs, opts), nil
}

// isUnsupported reports whether a problem says the rule is for a log
// source idsentry does not read: a capability gap, not a rule error.
func isUnsupported(p detect.Problem) bool {
	return !p.Warning && p.Reason == compile.ReasonLogSource
}

func newRulesCheck() *cobra.Command {
	var strict, quiet bool
	c := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Validate rule files: every problem as file:line:col: message",
		Long: `check parses, links and compiles rule files (the built-in pack when no PATH is given) exactly as scan
loads them, and prints every problem as file:line:col: message, then a summary: files, documents parsed,
rules compiled per log kind, rules for log sources idsentry does not read, warnings. It exits 1 when a rule
has an error (with --strict, also on warnings).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			srcs := sources(args)
			nfiles := 0
			for _, s := range srcs {
				fs, err := s.Files()
				if err != nil {
					return exitf(exitUnreadable, "%v", err)
				}
				nfiles += len(fs)
			}
			pack, err := loadPack(srcs, detect.Options{})
			if err != nil {
				return exitf(exitUnreadable, "%v", err)
			}
			out := cmd.OutOrStdout()
			var errs, warns, unsupported int
			for _, p := range pack.Problems {
				switch {
				case isUnsupported(p):
					unsupported++
					continue
				case p.Warning:
					warns++
				default:
					errs++
				}
				if !quiet || !p.Warning {
					fmt.Fprintln(out, p)
				}
			}
			writeCheckSummary(out, nfiles, pack, errs, warns)
			if errs > 0 || (strict && warns > 0) {
				return exitf(exitFindings, "%d errors, %d warnings", errs, warns)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&strict, "strict", false, "exit non-zero on warnings too")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print errors only, not warnings")
	return c
}

func writeCheckSummary(w io.Writer, nfiles int, pack *detect.Pack, errs, warns int) {
	st := pack.Set.Stats()
	invalid := 0
	for _, r := range pack.Rules {
		if r.Invalid {
			invalid++
		}
	}
	fmt.Fprintf(w, "\nfiles: %d, documents: %d, parsed: %d, with parse errors: %d\n", nfiles, len(pack.Rules), len(pack.Rules)-invalid, invalid)
	fmt.Fprintf(w, "compiled: %d detections, %d correlations, %d filters\n", st.Detections, st.Correlations, st.Filters)
	kinds := make([]string, 0, len(st.Kinds))
	for k := range st.Kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		ks := st.Kinds[k]
		pf := ""
		switch {
		case ks.Prefiltered == 0:
		case ks.PrefilterMax == math.MaxInt:
			pf = " (every record)"
		default:
			pf = fmt.Sprintf(" (records up to %d bytes)", ks.PrefilterMax)
		}
		fmt.Fprintf(w, "  %-16s %5d rules, %4d fields, %4d prefiltered%s\n", k, ks.Rules, ks.Slots, ks.Prefiltered, pf)
	}
	reasons := make([]string, 0, len(st.Unsupported))
	total := 0
	for r, n := range st.Unsupported {
		reasons = append(reasons, r)
		total += n
	}
	sort.Strings(reasons)
	fmt.Fprintf(w, "not compiled: %d", total)
	for _, r := range reasons {
		fmt.Fprintf(w, ", %s: %d", r, st.Unsupported[r])
	}
	fmt.Fprintf(w, "\nerrors: %d, warnings: %d\n", errs, warns)
}

// ruleInfo is one row of `rules list`.
type ruleInfo struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Level       string   `json:"level"`
	Status      string   `json:"status,omitempty"`
	Type        string   `json:"type"`
	Kinds       []string `json:"kinds"`
	Tags        []string `json:"tags,omitempty"`
	Implements  []string `json:"implements,omitempty"`
	File        string   `json:"file"`
	Description string   `json:"description,omitempty"`
}

func listRules(pack *detect.Pack) []ruleInfo {
	var out []ruleInfo
	for _, r := range pack.Set.Rules {
		typ := "detection"
		if r.Correlation != nil {
			typ = "correlation:" + string(r.Correlation.Type)
		}
		spec := pack.Spec(r)
		var impl []string
		if spec != nil {
			impl = spec.Rule.Implements
		}
		out = append(out, ruleInfo{ID: r.ID, Title: r.Title, Level: r.Level, Status: r.Sigma.Status, Type: typ,
			Kinds: detect.Kinds(r), Tags: r.Tags, Implements: impl, File: r.Sigma.File, Description: strings.TrimSpace(r.Sigma.Description)})
	}
	return out
}

func newRulesList() *cobra.Command {
	var (
		asJSON            bool
		level, tag, kind  string
		rulePaths         []string
		implementsPattern string
	)
	c := &cobra.Command{
		Use:   "list",
		Short: "List rules with their level, log kinds, tags and what they implement",
		RunE: func(cmd *cobra.Command, args []string) error {
			pack, err := loadPack(sources(rulePaths), detect.Options{})
			if err != nil {
				return exitf(exitUnreadable, "%v", err)
			}
			var min alert.Level
			if level != "" {
				l, ok := alert.ParseLevel(level)
				if !ok {
					return exitf(exitUsage, "unknown level %q", level)
				}
				min = l
			}
			var rows []ruleInfo
			for _, r := range listRules(pack) {
				l, _ := alert.ParseLevel(r.Level)
				if l < min || (tag != "" && !hasFold(r.Tags, tag)) || (kind != "" && !hasFold(r.Kinds, kind)) ||
					(implementsPattern != "" && !hasPrefix(r.Implements, implementsPattern)) {
					continue
				}
				rows = append(rows, r)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "LEVEL\tTITLE\tKINDS\tIMPLEMENTS\tTYPE")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Level, r.Title, strings.Join(r.Kinds, ","), strings.Join(r.Implements, ","), r.Type)
			}
			tw.Flush()
			fmt.Fprintf(out, "\n%d rules\n", len(rows))
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&level, "level", "", "only rules at or above this level")
	c.Flags().StringVar(&tag, "tag", "", "only rules with this tag (e.g. attack.t1528)")
	c.Flags().StringVar(&kind, "kind", "", "only rules for this log kind (e.g. entra_signin)")
	c.Flags().StringVar(&implementsPattern, "implements", "", "only rules implementing this (prefix: seed-, guide-row-)")
	c.Flags().StringSliceVar(&rulePaths, "rules", nil, "rule files or directories instead of the built-in pack")
	return c
}

func hasFold(vs []string, v string) bool {
	for _, x := range vs {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func hasPrefix(vs []string, p string) bool {
	for _, x := range vs {
		if strings.HasPrefix(x, p) {
			return true
		}
	}
	return false
}

func newRulesTest() *cobra.Command {
	var (
		match   string
		verbose bool
	)
	c := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Run rule unit tests (<rule>.tests.yml beside each rule; the built-in pack by default)",
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			var all []rulepack.CaseResult
			for _, src := range sources(args) {
				var extra []detect.Source
				if len(args) > 0 {
					extra = append(extra, rulepack.Source())
				}
				res, err := rulepack.RunTests(src, rulepack.TestOptions{Match: match, Extra: extra})
				if err != nil {
					return exitf(exitUnreadable, "%v", err)
				}
				all = append(all, res...)
			}
			failed := 0
			for _, r := range all {
				if r.Passed() {
					if verbose {
						fmt.Fprintf(out, "ok    %s:%d: %s\n", r.File, r.Line, r.Name)
					}
					continue
				}
				failed++
				fmt.Fprintf(out, "FAIL  %s:%d: %s\n", r.File, r.Line, r.Name)
				for _, f := range r.Failed {
					fmt.Fprintf(out, "        %s\n", f)
				}
			}
			fmt.Fprintf(out, "%d passed, %d failed\n", len(all)-failed, failed)
			if failed > 0 {
				return exitf(exitFindings, "%d rule tests failed", failed)
			}
			if len(all) == 0 {
				fmt.Fprintln(os.Stderr, "idsentry: no rule tests found")
			}
			return nil
		},
	}
	c.Flags().StringVar(&match, "run", "", "run only test files whose path contains this")
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "list passing cases too")
	return c
}
