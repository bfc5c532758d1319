package alert

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// SpecError is one problem in an idsentry attribute, at a 1-based
// line:column of the rule file. Warnings do not stop the rule loading.
type SpecError struct {
	Line, Col int
	Msg       string
	Warning   bool
}

// Error formats the problem as "line:col: message" ("line:col: warning:
// message" for a warning); callers prefix the file name.
func (e *SpecError) Error() string {
	if e.Warning {
		return fmt.Sprintf("%d:%d: warning: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// ParseSpec parses and compiles a rule's idsentry attribute (the node
// sigma.Rule.Custom["idsentry"], or nil for none) for rule, whose Level is
// the rule's own level. It returns every problem found; the spec is nil
// when any of them is an error (not a warning).
func ParseSpec(node *yaml.Node, rule RuleRef) (*Spec, []*SpecError) {
	p := &specParser{}
	s := DefaultSpec(rule)
	if node == nil {
		return s, nil
	}
	if node.Kind == yaml.DocumentNode && len(node.Content) == 1 {
		node = node.Content[0]
	}
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	if node.Kind != yaml.MappingNode {
		p.errorf(node, "idsentry must be a mapping")
		return nil, p.errs
	}
	var exprFields []string
	var groupSet, windowSet bool
	seen := map[string]bool{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		if seen[k.Value] {
			p.errorf(k, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "implements":
			s.Rule.Implements = p.implements(v)
		case "group-by":
			s.GroupBy = p.fieldList(v, "group-by")
			groupSet = len(s.GroupBy) > 0
		case "window":
			s.Window = p.duration(v)
			windowSet = true
		case "values":
			s.Values, s.valueCaps = p.values(v)
		case "max-values":
			s.MaxValues = p.intRange(v, "max-values", 1, maxMaxValues)
		case "max-evidence":
			s.MaxEvidence = p.intRange(v, "max-evidence", 0, maxEvidenceLimit)
		case "message":
			if t := p.template(v, false); t != nil {
				s.message = t
			}
		case "entities":
			s.entities = p.entities(v)
		case "risk":
			s.risk = p.riskObjects(v)
		case "threats":
			s.threats = p.threatObjects(v)
		case "tiers":
			var fs []string
			s.tiers, fs = p.tiers(v)
			exprFields = append(exprFields, fs...)
		case "having":
			if src, ok := p.str(v, "having"); ok {
				c, fs := p.expr(v, src)
				s.having = c
				exprFields = append(exprFields, fs...)
			}
		case "allowlist":
			s.allowlist = p.allowlist(v)
		case "outside-hours":
			s.RaiseOutsideHours = p.outsideHours(v)
		case "options":
			s.Options = p.options(v)
		default:
			p.errorf(k, "unknown idsentry key %q", k.Value)
		}
	}
	if groupSet && !windowSet {
		s.Window = DefaultWindow
	}
	for _, f := range exprFields {
		if contains(s.GroupBy, f) {
			p.warnf(node, "expression reads distinct/values of group-by field %q, which has one value per alert", f)
		}
	}
	s.finish(exprFields)
	for _, e := range p.errs {
		if !e.Warning {
			return nil, p.errs
		}
	}
	return s, p.errs
}

type specParser struct{ errs []*SpecError }

func (p *specParser) add(n *yaml.Node, warn bool, format string, args ...any) {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, n.Column
	}
	p.errs = append(p.errs, &SpecError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...), Warning: warn})
}

func (p *specParser) errorf(n *yaml.Node, format string, args ...any) {
	p.add(n, false, format, args...)
}
func (p *specParser) warnf(n *yaml.Node, format string, args ...any) { p.add(n, true, format, args...) }

func (p *specParser) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		p.errorf(n, "%s must be a string", what)
		return "", false
	}
	return n.Value, true
}

// fieldList reads a field name or a list of them.
func (p *specParser) fieldList(n *yaml.Node, what string) []string {
	var items []*yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		items = []*yaml.Node{n}
	case yaml.SequenceNode:
		items = n.Content
	default:
		p.errorf(n, "%s must be a field name or a list of field names", what)
		return nil
	}
	var out []string
	for _, it := range items {
		f, ok := p.str(it, what+" item")
		if !ok {
			continue
		}
		f = strings.TrimSpace(f)
		switch {
		case !validField(f):
			p.errorf(it, "%s: bad field name %q", what, f)
		case contains(out, f):
			p.warnf(it, "%s: field %q listed twice", what, f)
		default:
			out = append(out, f)
		}
	}
	return out
}

// validField accepts canonical field paths: no blanks, braces or pipes.
func validField(f string) bool {
	return f != "" && !strings.ContainsAny(f, " \t\r\n{}|")
}

// values reads the output fields: names, or {field: NAME, max: N}
// mappings that cap one field's distinct values below max-values.
func (p *specParser) values(n *yaml.Node) ([]string, map[string]int) {
	if n.Kind != yaml.SequenceNode {
		return p.fieldList(n, "values"), nil
	}
	var out []string
	var caps map[string]int
	for _, it := range n.Content {
		if it.Kind != yaml.MappingNode {
			for _, f := range p.fieldList(it, "values") {
				if contains(out, f) {
					p.warnf(it, "values: field %q listed twice", f)
					continue
				}
				out = append(out, f)
			}
			continue
		}
		var field string
		limit := 0
		for _, kv := range p.mapping(it, "values item") {
			switch kv[0].Value {
			case "field":
				field = p.oneField(kv[1], "values field")
			case "max":
				limit = p.intRange(kv[1], "values max", 1, maxMaxValues)
			default:
				p.errorf(kv[0], "unknown values key %q (want field, max)", kv[0].Value)
			}
		}
		if field == "" {
			p.errorf(it, "values item needs a field")
			continue
		}
		if contains(out, field) {
			p.warnf(it, "values: field %q listed twice", field)
			continue
		}
		out = append(out, field)
		if limit > 0 {
			if caps == nil {
				caps = map[string]int{}
			}
			caps[field] = limit
		}
	}
	return out, caps
}

var implementsRE = regexp.MustCompile(`^(seed-00[0-4]|guide-row-([1-9]|1[0-6])|catalog-[a-z0-9][a-z0-9-]*)$`)

func (p *specParser) implements(n *yaml.Node) []string {
	var out []string
	for _, v := range p.fieldList(n, "implements") {
		if !implementsRE.MatchString(v) {
			p.errorf(n, "implements: %q is not seed-000…seed-004, guide-row-1…guide-row-16 or catalog-<name>", v)
			continue
		}
		out = append(out, v)
	}
	return out
}

// duration parses a Sigma timespan (30s, 10m, 1h, 7d, 2w) or a Go duration.
func (p *specParser) duration(n *yaml.Node) time.Duration {
	s, ok := p.str(n, "window")
	if !ok {
		return 0
	}
	d, err := parseSpan(s)
	if err != nil {
		p.errorf(n, "window: %v", err)
		return 0
	}
	return d
}

// parseSpan parses a positive Sigma timespan or Go duration.
func parseSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 {
		unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
		if n, err := strconv.Atoi(s[:len(s)-1]); err == nil && unit > 0 {
			if n <= 0 {
				return 0, fmt.Errorf("timespan %q must be positive", s)
			}
			if int64(n) > int64(math.MaxInt64/unit) {
				return 0, fmt.Errorf("timespan %q out of range", s)
			}
			return time.Duration(n) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad timespan %q (want e.g. 30m, 1h, 7d)", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("timespan %q must be positive", s)
	}
	return d, nil
}

func (p *specParser) intRange(n *yaml.Node, what string, lo, hi int) int {
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		p.errorf(n, "%s must be an integer", what)
		return 0
	}
	if v < lo || v > hi {
		p.errorf(n, "%s must be between %d and %d", what, lo, hi)
		return 0
	}
	return v
}

func (p *specParser) template(n *yaml.Node, fieldsOnly bool) *Template {
	s, ok := p.str(n, "template")
	if !ok {
		return nil
	}
	t, err := parseTemplate(s)
	if err != nil {
		p.errorf(n, "template: %v", err)
		return nil
	}
	if fieldsOnly && !t.fieldsOnly() {
		p.errorf(n, "entity attributes may only use field placeholders, not aggregates")
		return nil
	}
	return t
}

// mapping checks n is a mapping and returns its key/value pairs.
func (p *specParser) mapping(n *yaml.Node, what string) [][2]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping", what)
		return nil
	}
	var out [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.errorf(k, "%s: duplicate key %q", what, k.Value)
			continue
		}
		seen[k.Value] = true
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

// sequence checks n is a sequence.
func (p *specParser) sequence(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list", what)
		return nil
	}
	return n.Content
}
