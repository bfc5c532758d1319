package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/detect"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/normalize"
	"github.com/idsentry/idsentry/internal/output"
	"github.com/idsentry/idsentry/internal/rulepack"
	"github.com/idsentry/idsentry/internal/scan"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
	"golang.org/x/term"
)

// scanFlags are the flags of `idsentry scan`.
type scanFlags struct {
	format                            string
	rules                             []string
	noBuiltin                         bool
	jsonl, csv, html, ocsf, timeline  string
	quiet, noColor                    bool
	minLevel, failOn                  string
	tags, status, exclude             []string
	tuning, identities                string
	from, to, tz                      string
	strict, noDedup                   bool
	workers                           int
	set                               []string
	businessHours                     string
	riskScore, riskTactics, riskRules int
	maxDistinct                       int
	maxOpen                           int
	title                             string
	placeholdersFile                  string
	verifiedDomains                   []string
	minIPPriority                     int
	geoip                             []string
}

func newScan() *cobra.Command {
	var f scanFlags
	c := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Hunt through exported logs with the built-in pack and your Sigma rules",
		Long: `scan reads every file under the given paths (directories recursively, gzip, UTF-16, "-" for standard
input) in every export format idsentry knows, runs the built-in detection pack (and --rules), and prints a
summary and the alert table. --jsonl, --csv, --html, --ocsf and --timeline write the alerts to files.

Exit codes: 0 ok; 1 alerts at or above --fail-on; 2 usage error; 3 an input could not be read (or, with
--strict, a record was skipped).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runScan(cmd, args, f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.format, "format", "", "force the reader layout for every file (see inspect --help)")
	fl.StringSliceVar(&f.rules, "rules", nil, "Sigma rule files or directories to load beside the built-in pack")
	fl.BoolVar(&f.noBuiltin, "no-builtin", false, "do not load the built-in pack (only --rules)")
	fl.StringVar(&f.jsonl, "jsonl", "", "write alerts as JSON lines (DESIGN §9 alert objects; incidents as {\"incident\":…} lines)")
	fl.StringVar(&f.csv, "csv", "", "write alerts as CSV (Excel / Timeline Explorer)")
	fl.StringVar(&f.html, "html", "", "write a self-contained HTML report")
	fl.StringVar(&f.ocsf, "ocsf", "", "write alerts as OCSF Detection Finding JSON lines")
	fl.StringVar(&f.timeline, "timeline", "", "write every matched event, sorted by time, as CSV")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress, no alert table: the summary only")
	fl.BoolVar(&f.noColor, "no-color", false, "no colours (also when NO_COLOR is set)")
	fl.StringVar(&f.minLevel, "min-level", "", "show and write only alerts at or above this level")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 when an alert at or above this level is raised")
	fl.StringSliceVar(&f.tags, "tags", nil, "only alerts of rules with one of these tags")
	fl.StringSliceVar(&f.status, "status", nil, "only alerts of rules with one of these statuses (stable, test, experimental)")
	fl.StringSliceVar(&f.exclude, "exclude-rule", nil, "drop alerts of these rules (id or title)")
	fl.StringVar(&f.tuning, "tuning", "", "tuning file: per rule level overrides, allowlists, options (see README)")
	fl.StringVar(&f.identities, "identities", "", "Graph /users export (or Sentinel IdentityInfo) for identity context on alerts")
	fl.StringVar(&f.from, "from", "", "only events at or after this time (RFC 3339 or YYYY-MM-DD, UTC)")
	fl.StringVar(&f.to, "to", "", "only events before this time")
	fl.StringVar(&f.tz, "tz", "UTC", "time zone for display (IANA name)")
	fl.BoolVar(&f.strict, "strict", false, "exit 3 when any record was skipped")
	fl.BoolVar(&f.noDedup, "no-dedup", false, "keep records whose ID repeats (default: drop overlapping-export duplicates)")
	fl.IntVar(&f.workers, "workers", 0, "worker goroutines (default: all cores)")
	fl.StringArrayVar(&f.set, "set", nil, "placeholder value for rules' %name% (name=v1,v2), e.g. verified_domains=contoso.com")
	fl.StringVar(&f.placeholdersFile, "placeholders", "", "YAML file of placeholder name: [values]")
	fl.StringSliceVar(&f.verifiedDomains, "verified-domain", nil, "a tenant verified domain (sets %verified_domains%)")
	fl.StringVar(&f.businessHours, "business-hours", "", `business hours for "outside hours" rules, e.g. "Mon-Fri 08:00-18:00 Europe/Berlin"`)
	fl.IntVar(&f.riskScore, "risk-score", 0, "risk incident threshold: summed risk per entity in 24 h (default 100)")
	fl.IntVar(&f.riskTactics, "risk-tactics", 0, "risk incident threshold: distinct ATT&CK tactics per entity in 7 days (default 3)")
	fl.IntVar(&f.riskRules, "risk-rules", 0, "risk incident threshold: distinct rules with the tactics (default 4)")
	fl.IntVar(&f.maxDistinct, "max-distinct", 0, "cap on distinct values kept per correlation key (default 10000)")
	fl.IntVar(&f.maxOpen, "max-open-windows", 0, "cap per rule on group-by keys with an open alert window; past it the rule's windows close early, in the order they are due (default 100000, -1: no cap)")
	fl.IntVar(&f.minIPPriority, "min-ip-priority", -1, "hide MFA-rejection alerts whose IP investigation priority is not above this (the seed's cutoff is 20; default: rank only)")
	fl.StringVar(&f.title, "title", "", "title of the HTML report")
	fl.StringArrayVar(&f.geoip, "geoip", nil, "MaxMind/DB-IP .mmdb (Country/City/ASN) for country/ASN on alert IPs; repeatable")
	return c
}

// parseWhen parses --from/--to.
func parseWhen(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse time %q (want RFC 3339 or YYYY-MM-DD)", s)
}

// tuningFile is the --tuning file.
type tuningFile struct {
	Rules map[string]struct {
		Disabled  bool                `yaml:"disabled"`
		Level     string              `yaml:"level"`
		Allowlist map[string][]string `yaml:"allowlist"`
		Options   map[string]any      `yaml:"options"`
	} `yaml:"rules"`
}

func loadTuning(path string) (map[string]map[string]string, map[string]alert.Level, map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, err
	}
	var tf tuningFile
	if err := yaml.Unmarshal(data, &tf); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	sets := map[string]map[string]string{}
	levels := map[string]alert.Level{}
	disabled := map[string]bool{}
	for rule, t := range tf.Rules {
		m := map[string]string{}
		for f, vs := range t.Allowlist {
			m["allowlist."+f] = strings.Join(vs, ",")
		}
		for k, v := range t.Options {
			switch x := v.(type) {
			case []any:
				parts := make([]string, len(x))
				for i, p := range x {
					parts[i] = fmt.Sprint(p)
				}
				m[k] = strings.Join(parts, ",")
			default:
				m[k] = fmt.Sprint(x)
			}
		}
		if len(m) > 0 {
			sets[rule] = m
		}
		if t.Level != "" {
			l, ok := alert.ParseLevel(t.Level)
			if !ok {
				return nil, nil, nil, fmt.Errorf("%s: rule %s: unknown level %q", path, rule, t.Level)
			}
			levels[rule] = l
		}
		if t.Disabled {
			disabled[rule] = true
		}
	}
	return sets, levels, disabled, nil
}

func placeholders(f scanFlags) (map[string][]string, error) {
	ph := map[string][]string{}
	if f.placeholdersFile != "" {
		data, err := os.ReadFile(f.placeholdersFile)
		if err != nil {
			return nil, err
		}
		if err := yaml.Unmarshal(data, &ph); err != nil {
			return nil, fmt.Errorf("%s: %w", f.placeholdersFile, err)
		}
	}
	for _, s := range f.set {
		name, vals, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--set %q: want name=value[,value…]", s)
		}
		ph[strings.Trim(name, "%")] = strings.Split(vals, ",")
	}
	if len(f.verifiedDomains) > 0 {
		ph["verified_domains"] = append(ph["verified_domains"], f.verifiedDomains...)
	}
	return ph, nil
}

func runScan(cmd *cobra.Command, args []string, f scanFlags) error {
	defer scan.TuneGC()()
	started := time.Now()
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	loc, err := time.LoadLocation(f.tz)
	if err != nil {
		return exitf(exitUsage, "--tz: %v", err)
	}
	from, err := parseWhen(f.from)
	if err != nil {
		return exitf(exitUsage, "--from: %v", err)
	}
	to, err := parseWhen(f.to)
	if err != nil {
		return exitf(exitUsage, "--to: %v", err)
	}
	var minLevel, failOn alert.Level
	if f.minLevel != "" {
		l, ok := alert.ParseLevel(f.minLevel)
		if !ok {
			return exitf(exitUsage, "--min-level: unknown level %q", f.minLevel)
		}
		minLevel = l
	}
	failOnSet := f.failOn != ""
	if failOnSet {
		l, ok := alert.ParseLevel(f.failOn)
		if !ok {
			return exitf(exitUsage, "--fail-on: unknown level %q", f.failOn)
		}
		failOn = l
	}
	ph, err := placeholders(f)
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	var (
		tuneSets  map[string]map[string]string
		tuneLevel map[string]alert.Level
		disabled  map[string]bool
	)
	if f.tuning != "" {
		if tuneSets, tuneLevel, disabled, err = loadTuning(f.tuning); err != nil {
			return exitf(exitUsage, "--tuning: %v", err)
		}
	}
	global := map[string]string{}
	if len(f.verifiedDomains) > 0 {
		// Rules that judge domains (dangling or foreign redirect URIs,
		// logout URLs) read the tenant's verified domains as an option.
		global["verified-domains"] = strings.Join(f.verifiedDomains, ",")
	}
	if f.minIPPriority >= 0 {
		global[alert.OptionMinIPPriority] = fmt.Sprint(f.minIPPriority)
	}

	// Rules.
	var srcs []detect.Source
	if !f.noBuiltin {
		srcs = append(srcs, rulepack.Source())
	}
	for _, p := range f.rules {
		srcs = append(srcs, detect.DiskSource(p))
	}
	if len(srcs) == 0 {
		return exitf(exitUsage, "--no-builtin needs --rules")
	}
	rules, probs, err := detect.Parse(srcs...)
	if err != nil {
		return exitf(exitUnreadable, "%v", err)
	}
	pack := detect.Build(rules, probs, detect.Options{Placeholders: ph, Tuning: tuneSets, Global: global})
	for _, p := range pack.Errors() {
		if !isUnsupported(p) && !strings.HasPrefix(p.File, "builtin:") {
			fmt.Fprintln(stderr, p)
		}
	}

	ropts := detect.RunOptions{KeepMatched: f.timeline != ""}
	ropts.Engine.MaxDistinct = f.maxDistinct
	// The duplicate-record set drops every repeat of a (kind, ID).
	ropts.Engine.UniqueIDs = !f.noDedup
	ropts.Alert.MaxOpen = f.maxOpen
	// Matched events wait for the alerts on disk, not in memory: the base
	// rules of correlations match most records of a large export.
	// They are stored as read (a copy) and normalised again for the
	// alerts that show them.
	if sp, err := event.NewSpill(""); err == nil {
		defer sp.Close()
		sp.SetRender(normalize.Render)
		sp.SetReparse(normalize.Reparse)
		ropts.Engine.Spill = sp
	} else {
		fmt.Fprintf(stderr, "idsentry: %v; matched events are kept in memory\n", err)
	}
	ropts.Risk = alert.RiskOptions{ScoreThreshold: f.riskScore, MinTactics: f.riskTactics, MinRules: f.riskRules}
	if f.businessHours != "" {
		bh, err := alert.ParseBusinessHours(f.businessHours)
		if err != nil {
			return exitf(exitUsage, "--business-hours: %v", err)
		}
		ropts.Alert.Hours = bh
	}
	if f.identities != "" {
		fh, err := os.Open(f.identities)
		if err != nil {
			return exitf(exitUnreadable, "--identities: %v", err)
		}
		ids, err := alert.LoadIdentities(fh)
		fh.Close()
		if err != nil {
			return exitf(exitUnreadable, "--identities %s: %v", f.identities, err)
		}
		ropts.Identities = ids
	}
	if len(f.geoip) > 0 {
		geo, err := alert.OpenGeo(f.geoip...)
		if err != nil {
			return exitf(exitUnreadable, "--geoip: %v", err)
		}
		defer geo.Close()
		ropts.Geo = geo
	}
	statuses := map[string]string{}
	for _, r := range pack.Set.Rules {
		statuses[ruleRefID(r.ID, r.Name)] = r.Sigma.Status
	}
	ropts.Filter = func(a *alert.Alert) bool {
		return keepAlert(a, f, disabled, tuneLevel, statuses[a.Rule.ID])
	}

	// Per-worker report state: sign-in profiles and per-kind day sets.
	var (
		mu       sync.Mutex
		profiles []*output.SignInProfiles
		days     []*[event.NumKinds]*output.DaySet
	)
	det := pack.NewDetector(ropts)
	defer det.Discard()
	newHandler := func(w int) scan.Handler {
		p := &output.SignInProfiles{}
		var d [event.NumKinds]*output.DaySet
		for i := range d {
			d[i] = &output.DaySet{}
		}
		mu.Lock()
		profiles = append(profiles, p)
		days = append(days, &d)
		mu.Unlock()
		inner := det.NewWorker(w)
		return handlerFunc(func(ev *event.Event) {
			if !ev.Time.IsZero() {
				d[ev.Kind].Add(ev.Time)
			}
			if ev.Kind == event.KindEntraSignIn && f.html != "" {
				p.Add(ev)
			}
			inner.Event(ev)
		})
	}

	showProgress := !f.quiet && term.IsTerminal(int(os.Stderr.Fd()))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sopts := scan.Options{Format: f.format, Workers: f.workers, From: from, To: to, NewHandler: newHandler, NoDedup: f.noDedup, Stdin: cmd.InOrStdin()}
	if showProgress {
		sopts.Progress = progressPrinter(stderr)
	}
	res, err := scan.Run(ctx, args, sopts)
	if showProgress {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return exitf(exitUnreadable, "%v", err)
	}
	found := det.Finish()

	// Summary.
	sum := buildSummary(res, pack, found, days, started, f)
	sum.Command = "idsentry " + strings.Join(os.Args[1:], " ")
	sum.Version = version
	alerts := found.Alerts
	var shown []alert.Alert
	for _, a := range alerts {
		if a.Level >= minLevel {
			shown = append(shown, a)
		}
	}
	sum.CountAlerts(shown, 5)
	sum.Incidents = len(found.Incidents)
	sum.Finish()

	color := output.ColorEnabled(os.Stdout, f.noColor)
	width := 0
	if color {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			width = w
		}
	}
	style := output.Style{Color: color, TZ: loc, Width: width}
	if !f.quiet {
		if err := output.WriteAlertTable(stdout, shown, style); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
	}
	if err := output.WriteSummary(stdout, sum, style); err != nil {
		return err
	}

	// Files.
	if err := writeOutputs(f, shown, found, sum, profiles, loc); err != nil {
		return exitf(exitUnreadable, "%v", err)
	}

	if len(res.Unrecognised()) > 0 {
		named := false
		for _, u := range res.Unrecognised() {
			if !u.FromDir {
				named = true
			}
		}
		if named {
			return exitf(exitUnreadable, "%d input files could not be read", len(res.Unrecognised()))
		}
	}
	if f.strict && res.Skipped > 0 {
		return exitf(exitUnreadable, "%d records were skipped (--strict)", res.Skipped)
	}
	if failOnSet {
		for _, a := range shown {
			if a.Level >= failOn {
				return exitf(exitFindings, "alerts at or above %s", failOn)
			}
		}
	}
	return nil
}

// keepAlert applies --tags, --status, --exclude-rule and tuning file
// disable/level overrides.
func keepAlert(a *alert.Alert, f scanFlags, disabled map[string]bool, levels map[string]alert.Level, status string) bool {
	if disabled[a.Rule.ID] || disabled[a.Rule.Title] {
		return false
	}
	for _, x := range f.exclude {
		if strings.EqualFold(x, a.Rule.ID) || strings.EqualFold(x, a.Rule.Title) {
			return false
		}
	}
	if len(f.tags) > 0 {
		ok := false
		for _, t := range f.tags {
			ok = ok || hasFold(a.Rule.Tags, t)
		}
		if !ok {
			return false
		}
	}
	if len(f.status) > 0 && !hasFold(f.status, status) {
		return false
	}
	if l, ok := levels[a.Rule.ID]; ok {
		a.Level = l
	} else if l, ok := levels[a.Rule.Title]; ok {
		a.Level = l
	}
	return true
}

// ruleRefID is the id alerts carry for a rule: its id, or its name.
func ruleRefID(id, name string) string {
	if id != "" {
		return id
	}
	return name
}

type handlerFunc func(ev *event.Event)

func (h handlerFunc) Event(ev *event.Event) { h(ev) }

func progressPrinter(w io.Writer) func(scan.Progress) {
	return func(p scan.Progress) {
		secs := p.Elapsed.Seconds()
		if secs <= 0 {
			return
		}
		rate := float64(p.BytesRead) / 1e6 / secs
		eta := ""
		if p.BytesTotal > 0 && p.BytesRead > 0 && p.BytesRead < p.BytesTotal && rate > 0 {
			left := float64(p.BytesTotal-p.BytesRead) / 1e6 / rate
			eta = fmt.Sprintf(", ETA %s", (time.Duration(left) * time.Second).Round(time.Second))
		}
		fmt.Fprintf(w, "\r\033[K%.1f MB read, %d records, %.0f MB/s%s", float64(p.BytesRead)/1e6, p.Records, rate, eta)
	}
}

func buildSummary(res *scan.Result, pack *detect.Pack, found *detect.Result, days []*[event.NumKinds]*output.DaySet, started time.Time, f scanFlags) *output.Summary {
	s := &output.Summary{Started: started.UTC(), Elapsed: output.Duration(res.Elapsed), Bytes: res.Bytes,
		Records: res.Records, Duplicates: res.Duplicates, OutOfRange: res.OutOfRange}
	reasons := map[string]*scan.SkipCount{}
	var order []string
	for _, fs := range res.Files {
		if fs.Err != "" {
			s.AddUnrecognised(fs.Path, fs.Err)
			continue
		}
		s.AddFile(fs.Size, fs.Formats, fs.Kinds)
		for r, c := range fs.SkipReasons {
			agg := reasons[r]
			if agg == nil {
				agg = &scan.SkipCount{}
				reasons[r] = agg
				order = append(order, r)
			}
			agg.Count += c.Count
			for _, smp := range c.Samples {
				if len(agg.Samples) < 5 {
					agg.Samples = append(agg.Samples, smp)
				}
			}
		}
	}
	s.Files = len(res.Files)
	sort.Strings(order)
	for _, r := range order {
		s.AddSkipped(r, reasons[r].Count, reasons[r].Samples)
	}
	for k := 1; k < event.NumKinds; k++ {
		if event.Kind(k) == event.KindAppInventory {
			continue // a snapshot of objects, not a time series: no coverage gaps
		}
		merged := &output.DaySet{}
		for _, d := range days {
			merged.Merge(d[k])
		}
		if merged.Records() > 0 {
			s.SetCoverage(event.Kind(k), merged)
		}
	}
	st := pack.Set.Stats()
	s.Rules.Loaded = len(pack.Rules)
	s.Rules.Compiled = st.Detections + st.Correlations
	for _, p := range pack.Problems {
		switch {
		case p.Warning:
			s.AddRuleWarning(p.String())
		case isUnsupported(p):
			s.AddUnsupported(p.Rule, "log source idsentry does not read")
		default:
			s.AddUnsupported(p.Rule, p.Reason)
		}
	}
	es := found.EngineStats
	if es.DistinctOverflow > 0 {
		s.AddCap("correlation distinct values per key", int64(maxDistinctOr(f.maxDistinct)), es.DistinctOverflow, "")
	}
	// One line per rule whose open alert windows reached the cap and had
	// to close early ("title (id)").
	for _, rule := range slices.Sorted(maps.Keys(found.AlertStats.ClosedEarlyBy)) {
		s.AddCap("open alert keys of "+rule, int64(maxOpenOr(f.maxOpen)), int64(found.AlertStats.ClosedEarlyBy[rule]), "windows closed early")
	}
	s.Warnings = append(s.Warnings, evaluationWarnings(found.Errors)...)
	return s
}

// evaluationWarnings lists what the evaluation could not do (a stored
// record that changed in its input file, an expression that failed on a
// value), which the results lack: the first five, then how many more.
func evaluationWarnings(errs []error) []string {
	const shown = 5
	var out []string
	for i, err := range errs {
		if i == shown {
			return append(out, fmt.Sprintf("%d more evaluation errors", len(errs)-shown))
		}
		out = append(out, "evaluation: "+err.Error())
	}
	return out
}

func writeOutputs(f scanFlags, alerts []alert.Alert, found *detect.Result, sum *output.Summary, profiles []*output.SignInProfiles, loc *time.Location) error {
	write := func(path string, fn func(w io.Writer) error) error {
		if path == "" {
			return nil
		}
		fh, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := fn(fh); err != nil {
			fh.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		return fh.Close()
	}
	if err := write(f.jsonl, func(w io.Writer) error {
		if err := output.WriteJSONL(w, alerts); err != nil {
			return err
		}
		return output.WriteIncidentsJSONL(w, found.Incidents)
	}); err != nil {
		return err
	}
	if err := write(f.csv, func(w io.Writer) error { return output.WriteCSV(w, alerts, loc) }); err != nil {
		return err
	}
	if err := write(f.ocsf, func(w io.Writer) error {
		return output.WriteOCSF(w, alerts, output.OCSFOptions{ProductVersion: version})
	}); err != nil {
		return err
	}
	if err := write(f.timeline, func(w io.Writer) error { return output.WriteTimeline(w, timelineRows(found), loc) }); err != nil {
		return err
	}
	return write(f.html, func(w io.Writer) error {
		merged := &output.SignInProfiles{}
		for _, p := range profiles {
			merged.Merge(p)
		}
		title := f.title
		return output.WriteHTML(w, output.Report{Title: title, Generated: time.Now().UTC(), TZ: loc, Summary: sum, Alerts: alerts, Incidents: found.Incidents, SignIns: merged})
	})
}

// timelineRows merges matched events by record, listing every rule that
// matched each. A record is known by where it was read and what it is, not
// by its copy: the matches of one record can come back from the scan's
// sorted runs as copies of their own.
func timelineRows(found *detect.Result) []output.TimelineRow {
	type record struct {
		origin string // file:line or file#index, unique per record read
		kind   event.Kind
		id     string
	}
	idx := map[record]int{}
	var rows []output.TimelineRow
	for _, m := range found.Matched {
		var k record
		if ev := m.Event; ev != nil {
			k = record{ev.Origin, ev.Kind, ev.ID}
		}
		i, ok := idx[k]
		if !ok {
			i = len(rows)
			idx[k] = i
			rows = append(rows, output.TimelineRow{Event: m.Event})
		}
		rows[i].Rules = append(rows[i].Rules, m.Rule)
	}
	return rows
}

// maxOpenOr returns the effective cap on open alert windows.
func maxOpenOr(n int) int {
	if n != 0 {
		return n
	}
	return alert.DefaultMaxOpen
}

// maxDistinctOr returns the effective distinct-value cap.
func maxDistinctOr(n int) int {
	if n > 0 {
		return n
	}
	return 10000
}
