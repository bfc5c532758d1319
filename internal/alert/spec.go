package alert

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// Defaults of the idsentry attribute (docs/rule-attribute.md).
const (
	DefaultWindow      = time.Hour // grouping window when group-by is set
	DefaultMaxValues   = 20        // distinct values kept per output field
	DefaultMaxEvidence = 5         // evidence events kept per alert
	maxMaxValues       = 1000
	maxEvidenceLimit   = 100
)

// Spec is a rule's compiled idsentry attribute: how its matches become
// alerts. It is immutable once parsed (Tune returns a copy) and safe for
// concurrent use.
type Spec struct {
	// Rule is the rule the spec belongs to, with Implements filled from the
	// attribute.
	Rule RuleRef
	// GroupBy lists the fields of the alert key; empty means one alert per
	// match unless Window is set (then one alert per window).
	GroupBy []string
	// Window is the grouping window, anchored at the key's first match;
	// zero means no grouping (one alert per match).
	Window time.Duration
	// Values lists the output fields whose distinct values the alert
	// carries.
	Values []string
	// MaxValues caps the distinct values kept per field.
	MaxValues int
	// MaxEvidence caps the evidence events per alert; 0 means the Builder's
	// default.
	MaxEvidence int
	// RaiseOutsideHours raises the level one step when the alert's first
	// match falls outside business hours.
	RaiseOutsideHours bool
	// Options are the rule's named parameters after tuning: int, float64,
	// bool, string or []string values.
	Options map[string]any

	valueCaps map[string]int // per-field caps below MaxValues
	message   *Template
	entities  []entityMap
	risk      []riskMap
	threats   []threatMap
	tiers     []tier
	having    *compiled
	allowlist []allowRule
	tactics   []string
	fields    []string // sorted, unique: every field the spec reads
	paths     []event.Path
	tracked   []string // fields whose distinct values are collected
}

// entityMap maps match fields onto one entity's attributes.
type entityMap struct {
	typ   string
	attrs []entityAttr // sorted by name
}

type entityAttr struct {
	name string
	tmpl *Template
}

// riskMap declares a risk object: a field's values accrue score.
type riskMap struct {
	typ   string
	field string
	score int
}

// threatMap declares a threat object.
type threatMap struct {
	typ   string
	field string
}

// tier is one severity tier: when its expression holds, the alert takes
// its level and multiplies its risk scores by factor.
type tier struct {
	level  Level
	when   *compiled
	factor float64
}

// compiled is a compiled expr program and its source.
type compiled struct {
	src  string
	prog *vm.Program
	// context: the expression reads the enrichment (ip_priority, roles,
	// groups, tags), so it can only be evaluated after it.
	context bool
	// fields are the keys it reads from distinct and values; dynamic
	// reports other uses of those maps (then any field may be read).
	fields  []string
	dynamic bool
}

// DefaultSpec is the spec of a rule without an idsentry attribute: one
// alert per match at the rule's own level, titled by the rule.
func DefaultSpec(rule RuleRef) *Spec {
	s := &Spec{Rule: rule, MaxValues: DefaultMaxValues, Options: map[string]any{}}
	s.tactics = tacticsOf(rule.Tags)
	s.message = &Template{src: rule.Title, parts: []tmplPart{{kind: refText, text: rule.Title}}}
	return s
}

// Fields returns every canonical field the spec reads, sorted: the fields
// the integrator extracts from each matching event into Match.Fields.
func (s *Spec) Fields() []string { return append([]string(nil), s.fields...) }

// Tactics returns the ATT&CK tactics named by the rule's tags.
func (s *Spec) Tactics() []string { return append([]string(nil), s.tactics...) }

// Message returns the message template's source.
func (s *Spec) Message() string { return s.message.String() }

// maxValues is the cap on distinct values per field, entities per
// mapping, and risk and threat objects per mapping.
func (s *Spec) maxValues() int {
	if s.MaxValues > 0 {
		return s.MaxValues
	}
	return DefaultMaxValues
}

// valueCap returns the number of distinct values shown for field f.
func (s *Spec) valueCap(f string) int {
	n := s.maxValues()
	if c, ok := s.valueCaps[f]; ok && c < n {
		return c
	}
	return n
}

// perEvent reports whether every match is an alert of its own.
func (s *Spec) perEvent() bool { return s.Window <= 0 }

// finish computes the derived field lists.
func (s *Spec) finish(exprFields []string) {
	tracked := map[string]bool{}
	for _, f := range s.Values {
		tracked[f] = true
	}
	for _, f := range exprFields {
		tracked[f] = true
	}
	if s.message != nil {
		for _, f := range s.message.aggregateFields() {
			tracked[f] = true
		}
	}
	for _, f := range s.GroupBy {
		delete(tracked, f)
	}
	s.tracked = sortedKeys(tracked)

	all := map[string]bool{}
	add := func(fs ...string) {
		for _, f := range fs {
			all[f] = true
		}
	}
	add(s.GroupBy...)
	add(s.tracked...)
	if s.message != nil {
		add(s.message.fields()...)
	}
	for _, e := range s.entities {
		for _, a := range e.attrs {
			add(a.tmpl.fields()...)
		}
	}
	for _, r := range s.risk {
		add(r.field)
	}
	for _, t := range s.threats {
		add(t.field)
	}
	for _, a := range s.allowlist {
		add(a.field)
	}
	s.fields = sortedKeys(all)
	s.paths = make([]event.Path, len(s.fields))
	for i, f := range s.fields {
		s.paths[i] = event.ParsePath(f)
	}
}

// Extract reads the spec's fields from a canonical event into the form
// Match.Fields takes: every value at each path (descending into arrays),
// as text. Absent fields are left out.
func (s *Spec) Extract(ev *event.Event) map[string][]string {
	if ev == nil || ev.Doc == nil || len(s.fields) == 0 {
		return nil
	}
	out := make(map[string][]string, len(s.fields))
	for i, p := range s.paths {
		var vs []string
		event.Each(ev.Doc, p, func(v *fastjson.Value) bool {
			if t := event.Text(v); t != "" {
				vs = append(vs, t)
			}
			return true
		})
		if len(vs) > 0 {
			out[s.fields[i]] = vs
		}
	}
	return out
}

// Tune returns a copy of the spec with options overridden and allowlist
// entries added. Keys of set are option names (the value is parsed to the
// type of the option's default: integer, number, boolean, string, or a
// comma-separated list) or "allowlist.FIELD" (comma-separated patterns
// added to that field's allowlist). An unknown option is an error.
func (s *Spec) Tune(set map[string]string) (*Spec, error) {
	c := *s
	c.Options = make(map[string]any, len(s.Options))
	for k, v := range s.Options {
		c.Options[k] = v
	}
	c.allowlist = append([]allowRule(nil), s.allowlist...)
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fieldsChanged := false
	for _, k := range keys {
		v := set[k]
		if f, ok := strings.CutPrefix(k, "allowlist."); ok {
			if f == "" {
				return nil, fmt.Errorf("tune %s: empty field name", k)
			}
			c.allowlist = addAllow(c.allowlist, f, splitList(v))
			fieldsChanged = true
			continue
		}
		old, ok := c.Options[k]
		if !ok {
			return nil, fmt.Errorf("tune %s: rule %q has no option %q", k, s.Rule.ID, k)
		}
		nv, err := parseOptionLike(old, v)
		if err != nil {
			return nil, fmt.Errorf("tune %s: %w", k, err)
		}
		if i, ok := nv.(int); ok && k == OptionMinIPPriority && (i < 0 || i > 100) {
			return nil, fmt.Errorf("tune %s: want 0 to 100, got %d", k, i)
		}
		c.Options[k] = nv
	}
	if fieldsChanged {
		c.finish(s.tracked)
	}
	return &c, nil
}

// tacticsOf returns the ATT&CK tactics among Sigma tags ("attack.<tactic>",
// underscores and hyphens alike), normalised to hyphens, sorted.
func tacticsOf(tags []string) []string {
	set := map[string]bool{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		name, ok := strings.CutPrefix(t, "attack.")
		if !ok {
			continue
		}
		name = strings.ReplaceAll(name, "_", "-")
		if attackTactics[name] {
			set[name] = true
		}
	}
	return sortedKeys(set)
}

// attackTactics are the ATT&CK Enterprise tactics by their short names.
var attackTactics = map[string]bool{
	"reconnaissance": true, "resource-development": true, "initial-access": true,
	"execution": true, "persistence": true, "privilege-escalation": true,
	"defense-evasion": true, "credential-access": true, "discovery": true,
	"lateral-movement": true, "collection": true, "command-and-control": true,
	"exfiltration": true, "impact": true,
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
