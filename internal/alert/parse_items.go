package alert

import (
	"math"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

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
