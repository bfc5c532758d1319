// Package compile turns parsed Sigma rules into matchers.
//
// Compile routes each rule to the log kinds its logsource names (see
// Routes), resolves its field names through the kind's alias tables, and
// compiles its detection into closures over a per-kind slot array: the
// union of the canonical paths that the kind's rules reference is numbered,
// each slot is resolved at most once per event, and predicates index slots.
// Literals are case-folded at compile time; lists of plain values become
// one hash set and lists of substrings one Aho–Corasick automaton; a
// raw-bytes literal prefilter (prefilter.go) skips rules, and whole events,
// that cannot match. Correlation rules and legacy aggregations are resolved
// into a graph the engine evaluates.
//
// Matching semantics (DESIGN.md §4 and the Sigma specification v2):
//   - Strings match case-insensitively unless the cased modifier is given;
//     "*" and "?" are wildcards, "\" escapes them and itself.
//   - Numbers: a YAML number matches a JSON number of equal value, a JSON
//     string that reads as that number ("65004" for 65004) and, as text,
//     the same spelling; a YAML string that reads as a number matches a
//     JSON number of equal value ("65004" matches 65004) and otherwise
//     compares as text. Two strings always compare as text ("007" is not
//     "7"). gt/gte/lt/lte compare numbers and numeric strings.
//   - null matches a missing field, a null value or an empty array; ”
//     matches an empty string only; exists tests presence, null included.
//   - A field holding an array matches when any element does ("all" needs
//     each listed value matched by some element); paths descend into arrays
//     of objects at any level.
//   - Objects are matched as their compact JSON text (so contains finds
//     text inside a list of property bags).
//   - Keywords match any scalar value anywhere in the canonical event
//     (strings, numbers and booleans as text), as substrings.
//   - re uses Go's RE2 syntax, unanchored, case-sensitive unless re|i;
//     constructs RE2 lacks (look-around, back-references) are reported as a
//     per-rule problem. cidr accepts IPv4 and IPv6 networks; an event value
//     that is not an address (such as "255.090.254.5") does not match.
//   - neq negates the whole matcher (a missing field is "not equal").
//   - fieldref compares with another field of the same event (equality, or
//     contains/startswith/endswith), case-insensitively unless cased.
//   - expand replaces %name% placeholders from Options.Placeholders; a rule
//     with a placeholder that has no values is rejected.
package compile

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/normalize"
	"github.com/idsentry/idsentry/internal/sigma"
)

// kindTable is the compiled form of one log kind: its slot paths and the
// rules that run on it.
type kindTable struct {
	kind  event.Kind
	paths []event.Path
	// dotted[i][a][b-a-1] is paths[i][a..b] joined with dots (b > a), the
	// keys event.Each tries for field names that contain dots.
	dotted [][][]string
	slotOf map[string]int
	rules  []kindRule
	pf     *prefilter
	// pfMax is the longest raw record the prefilter runs on: beyond it,
	// scanning costs more than evaluating the rules it could skip.
	pfMax int
	// names holds the kind's field names, lower-cased and NUL-separated,
	// with JSON's constants: literals inside it occur in nearly every raw
	// record (as keys), so the prefilter does not use them.
	names string
}

// common reports whether a prefilter literal is too common to select.
func (kt *kindTable) common(lit string) bool {
	if kt.names == "" {
		var b strings.Builder
		b.WriteString("\x00true\x00false\x00null\x00")
		for _, f := range normalize.Fields(kt.kind) {
			b.WriteString(strings.ToLower(f))
			b.WriteByte(0)
		}
		kt.names = b.String()
	}
	return strings.Contains(kt.names, lit)
}

// kindRule is one rule compiled for one kind.
type kindRule struct {
	rule *Rule
	cond node
}

func (kt *kindTable) slotFor(p event.Path) int {
	key := strings.Join(p, "\x00")
	if i, ok := kt.slotOf[key]; ok {
		return i
	}
	i := len(kt.paths)
	kt.paths = append(kt.paths, p)
	d := make([][]string, len(p))
	for a := range p {
		for b := a + 1; b < len(p); b++ {
			d[a] = append(d[a], strings.Join(p[a:b+1], "."))
		}
	}
	kt.dotted = append(kt.dotted, d)
	kt.slotOf[key] = i
	return i
}

// compiler holds the state of one Compile call.
type compiler struct {
	opts     Options
	set      *Set
	problems []*Problem
	// compiled detection nodes per rule, by kind, before filters.
	nodes map[*Rule][]kindRule
	// rules by sigma document, for references.
	bySigma map[*sigma.Rule]*Rule
	failed  map[*sigma.Rule]string // documents that did not compile, with the reason
	// paths shares one event.Path per canonical path among correlation
	// inputs, so that the engine can cache a path's value per event by
	// the path's identity.
	paths map[string]event.Path
}

// Compile compiles rules. It returns the set of every rule that compiled
// and the problems found: errors (the rule is left out and counted in
// Stats.Unsupported by reason) and warnings (the rule is kept). Compile
// never fails as a whole.
func Compile(rules []*sigma.Rule, opts Options) (*Set, []*Problem) {
	c := &compiler{
		opts:    opts,
		set:     &Set{},
		nodes:   map[*Rule][]kindRule{},
		bySigma: map[*sigma.Rule]*Rule{},
		failed:  map[*sigma.Rule]string{},
	}
	c.set.stats = Stats{Documents: len(rules), Unsupported: map[string]int{}, Warnings: map[string]int{}, Kinds: map[string]KindStats{}}
	for k := range c.set.kinds {
		c.set.kinds[k] = &kindTable{kind: event.Kind(k), slotOf: map[string]int{}}
	}
	var filters, correlations []*sigma.Rule
	for _, r := range rules {
		switch {
		case r == nil:
		case r.Invalid:
			c.fail(r, r.Pos, ReasonParse, "rule has parse errors and is not compiled")
		case r.Filter != nil:
			filters = append(filters, r)
		case r.Correlation != nil:
			correlations = append(correlations, r)
		case r.Detection != nil:
			c.detection(r)
		default:
			c.fail(r, r.Pos, ReasonInvalid, "document has no detection, correlation or filter")
		}
	}
	for _, f := range filters {
		c.filter(f)
	}
	c.correlations(correlations)
	c.finish()
	sort.SliceStable(c.problems, func(i, j int) bool {
		a, b := c.problems[i], c.problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return c.set, c.problems
}

func ruleLabel(r *sigma.Rule) string {
	if r.ID != "" {
		return r.ID
	}
	return r.Title
}

// problem records a problem about document r.
func (c *compiler) problem(r *sigma.Rule, pos sigma.Pos, reason string, warning bool, format string, args ...any) {
	if pos.Line == 0 {
		pos = r.Pos
	}
	c.problems = append(c.problems, &Problem{
		File: r.File, Line: pos.Line, Col: pos.Col, Rule: ruleLabel(r),
		Msg: fmt.Sprintf(format, args...), Reason: reason, Warning: warning,
	})
	if warning {
		c.set.stats.Warnings[reason]++
	}
}

// fail records that document r does not compile.
func (c *compiler) fail(r *sigma.Rule, pos sigma.Pos, reason, format string, args ...any) {
	if _, done := c.failed[r]; done {
		return
	}
	c.problem(r, pos, reason, false, format, args...)
	c.failed[r] = reason
	c.set.stats.Unsupported[reason]++
}

// failErr records a compile error.
func (c *compiler) failErr(r *sigma.Rule, err error) {
	if e, ok := err.(*errorAt); ok {
		c.fail(r, e.pos, e.reason, "%s", e.msg)
		return
	}
	c.fail(r, r.Pos, ReasonInvalid, "%v", err)
}

// newRule registers a compiled rule.
func (c *compiler) newRule(r *sigma.Rule) *Rule {
	cr := &Rule{
		Sigma: r, ID: r.ID, Title: r.Title, Name: r.Name,
		Level: strings.ToLower(r.Level), Tags: r.Tags, Index: len(c.set.Rules),
	}
	c.set.Rules = append(c.set.Rules, cr)
	c.bySigma[r] = cr
	return cr
}

// kindResult is a detection compiled for one kind.
type kindResult struct {
	kind    event.Kind
	node    node
	unknown []unknownField
}

// compileFor compiles a detection (searches and conditions) for kind k.
func (c *compiler) compileFor(k event.Kind, searches []*sigma.Search, conds []*sigma.Condition, at sigma.Pos) (kindResult, error) {
	b := newBuilder(c, c.set.kinds[k], searches)
	n, err := b.conditionNode(conds, at)
	if err != nil {
		return kindResult{}, err
	}
	return kindResult{kind: k, node: n, unknown: b.unknown}, nil
}

// detection compiles a detection rule.
func (c *compiler) detection(r *sigma.Rule) {
	route, ok, reason := RouteOf(r.LogSource)
	if !ok {
		c.fail(r, r.LogSource.Pos, ReasonLogSource, "%s", reason)
		return
	}
	det := r.Detection
	conds := det.Conditions
	var agg *sigma.Aggregation
	for _, cd := range conds {
		if cd.Aggregation != nil {
			if len(conds) > 1 {
				c.fail(r, cd.Pos, ReasonAggregation, "an aggregation cannot be part of a list of conditions")
				return
			}
			agg = cd.Aggregation
		}
	}
	var results []kindResult
	for _, k := range route.Kinds {
		res, err := c.compileFor(k, det.Searches, conds, det.Pos)
		if err != nil {
			c.failErr(r, err)
			return
		}
		results = append(results, res)
	}
	var also []kindResult
	for _, k := range route.Also {
		res, err := c.compileFor(k, det.Searches, conds, det.Pos)
		if err != nil {
			c.failErr(r, err)
			return
		}
		also = append(also, res)
	}
	// "Also" kinds join where every field is known; with no primary kind
	// and no such kind, the rule runs on all of them, with warnings.
	accepted := 0
	for _, res := range also {
		if len(res.unknown) == 0 {
			results = append(results, res)
			accepted++
		}
	}
	if len(route.Kinds) == 0 && accepted == 0 {
		results = also
	}
	c.warnUnknown(r, results)

	cr := c.newRule(r)
	for _, res := range results {
		cr.Kinds = append(cr.Kinds, res.kind)
		c.nodes[cr] = append(c.nodes[cr], kindRule{rule: cr, cond: res.node})
	}
	if agg != nil {
		c.legacy(cr, agg)
	}
}

// warnUnknown warns once per unknown field name, listing the kinds.
func (c *compiler) warnUnknown(r *sigma.Rule, results []kindResult) {
	type entry struct {
		pos   sigma.Pos
		kinds []string
	}
	byName := map[string]*entry{}
	var names []string
	for _, res := range results {
		for _, u := range res.unknown {
			e := byName[u.name]
			if e == nil {
				e = &entry{pos: u.pos}
				byName[u.name] = e
				names = append(names, u.name)
			}
			if ks := res.kind.String(); !slices.Contains(e.kinds, ks) {
				e.kinds = append(e.kinds, ks)
			}
		}
	}
	for _, n := range names {
		e := byName[n]
		c.problem(r, e.pos, ReasonUnknownField, true,
			"field %q is not a field of %s events: it matches only records that carry it as written", n, strings.Join(e.kinds, ", "))
	}
}

// filter applies a filter document to the rules it names.
func (c *compiler) filter(f *sigma.Rule) {
	flt := f.Filter
	if flt.Condition == nil {
		c.fail(f, flt.Pos, ReasonFilter, "filter has no condition")
		return
	}
	if len(flt.Rules) == 0 {
		c.fail(f, flt.Pos, ReasonFilter, "filter names no rules")
		return
	}
	type change struct {
		kr   *kindRule
		node node
	}
	var changes []change
	for _, ref := range flt.Rules {
		var targets []*Rule
		for _, cr := range c.set.Rules {
			if cr.ID == ref || (cr.Name != "" && cr.Name == ref) {
				targets = append(targets, cr)
			}
		}
		if len(targets) == 0 {
			c.problem(f, flt.Pos, ReasonReference, true, "filter names rule %q, which is not loaded or did not compile", ref)
			continue
		}
		for _, cr := range targets {
			krs := c.nodes[cr]
			results := make([]kindResult, 0, len(krs))
			for i := range krs {
				res, err := c.compileFor(cr.Kinds[i], flt.Searches, []*sigma.Condition{flt.Condition}, flt.Pos)
				if err != nil {
					c.failErr(f, err)
					return
				}
				results = append(results, res)
				changes = append(changes, change{kr: &krs[i], node: res.node})
			}
			c.warnUnknown(f, results)
		}
	}
	for _, ch := range changes {
		ch.kr.cond = andNode([]node{ch.kr.cond, notNode(ch.node)})
	}
	if len(changes) > 0 {
		c.set.stats.Filters++
	}
}

// finish builds the kind tables, the prefilters and the statistics.
func (c *compiler) finish() {
	for _, cr := range c.set.Rules {
		for i, kr := range c.nodes[cr] {
			kt := c.set.kinds[cr.Kinds[i]]
			kt.rules = append(kt.rules, kr)
		}
		if len(c.nodes[cr]) > 0 {
			c.set.stats.Detections++
		}
		if cr.Correlation != nil {
			c.set.stats.Correlations++
		}
	}
	for _, kt := range c.set.kinds {
		if len(kt.rules) == 0 {
			continue
		}
		sets := make([]litSet, len(kt.rules))
		benefit := 0
		for i, kr := range kt.rules {
			sets[i] = kr.cond.lits
			if sets[i] != nil {
				benefit += kr.cond.cost
			}
		}
		switch c.opts.Prefilter {
		case PrefilterOn:
			kt.pf, kt.pfMax = buildPrefilter(sets), math.MaxInt
		case PrefilterAuto:
			if limit := benefit * prefilterBytesPerCost; limit >= prefilterMinLen {
				kt.pf, kt.pfMax = buildPrefilter(sets), limit
			}
		}
		ks := KindStats{Rules: len(kt.rules), Slots: len(kt.paths)}
		if kt.pf != nil {
			ks.Prefiltered = kt.pf.total
			ks.Literals = kt.pf.lits
			ks.PrefilterMax = kt.pfMax
		}
		c.set.stats.Kinds[kt.kind.String()] = ks
		c.set.slots = max(c.set.slots, len(kt.paths))
	}
}
