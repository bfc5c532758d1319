package compile

import (
	"fmt"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/sigma"
)

// Options configure compilation.
type Options struct {
	// Placeholders holds the values of expand placeholders, by name without
	// the percent signs ("Administrators"). Values are Sigma strings: their
	// wildcards are live.
	Placeholders map[string][]string
	// Prefilter chooses when the raw-bytes prefilter runs (default
	// PrefilterAuto).
	Prefilter PrefilterMode
}

// PrefilterMode chooses when a kind's raw-bytes prefilter runs.
type PrefilterMode uint8

const (
	// PrefilterAuto runs the prefilter on a record when the estimated
	// cost of the rules it can skip outweighs scanning the raw record,
	// which grows with the record's length: on JSON records the scan of
	// prefilterBytesPerCost bytes costs about as much as evaluating one
	// simple field comparison (measured with BenchmarkMatch on sign-in
	// records, 1.6 to 2.6 KB each: the sign-in rules of the SigmaHQ corpus,
	// 35 comparisons' worth, cost less to evaluate than the scan, and on the
	// bench's 3.6 KB records the 69 of the built-in pack and the corpus do
	// too).
	PrefilterAuto PrefilterMode = iota
	// PrefilterOn always runs it (when some rule has literals).
	PrefilterOn
	// PrefilterOff never runs it.
	PrefilterOff
)

// prefilterBytesPerCost is how many bytes of a raw record the prefilter
// scans in the time one simple field comparison takes; a kind's prefilter
// runs on records up to benefit × prefilterBytesPerCost bytes long, where
// benefit is the estimated evaluation cost of the rules it can skip.
const prefilterBytesPerCost = 32

// prefilterMinLen is the shortest record length limit worth building a
// prefilter for (PrefilterAuto).
const prefilterMinLen = 512

// Reasons a rule is unsupported; Stats.Unsupported counts by them.
const (
	ReasonLogSource   = "log source"
	ReasonModifier    = "modifier"
	ReasonRegex       = "regular expression"
	ReasonPlaceholder = "placeholder"
	ReasonInvalid     = "invalid detection"
	ReasonAggregation = "aggregation"
	ReasonCorrelation = "invalid correlation"
	ReasonReference   = "reference"
	ReasonFilter      = "invalid filter"
	// ReasonParse counts documents the parser reported errors for.
	ReasonParse = "parse error"
	// ReasonUnknownField is the reason of warnings about fields no table
	// of the kind knows.
	ReasonUnknownField = "unknown field"
)

// Problem is an error or warning about a rule, positioned in its file.
type Problem struct {
	File      string
	Line, Col int
	// Rule is the rule's id, or its title when it has none.
	Rule string
	Msg  string
	// Reason is the category the problem counts under (Reason*).
	Reason string
	// Warning problems leave the rule compiled.
	Warning bool
}

// Error formats the problem as file:line:col: message.
func (p *Problem) Error() string {
	sev := ""
	if p.Warning {
		sev = "warning: "
	}
	return fmt.Sprintf("%s:%d:%d: %s%s", p.File, p.Line, p.Col, sev, p.Msg)
}

// Rule is a compiled rule: a detection rule, a correlation rule, or a
// detection rule with a legacy aggregation (which is both).
type Rule struct {
	// Sigma is the parsed rule.
	Sigma *sigma.Rule
	ID    string
	Title string
	Name  string
	Level string
	Tags  []string
	// Kinds are the log kinds the rule runs on (for a correlation, the
	// union of its inputs' kinds).
	Kinds []event.Kind
	// Correlation is set for correlation rules and for detection rules with
	// a legacy "| count() by" aggregation.
	Correlation *Correlation
	// In lists the correlations this rule's hits feed (a detection rule's
	// matches, a correlation's firings), in set order. A legacy aggregation
	// is fed by its own matches and is not listed here.
	In []*Rule
	// Generate reports whether the rule's hits are reported on their own:
	// a rule no correlation references, or one referenced by a correlation
	// with generate: true. The matches of a legacy aggregation rule are
	// never reported on their own, only its firings.
	Generate bool
	// Index is the rule's position in Set.Rules: a stable tie-break.
	Index int
}

// IsCorrelation reports whether the rule's hits come from a correlation.
func (r *Rule) IsCorrelation() bool { return r.Correlation != nil }

// String names the rule for messages.
func (r *Rule) String() string {
	if r.ID != "" {
		return r.ID
	}
	if r.Name != "" {
		return r.Name
	}
	return r.Title
}

// Set is a compiled rule set. It is immutable and safe for concurrent use;
// each worker matches with its own Matcher.
type Set struct {
	// Rules are the compiled rules, detection and correlation, in input
	// order.
	Rules []*Rule
	kinds [event.NumKinds]*kindTable
	order []*Rule // correlations, inputs before the correlations they feed
	stats Stats
	slots int // the largest slot count of any kind
}

// Correlations returns the correlation rules (legacy aggregations
// included) in dependency order: a correlation comes after every
// correlation it references.
func (s *Set) Correlations() []*Rule { return s.order }

// Rule returns the rule with the given id or name, or nil.
func (s *Set) Rule(idOrName string) *Rule {
	for _, r := range s.Rules {
		if r.ID == idOrName || (r.Name != "" && r.Name == idOrName) {
			return r
		}
	}
	return nil
}

// Stats are the counts of a compilation, for `rules check` and the scan
// summary.
type Stats struct {
	// Documents is the number of rule documents given.
	Documents int
	// Detections and Correlations count compiled rules (a legacy
	// aggregation counts as both); Filters counts applied filters.
	Detections   int
	Correlations int
	Filters      int
	// Unsupported counts rules and filters that did not compile, by reason.
	Unsupported map[string]int
	// Warnings counts warning problems, by reason.
	Warnings map[string]int
	// Kinds has per-kind figures, by kind name.
	Kinds map[string]KindStats
}

// UnsupportedTotal is the number of documents that did not compile.
func (s Stats) UnsupportedTotal() int {
	n := 0
	for _, c := range s.Unsupported {
		n += c
	}
	return n
}

// KindStats are the figures of one log kind.
type KindStats struct {
	Rules       int // detection rules running on the kind
	Slots       int // distinct field paths they reference
	Prefiltered int // rules with a raw-bytes literal requirement
	Literals    int // distinct prefilter literals
	// PrefilterMax is the longest raw record the prefilter runs on (0:
	// none; math.MaxInt: every record).
	PrefilterMax int
}

// Stats returns the compilation's counts.
func (s *Set) Stats() Stats { return s.stats }
