package output

import (
	"fmt"
	"sort"
	"time"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/event"
)

// Summary is the end-of-scan accounting that the scan driver fills and
// every output shows: what was read, what was skipped or dropped and why,
// the time covered per log kind and its gaps, the rules, and what was
// found. Nothing read or dropped goes unreported (issue 5, users.md T7).
//
// The driver sets the scalar fields directly and uses the Add* and Set*
// helpers for the rest, then calls Finish once before writing.
type Summary struct {
	// Version is the idsentry version; Command the command line; Started
	// when the scan began. All optional (shown when set).
	Version string    `json:"version,omitempty"`
	Command string    `json:"command,omitempty"`
	Started time.Time `json:"started,omitzero"`
	// Elapsed is the wall-clock duration of the scan.
	Elapsed Duration `json:"elapsed"`
	// Bytes is the number of decoded bytes read; MBPerSecond is
	// Bytes/1e6/Elapsed, set by Finish.
	Bytes       int64   `json:"bytes"`
	MBPerSecond float64 `json:"mb_per_second"`

	// Files is the number of input files, unrecognised ones included.
	Files int `json:"files"`
	// Records is the number of records normalised and matched.
	Records int64 `json:"records"`
	// InputsByFormat and InputsByKind break the inputs down by export
	// format and by log kind (AddFile).
	InputsByFormat []InputCount `json:"inputs_by_format"`
	InputsByKind   []InputCount `json:"inputs_by_kind"`
	// Skipped lists records that could not be read or normalised, by
	// reason, with the first few origins of each (AddSkipped).
	Skipped []SkipReason `json:"skipped,omitempty"`
	// Duplicates counts records dropped because an earlier record had the
	// same kind and record ID; OutOfRange those outside --from/--to.
	Duplicates int64 `json:"duplicates"`
	OutOfRange int64 `json:"out_of_range"`
	// Unrecognised lists files that could not be read at all.
	Unrecognised []FileError `json:"unrecognised,omitempty"`
	// Coverage is the time range and gaps per log kind (SetCoverage).
	Coverage []Coverage `json:"coverage,omitempty"`

	Rules RuleStats `json:"rules"`

	// Alerts counts alerts by level; Incidents the risk incidents raised.
	Alerts    AlertStats `json:"alerts"`
	Incidents int        `json:"incidents"`
	// Top entities and rules by alert count (CountAlerts).
	TopRules []Count `json:"top_rules,omitempty"`
	TopUsers []Count `json:"top_users,omitempty"`
	TopIPs   []Count `json:"top_ips,omitempty"`
	TopApps  []Count `json:"top_apps,omitempty"`

	// Caps lists the bounded-state limits that were hit (correlation
	// windows, distinct-value sets) and how much overflowed.
	Caps []CapHit `json:"caps,omitempty"`
	// Warnings are coverage and sanity warnings for the analyst ("no
	// non-interactive sign-ins present"). Finish adds one per gap-bearing
	// log kind.
	Warnings []string `json:"warnings,omitempty"`
}

// Duration is a time.Duration that renders as text ("1.5s") in JSON.
type Duration time.Duration

// String renders the duration rounded to the millisecond ("1.5s").
func (d Duration) String() string { return time.Duration(d).Round(time.Millisecond).String() }

// MarshalText renders the duration as String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("parse duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// InputCount is the share of the input in one format or log kind.
type InputCount struct {
	Name    string `json:"name"`
	Files   int    `json:"files"`
	Bytes   int64  `json:"bytes"`
	Records int64  `json:"records"`
}

// SkipReason counts skipped records of one reason and keeps the first few
// origins (file:line).
type SkipReason struct {
	Reason string   `json:"reason"`
	Count  int64    `json:"count"`
	First  []string `json:"first,omitempty"`
}

// FileError is a file that could not be read or recognised.
type FileError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Coverage is the time covered by one log kind.
type Coverage struct {
	Kind    event.Kind `json:"kind"`
	Records int64      `json:"records"`
	First   time.Time  `json:"first,omitzero"`
	Last    time.Time  `json:"last,omitzero"`
	// Days is the number of UTC days with records; GapDays the number of
	// days without any between First and Last; Gaps lists those runs.
	Days    int   `json:"days"`
	GapDays int   `json:"gap_days"`
	Gaps    []Gap `json:"gaps,omitempty"`
}

// RuleStats accounts for the rule pack.
type RuleStats struct {
	Loaded   int `json:"loaded"`
	Compiled int `json:"compiled"`
	// Unsupported lists rules that could not be compiled, by reason.
	Unsupported []RuleReason `json:"unsupported,omitempty"`
	// Warnings counts load-time warnings (unknown fields, …); Samples
	// keeps the first few.
	Warnings       int      `json:"warnings"`
	WarningSamples []string `json:"warning_samples,omitempty"`
}

// RuleReason is a reason rules were not compiled and the first few of them.
type RuleReason struct {
	Reason string   `json:"reason"`
	Count  int      `json:"count"`
	Rules  []string `json:"rules,omitempty"`
}

// AlertStats counts alerts by level.
type AlertStats struct {
	Total   int                 `json:"total"`
	ByLevel map[alert.Level]int `json:"by_level"`
}

// Count is a name and how many alerts carry it.
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// CapHit is a bounded-state limit that was reached, how many values or
// keys it affected, and what happened to them (Effect: "turned away" when
// empty).
type CapHit struct {
	Name     string `json:"name"`
	Limit    int64  `json:"limit"`
	Overflow int64  `json:"overflow"`
	Effect   string `json:"effect,omitempty"`
}

// maxSamples bounds the origins kept per skip reason and rules per
// unsupported reason.
const maxSamples = 5

// AddFile accounts for one input file of size bytes holding the given
// records per export format and per log kind (as scan.FileStats has them).
// The file counts once under each format and kind it holds; its bytes are
// shared out in proportion to the records.
func (s *Summary) AddFile(size int64, formats, kinds map[string]int64) {
	s.Files++
	s.InputsByFormat = addInputs(s.InputsByFormat, size, formats)
	s.InputsByKind = addInputs(s.InputsByKind, size, kinds)
}

func addInputs(list []InputCount, size int64, counts map[string]int64) []InputCount {
	var total int64
	for _, n := range counts {
		total += n
	}
	names := sortedKeys(counts)
	var given int64
	for i, name := range names {
		n := counts[name]
		share := int64(0)
		if total > 0 {
			share = int64(float64(size) * float64(n) / float64(total))
		}
		if i == len(names)-1 {
			share = size - given // rounding remainder to the last
		}
		given += share
		idx := -1
		for j := range list {
			if list[j].Name == name {
				idx = j
				break
			}
		}
		if idx < 0 {
			list = append(list, InputCount{Name: name})
			idx = len(list) - 1
		}
		list[idx].Files++
		list[idx].Bytes += share
		list[idx].Records += n
	}
	return list
}

// AddSkipped adds count skipped records of a reason, with their first
// origins; it may be called once per file and reason.
func (s *Summary) AddSkipped(reason string, count int64, first []string) {
	for i := range s.Skipped {
		if s.Skipped[i].Reason == reason {
			s.Skipped[i].Count += count
			s.Skipped[i].First = appendCapped(s.Skipped[i].First, first, maxSamples)
			return
		}
	}
	s.Skipped = append(s.Skipped, SkipReason{Reason: reason, Count: count, First: appendCapped(nil, first, maxSamples)})
}

// SkippedTotal returns the number of skipped records over all reasons.
func (s *Summary) SkippedTotal() int64 {
	var n int64
	for _, r := range s.Skipped {
		n += r.Count
	}
	return n
}

// AddUnrecognised records a file that could not be read at all.
func (s *Summary) AddUnrecognised(path, message string) {
	s.Unrecognised = append(s.Unrecognised, FileError{Path: path, Message: message})
}

// AddUnsupported records a rule that could not be compiled and why.
func (s *Summary) AddUnsupported(rule, reason string) {
	for i := range s.Rules.Unsupported {
		u := &s.Rules.Unsupported[i]
		if u.Reason == reason {
			u.Count++
			u.Rules = appendCapped(u.Rules, []string{rule}, maxSamples)
			return
		}
	}
	s.Rules.Unsupported = append(s.Rules.Unsupported, RuleReason{Reason: reason, Count: 1, Rules: []string{rule}})
}

// AddRuleWarning records a rule load warning.
func (s *Summary) AddRuleWarning(msg string) {
	s.Rules.Warnings++
	s.Rules.WarningSamples = appendCapped(s.Rules.WarningSamples, []string{msg}, maxSamples)
}

// SetCoverage records the time range and gaps of one log kind from its
// merged DaySet.
func (s *Summary) SetCoverage(kind event.Kind, d *DaySet) {
	c := Coverage{Kind: kind, Records: d.Records(), First: d.First(), Last: d.Last(),
		Days: d.Days(), GapDays: d.GapDays(), Gaps: d.Gaps()}
	for i := range s.Coverage {
		if s.Coverage[i].Kind == kind {
			s.Coverage[i] = c
			return
		}
	}
	s.Coverage = append(s.Coverage, c)
}

// AddCap records a bounded-state limit that was hit; effect says what
// happened to the overflow ("" for turned away).
func (s *Summary) AddCap(name string, limit, overflow int64, effect string) {
	s.Caps = append(s.Caps, CapHit{Name: name, Limit: limit, Overflow: overflow, Effect: effect})
}

// EffectText is what happened to the cap's overflow.
func (c CapHit) EffectText() string {
	if c.Effect == "" {
		return "turned away"
	}
	return c.Effect
}

// CountAlerts fills the alert counts by level and the top rules, users, IPs
// and apps (by number of alerts, the n most frequent of each; n <= 0 means
// 10). Users are account, AWS principal and Kubernetes service account
// entities; apps are application and service principal entities.
func (s *Summary) CountAlerts(alerts []alert.Alert, n int) {
	if n <= 0 {
		n = 10
	}
	s.Alerts = AlertStats{Total: len(alerts), ByLevel: map[alert.Level]int{}}
	rules, users, ips, apps := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for i := range alerts {
		a := &alerts[i]
		s.Alerts.ByLevel[a.Level]++
		rules[a.Rule.Title]++
		for _, v := range entityValues(a, groupUser) {
			users[v]++
		}
		for _, v := range entityValues(a, groupIP) {
			ips[v]++
		}
		for _, v := range entityValues(a, groupApp) {
			apps[v]++
		}
	}
	s.TopRules, s.TopUsers, s.TopIPs, s.TopApps = topN(rules, n), topN(users, n), topN(ips, n), topN(apps, n)
}

// Finish orders every list deterministically, computes MBPerSecond and
// adds a warning for each log kind with gaps.
func (s *Summary) Finish() {
	if sec := time.Duration(s.Elapsed).Seconds(); sec > 0 {
		s.MBPerSecond = float64(s.Bytes) / 1e6 / sec
	}
	byRecords := func(l []InputCount) {
		sort.SliceStable(l, func(i, j int) bool {
			if l[i].Records != l[j].Records {
				return l[i].Records > l[j].Records
			}
			return l[i].Name < l[j].Name
		})
	}
	byRecords(s.InputsByFormat)
	byRecords(s.InputsByKind)
	sort.SliceStable(s.Skipped, func(i, j int) bool {
		if s.Skipped[i].Count != s.Skipped[j].Count {
			return s.Skipped[i].Count > s.Skipped[j].Count
		}
		return s.Skipped[i].Reason < s.Skipped[j].Reason
	})
	sort.SliceStable(s.Unrecognised, func(i, j int) bool { return s.Unrecognised[i].Path < s.Unrecognised[j].Path })
	sort.SliceStable(s.Coverage, func(i, j int) bool { return s.Coverage[i].Kind < s.Coverage[j].Kind })
	sort.SliceStable(s.Rules.Unsupported, func(i, j int) bool {
		u := s.Rules.Unsupported
		if u[i].Count != u[j].Count {
			return u[i].Count > u[j].Count
		}
		return u[i].Reason < u[j].Reason
	})
	sort.SliceStable(s.Caps, func(i, j int) bool { return s.Caps[i].Name < s.Caps[j].Name })
	for _, c := range s.Coverage {
		if c.GapDays == 0 {
			continue
		}
		w := fmt.Sprintf("%s: %s without records between %s and %s", c.Kind, plural(c.GapDays, "day"),
			c.First.UTC().Format(time.DateOnly), c.Last.UTC().Format(time.DateOnly))
		if !containsString(s.Warnings, w) {
			s.Warnings = append(s.Warnings, w)
		}
	}
}
