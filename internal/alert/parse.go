package alert

import (
	"fmt"
	"math"
	"regexp"
	"sort"
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

// entityTypes are the entity types of alert.Entity.
var entityTypes = map[string]bool{
	"account": true, "ip": true, "app": true, "service_principal": true, "host": true,
	"cloud_resource": true, "key_vault": true, "aws_principal": true, "k8s_service_account": true,
}

func (p *specParser) entities(n *yaml.Node) []entityMap {
	var out []entityMap
	for _, it := range p.sequence(n, "entities") {
		var e entityMap
		for _, kv := range p.mapping(it, "entity") {
			k, v := kv[0], kv[1]
			if k.Value == "type" {
				if t, ok := p.str(v, "entity type"); ok {
					if !entityTypes[t] {
						p.errorf(v, "unknown entity type %q", t)
					}
					e.typ = t
				}
				continue
			}
			s, ok := p.str(v, "entity attribute "+k.Value)
			if !ok {
				continue
			}
			var t *Template
			if strings.Contains(s, "{{") {
				t = p.template(v, true)
			} else if validField(s) {
				t = &Template{src: s, parts: []tmplPart{{kind: refField, text: s}}}
			} else {
				p.errorf(v, "entity attribute %s: bad field name %q", k.Value, s)
			}
			if t != nil {
				e.attrs = append(e.attrs, entityAttr{name: k.Value, tmpl: t})
			}
		}
		if it.Kind != yaml.MappingNode {
			continue
		}
		if e.typ == "" {
			p.errorf(it, "entity needs a type")
			continue
		}
		if len(e.attrs) == 0 {
			p.errorf(it, "entity %s maps no attribute", e.typ)
			continue
		}
		sort.Slice(e.attrs, func(i, j int) bool { return e.attrs[i].name < e.attrs[j].name })
		out = append(out, e)
	}
	return out
}

var (
	riskTypeRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	// threatTypes are Splunk's ThreatObjectType values (contentctl rba.py).
	threatTypes = map[string]bool{
		"certificate_common_name": true, "certificate_organization": true, "certificate_serial": true,
		"certificate_unit": true, "command": true, "domain": true, "email_address": true,
		"email_subject": true, "file_hash": true, "file_name": true, "file_path": true,
		"http_user_agent": true, "ip_address": true, "process": true, "process_name": true,
		"parent_process": true, "parent_process_name": true, "process_hash": true,
		"registry_path": true, "registry_value_name": true, "registry_value_text": true,
		"service": true, "signature": true, "system": true, "tls_hash": true, "url": true,
	}
)

func (p *specParser) riskObjects(n *yaml.Node) []riskMap {
	var out []riskMap
	for _, it := range p.sequence(n, "risk") {
		r := riskMap{score: -1}
		for _, kv := range p.mapping(it, "risk object") {
			k, v := kv[0], kv[1]
			switch k.Value {
			case "type":
				if t, ok := p.str(v, "risk type"); ok {
					if !riskTypeRE.MatchString(t) {
						p.errorf(v, "bad risk object type %q", t)
					}
					r.typ = t
				}
			case "field":
				r.field = p.oneField(v, "risk field")
			case "score":
				r.score = p.intRange(v, "risk score", 1, 100)
			default:
				p.errorf(k, "unknown risk object key %q (want type, field, score)", k.Value)
			}
		}
		if it.Kind == yaml.MappingNode && (r.typ == "" || r.field == "" || r.score < 0) {
			p.errorf(it, "risk object needs type, field and score")
			continue
		}
		if it.Kind == yaml.MappingNode && r.score > 0 {
			out = append(out, r)
		}
	}
	return out
}

func (p *specParser) threatObjects(n *yaml.Node) []threatMap {
	var out []threatMap
	for _, it := range p.sequence(n, "threats") {
		var t threatMap
		for _, kv := range p.mapping(it, "threat object") {
			k, v := kv[0], kv[1]
			switch k.Value {
			case "type":
				if s, ok := p.str(v, "threat type"); ok {
					if !threatTypes[s] {
						p.warnf(v, "threat object type %q is not one of Splunk's threat object types", s)
					}
					t.typ = s
				}
			case "field":
				t.field = p.oneField(v, "threat field")
			default:
				p.errorf(k, "unknown threat object key %q (want type, field)", k.Value)
			}
		}
		if it.Kind != yaml.MappingNode {
			continue
		}
		if t.typ == "" || t.field == "" {
			p.errorf(it, "threat object needs type and field")
			continue
		}
		out = append(out, t)
	}
	return out
}

func (p *specParser) oneField(n *yaml.Node, what string) string {
	s, ok := p.str(n, what)
	if !ok {
		return ""
	}
	if !validField(s) {
		p.errorf(n, "%s: bad field name %q", what, s)
		return ""
	}
	return s
}

func (p *specParser) tiers(n *yaml.Node) ([]tier, []string) {
	var out []tier
	var fields []string
	for _, it := range p.sequence(n, "tiers") {
		t := tier{factor: 1}
		var haveLevel, haveWhen bool
		for _, kv := range p.mapping(it, "tier") {
			k, v := kv[0], kv[1]
			switch k.Value {
			case "level":
				if s, ok := p.str(v, "tier level"); ok {
					lv, ok := ParseLevel(s)
					if !ok {
						p.errorf(v, "unknown level %q", s)
					}
					t.level, haveLevel = lv, ok
				}
			case "when":
				if s, ok := p.str(v, "tier when"); ok {
					c, fs := p.expr(v, s)
					t.when, haveWhen = c, c != nil
					fields = append(fields, fs...)
				}
			case "risk-factor":
				var f float64
				if v.Kind != yaml.ScalarNode || v.Decode(&f) != nil || f <= 0 || f > 100 || math.IsNaN(f) {
					p.errorf(v, "risk-factor must be a number above 0 and at most 100")
					continue
				}
				t.factor = f
			default:
				p.errorf(k, "unknown tier key %q (want level, when, risk-factor)", k.Value)
			}
		}
		if it.Kind != yaml.MappingNode {
			continue
		}
		if !haveLevel {
			p.errorf(it, "tier needs a level")
		}
		if !haveWhen {
			p.errorf(it, "tier needs a when expression")
		}
		if haveLevel && haveWhen {
			out = append(out, t)
		}
	}
	return out, fields
}

// expr compiles an expression, reporting errors at their position in the
// rule file where it can be computed.
func (p *specParser) expr(n *yaml.Node, src string) (*compiled, []string) {
	if strings.TrimSpace(src) == "" {
		p.errorf(n, "empty expression")
		return nil, nil
	}
	c, fields, fe, err := compileExpr(src)
	if err == nil {
		return c, fields
	}
	line, col := n.Line, n.Column
	msg := err.Error()
	if fe != nil {
		msg = fe.Message
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			line += fe.Line
			col = 1 + fe.Column
		} else if fe.Line == 1 {
			col += fe.Column
			if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
				col++
			}
		}
	}
	p.errs = append(p.errs, &SpecError{Line: max(line, 1), Col: max(col, 1), Msg: "expression: " + msg})
	return nil, nil
}

func (p *specParser) allowlist(n *yaml.Node) []allowRule {
	var out []allowRule
	for _, kv := range p.mapping(n, "allowlist") {
		k, v := kv[0], kv[1]
		if !validField(k.Value) {
			p.errorf(k, "allowlist: bad field name %q", k.Value)
			continue
		}
		var pats []string
		switch v.Kind {
		case yaml.ScalarNode:
			pats = []string{v.Value}
		case yaml.SequenceNode:
			for _, it := range v.Content {
				if s, ok := p.str(it, "allowlist pattern"); ok {
					pats = append(pats, s)
				}
			}
		default:
			p.errorf(v, "allowlist %s: want a pattern or a list of patterns", k.Value)
			continue
		}
		for _, s := range pats {
			if s == "" || strings.Trim(s, "*") == "" {
				p.warnf(v, "allowlist %s: pattern %q drops every match", k.Value, s)
			}
		}
		out = addAllow(out, k.Value, pats)
	}
	return out
}

func (p *specParser) outsideHours(n *yaml.Node) bool {
	s, ok := p.str(n, "outside-hours")
	if !ok {
		return false
	}
	switch strings.ToLower(s) {
	case "raise":
		return true
	case "ignore", "false", "no":
		return false
	}
	p.errorf(n, "outside-hours must be raise or ignore")
	return false
}

func (p *specParser) options(n *yaml.Node) map[string]any {
	out := map[string]any{}
	for _, kv := range p.mapping(n, "options") {
		k, v := kv[0], kv[1]
		if k.Value == "" || strings.ContainsAny(k.Value, " \t=,") {
			p.errorf(k, "bad option name %q", k.Value)
			continue
		}
		val, err := optionValue(v)
		if err != nil {
			p.errorf(v, "option %s: %v", k.Value, err)
			continue
		}
		if k.Value == OptionMinIPPriority {
			if i, ok := val.(int); !ok || i < 0 || i > 100 {
				p.errorf(v, "option %s must be an integer from 0 to 100", k.Value)
				continue
			}
		}
		out[k.Value] = val
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
