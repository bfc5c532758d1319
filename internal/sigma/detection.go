package sigma

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// detection reads the detection section of a detection rule.
func (p *parser) detection(kv pair) *Detection {
	d := &Detection{Pos: kv.pos()}
	kvs, ok := p.mapping(kv.Val, "detection")
	if !ok {
		return d
	}
	var condNode *yaml.Node
	for _, e := range kvs {
		switch e.Key {
		case "condition":
			condNode = e.Val
		case "timeframe":
			d.TimeframePos = nodePos(e.Val)
			if s, ok := p.str(e.Val, "timeframe"); ok {
				t, err := ParseTimespan(s)
				if err != nil {
					p.errorf(nodePos(e.Val), "timeframe: %v", err)
				}
				d.Timeframe = t
			}
		default:
			if s := p.search(e); s != nil {
				d.Searches = append(d.Searches, s)
			}
		}
	}
	if len(d.Searches) == 0 {
		p.errorf(d.Pos, "detection has no search identifier")
	}
	if condNode == nil {
		p.errorf(d.Pos, "detection has no condition")
		return d
	}
	d.Conditions = p.conditions(condNode, d.Searches)
	hasAgg := false
	for _, c := range d.Conditions {
		if c.Aggregation != nil {
			hasAgg = true
			p.warnf(c.Aggregation.Pos, "legacy aggregation (Sigma v1): Sigma v2 expresses it as a correlation rule, and pySigma rejects it")
		}
	}
	if d.TimeframePos.Line > 0 && !hasAgg {
		p.warnf(d.TimeframePos, "timeframe has no effect without an aggregation in the condition")
	}
	return d
}

// conditions reads a condition attribute (a string or a list of strings,
// OR-ed) and checks it against the searches it may reference.
func (p *parser) conditions(n *yaml.Node, searches []*Search) []*Condition {
	var nodes []*yaml.Node
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) == 0 {
			p.errorf(nodePos(n), "condition is an empty list")
		}
		for _, c := range n.Content {
			nodes = append(nodes, p.resolve(c))
		}
	} else {
		nodes = []*yaml.Node{n}
	}
	var out []*Condition
	used := make(map[string]bool, len(searches))
	for _, c := range nodes {
		text, ok := p.str(c, "condition")
		if !ok {
			continue
		}
		cond := &Condition{Text: text, Pos: nodePos(c)}
		pos := p.valuePos(c)
		x, agg, err, warns := parseCondition(text, pos)
		for _, w := range warns {
			p.warnf(pos(w.off), "%s", w.msg)
		}
		if err != nil {
			p.errorf(pos(err.off), "condition: %s", err.msg)
			continue
		}
		cond.Expr, cond.Aggregation = x, agg
		p.resolveIdents(x, searches, used)
		out = append(out, cond)
	}
	if len(out) == len(nodes) {
		for _, s := range searches {
			if !used[s.Name] {
				p.warnf(s.Pos, "search identifier %q is not used by the condition", s.Name)
			}
		}
	}
	return out
}

// keywords are the condition operators, for the hint on a mis-cased one.
var keywords = map[string]bool{"and": true, "or": true, "not": true, "of": true, "them": true, "all": true}

// resolveIdents checks that every identifier of x names a search and that
// every "of" pattern selects one, and fills in Of.Matches.
func (p *parser) resolveIdents(x Expr, searches []*Search, used map[string]bool) {
	switch x := x.(type) {
	case *And:
		p.resolveIdents(x.Left, searches, used)
		p.resolveIdents(x.Right, searches, used)
	case *Or:
		p.resolveIdents(x.Left, searches, used)
		p.resolveIdents(x.Right, searches, used)
	case *Not:
		p.resolveIdents(x.X, searches, used)
	case *Ident:
		for _, s := range searches {
			if s.Name == x.Name {
				used[s.Name] = true
				return
			}
		}
		if keywords[strings.ToLower(x.Name)] {
			p.errorf(x.Pos, "unknown search identifier %q (operators are lower-case: %s)", x.Name, strings.ToLower(x.Name))
		} else {
			p.errorf(x.Pos, "unknown search identifier %q", x.Name)
		}
	case *Of:
		if x.All && x.Pattern == "them" {
			p.warnf(x.Pos, "'all of them' is discouraged by the specification (it prevents generic filtering); prefer 'all of selection*'")
		}
		if strings.HasPrefix(x.Pattern, "_") {
			p.errorf(x.PatternPos, "pattern %q can never match: identifiers beginning with '_' are excluded from '1 of' and 'all of'", x.Pattern)
			return
		}
		for _, s := range searches {
			if MatchPattern(x.Pattern, s.Name) {
				x.Matches = append(x.Matches, s.Name)
				used[s.Name] = true
			}
		}
		if len(x.Matches) == 0 {
			p.errorf(x.PatternPos, "pattern %q matches no search identifier", x.Pattern)
		}
	}
}

// search reads one search identifier.
func (p *parser) search(e pair) *Search {
	s := &Search{Name: e.Key, Pos: e.pos()}
	if strings.TrimSpace(e.Key) == "" {
		p.errorf(s.Pos, "empty search identifier name")
		return nil
	}
	n := e.Val
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			p.errorf(nodePos(n), "search identifier %q is an empty map", s.Name)
			return s
		}
		fm := p.fieldMap(n)
		if len(fm.Matchers) == 1 && fm.Matchers[0].Field == "" {
			// "'|all': [...]": a keyword search with modifiers.
			s.Keywords = fm.Matchers[0].Values
			s.KeywordModifiers = fm.Matchers[0].Modifiers
			return s
		}
		s.Maps = []FieldMap{fm}
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			p.errorf(nodePos(n), "search identifier %q is an empty list", s.Name)
			return s
		}
		items := make([]*yaml.Node, len(n.Content))
		maps := 0
		for i, c := range n.Content {
			items[i] = p.resolve(c)
			if items[i].Kind == yaml.MappingNode {
				maps++
			}
		}
		if maps == 0 {
			for _, c := range items {
				if v, ok := p.keyword(c); ok {
					s.Keywords = append(s.Keywords, v)
				}
			}
			return s
		}
		// A list of maps, or (allowed by the JSON schema) of maps and
		// keywords: each keyword becomes a one-matcher map with an empty
		// field name.
		for _, c := range items {
			if c.Kind == yaml.MappingNode {
				if len(c.Content) == 0 {
					p.errorf(nodePos(c), "search identifier %q: empty map in list", s.Name)
					continue
				}
				s.Maps = append(s.Maps, p.fieldMap(c))
				continue
			}
			if v, ok := p.keyword(c); ok {
				m := &FieldMatcher{Values: []Value{v}, Pos: v.Pos}
				s.Maps = append(s.Maps, FieldMap{Pos: v.Pos, Matchers: []*FieldMatcher{m}})
			}
		}
	default:
		p.errorf(nodePos(n), "search identifier %q must be a map or a list, not %s", s.Name, kindName(n))
	}
	return s
}

// keyword reads one keyword of a keyword list.
func (p *parser) keyword(n *yaml.Node) (Value, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errorf(nodePos(n), "a keyword must be a string or a number, not %s", kindName(n))
		return Value{}, false
	}
	v := p.value(n)
	if v.Kind != ValueString && v.Kind != ValueNumber {
		p.errorf(v.Pos, "a keyword must be a string or a number, not %s", kindName(n))
		return Value{}, false
	}
	return v, true
}

// fieldMap reads one map of field matchers.
func (p *parser) fieldMap(n *yaml.Node) FieldMap {
	fm := FieldMap{Pos: nodePos(n)}
	for _, e := range p.pairs(n, "search") {
		m := &FieldMatcher{Pos: e.pos()}
		pos := p.valuePos(e.KeyNode)
		parts := strings.Split(e.Key, "|")
		m.Field = parts[0]
		off := len(parts[0]) + 1
		for _, name := range parts[1:] {
			m.Modifiers = append(m.Modifiers, Modifier{Name: name, Pos: pos(off)})
			off += len(name) + 1
		}
		if m.Field == "" && len(parts) == 1 {
			p.errorf(m.Pos, "empty field name")
			continue
		}
		m.Values = p.values(e.Val, m)
		p.checkMatcher(m)
		fm.Matchers = append(fm.Matchers, m)
	}
	return fm
}

// values reads the value or list of values of a field matcher.
func (p *parser) values(n *yaml.Node, m *FieldMatcher) []Value {
	switch n.Kind {
	case yaml.ScalarNode:
		return []Value{p.value(n)}
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			p.errorf(nodePos(n), "%q has an empty list of values", m.key())
			return nil
		}
		out := make([]Value, 0, len(n.Content))
		for _, c := range n.Content {
			c = p.resolve(c)
			if c.Kind != yaml.ScalarNode {
				p.errorf(nodePos(c), "values of %q must be strings or numbers, not %s", m.key(), kindName(c))
				continue
			}
			out = append(out, p.value(c))
		}
		if len(out) > 1 {
			for _, v := range out {
				if v.Kind == ValueNull {
					p.errorf(v.Pos, "null cannot be part of a list of values: put it in a search identifier of its own")
				}
			}
		}
		return out
	}
	p.errorf(nodePos(n), "value of %q must be a value or a list of values, not %s", m.key(), kindName(n))
	return nil
}

// leadingZero matches decimal numbers written with a leading zero. YAML 1.1
// (PyYAML, with which the public rules are written and tested) reads them
// as strings or octal numbers, YAML 1.2 as decimal numbers; in Sigma rules
// they are codes such as registry values (00000429), so they are kept as
// strings.
var leadingZero = regexp.MustCompile(`^[-+]?0[0-9_]+$`)

// value converts a YAML scalar to a Value, keeping numbers and numeric
// strings apart.
func (p *parser) value(n *yaml.Node) Value {
	v := Value{Kind: ValueString, Str: n.Value, Pos: nodePos(n)}
	switch n.ShortTag() {
	case "!!null":
		v.Kind, v.Str = ValueNull, ""
	case "!!bool":
		v.Kind = ValueBool
		v.Bool = strings.EqualFold(n.Value, "true")
	case "!!int", "!!float":
		if leadingZero.MatchString(n.Value) {
			break
		}
		if f, ok := number(n); ok {
			v.Kind, v.Num = ValueNumber, f
		}
	}
	return v
}
