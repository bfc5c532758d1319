package sigma

import (
	"math"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Correlation types (sigma-correlation-rules-specification.md and its JSON
// schema), and idsentry's own new_value. A temporal or temporal_ordered
// correlation without condition requires events of all its rules; with one,
// the condition counts the distinct rules matched.
const (
	CorrEventCount      = "event_count"
	CorrValueCount      = "value_count"
	CorrTemporal        = "temporal"
	CorrTemporalOrdered = "temporal_ordered"
	CorrValueSum        = "value_sum"
	CorrValueAvg        = "value_avg"
	CorrValuePercentile = "value_percentile"
	// CorrNewValue is an idsentry extension, not Sigma: a first-time-seen
	// detection. It fires for an event of the referenced rules whose value
	// of condition.field (a tuple of values when field is a list) was not
	// seen for the event's group-by key within the preceding timespan:
	//
	//	correlation:
	//	    type: new_value        # idsentry extension
	//	    rules: [successful_signin]
	//	    group-by: [userPrincipalName]
	//	    timespan: 30d          # how long a seen value stays known
	//	    learning: 7d           # optional: for this long after the first
	//	                           # event, values are learnt and never alerted on
	//	                           # (default: the timespan)
	//	    condition:
	//	        field: ipAddress   # required; no comparison criteria
	//
	// "learning" is read only for this type.
	CorrNewValue = "new_value"
)

// corrTypes lists the types with whether their condition is required and
// whether they aggregate the values of condition.field.
var corrTypes = map[string]struct{ condition, field bool }{
	CorrEventCount:      {condition: true},
	CorrValueCount:      {condition: true, field: true},
	CorrTemporal:        {},
	CorrTemporalOrdered: {},
	CorrValueSum:        {condition: true, field: true},
	CorrValueAvg:        {condition: true, field: true},
	CorrValuePercentile: {condition: true, field: true},
	CorrNewValue:        {condition: true, field: true},
}

// criteria are the comparison operators of a correlation condition.
var criteria = []string{"gt", "gte", "lt", "lte", "eq", "neq"}

// correlation reads the correlation section (and the top-level generate
// attribute, which the JSON schema puts beside level).
func (p *parser) correlation(kv pair, top map[string]pair) *Correlation {
	c := &Correlation{Pos: kv.pos(), Positions: map[string]Pos{}}
	if g, ok := top["generate"]; ok {
		c.Generate, _ = p.boolean(g.Val, "generate")
		c.Positions["generate"] = g.pos()
	}
	kvs, ok := p.mapping(kv.Val, "correlation")
	if !ok {
		return c
	}
	attrs := make(map[string]pair, len(kvs))
	for _, e := range kvs {
		attrs[e.Key] = e
		c.Positions[e.Key] = e.pos()
	}
	if e, ok := attrs["type"]; ok {
		if s, ok := p.str(e.Val, "correlation type"); ok {
			c.Type = s
			if _, known := corrTypes[s]; !known {
				p.errorf(nodePos(e.Val), "unknown correlation type %q (expected event_count, value_count, temporal, temporal_ordered, value_sum, value_avg or value_percentile)", s)
			}
		}
	} else {
		p.errorf(c.Pos, "correlation has no type")
	}
	spec, known := corrTypes[c.Type]
	for _, e := range kvs {
		switch e.Key {
		case "type":
		case "rules":
			c.Rules, c.RulePos = p.refList(e, "correlation rules")
			if len(c.Rules) == 1 && (c.Type == CorrTemporal || c.Type == CorrTemporalOrdered) {
				p.warnf(c.RulePos[0], "a %s correlation of a single rule is an event_count with gte: 1", c.Type)
			}
		case "group-by":
			var pos []Pos
			c.GroupBy, pos = p.strList(e.Val, "group-by", true)
			if e.Val.Kind == yaml.ScalarNode && len(c.GroupBy) == 1 {
				p.warnf(nodePos(e.Val), "group-by should be a list")
			}
			seen := map[string]bool{}
			for i, g := range c.GroupBy {
				if seen[g] {
					p.errorf(pos[i], "group-by field %q is listed twice", g)
				}
				seen[g] = true
			}
		case "timespan":
			if s, ok := p.str(e.Val, "timespan"); ok {
				t, err := ParseTimespan(s)
				if err != nil {
					p.errorf(nodePos(e.Val), "%v", err)
				}
				c.Timespan = t
			}
		case "condition":
			p.corrCondition(c, e.Val)
		case "aliases":
			c.Aliases = p.corrAliases(c, e.Val)
		case "generate":
			c.Generate, _ = p.boolean(e.Val, "generate")
		case "learning":
			if c.Type != CorrNewValue {
				p.errorf(e.pos(), "learning is only used by idsentry's new_value correlation type")
				break
			}
			if s, ok := p.str(e.Val, "learning"); ok {
				t, err := ParseTimespan(s)
				if err != nil {
					p.errorf(nodePos(e.Val), "learning: %v", err)
				}
				c.Learning = t
			}
		default:
			p.errorf(e.pos(), "unknown correlation attribute %q", e.Key)
		}
	}
	if !known {
		return c
	}
	for _, req := range []string{"rules", "group-by", "timespan"} {
		if _, ok := attrs[req]; !ok {
			p.errorf(c.Pos, "correlation has no %s (required for %s)", req, c.Type)
		}
	}
	if _, ok := attrs["condition"]; !ok && spec.condition {
		p.errorf(c.Pos, "correlation has no condition (required for %s)", c.Type)
	}
	if c.Type == CorrNewValue && c.Learning == 0 {
		c.Learning = c.Timespan
	}
	for alias := range c.Aliases {
		if !oneOf(alias, c.GroupBy) {
			p.warnf(c.Positions["aliases."+alias], "alias %q is not used in group-by", alias)
		}
	}
	return c
}

// refList reads a list of rule references (a single string is accepted
// with a warning), reporting duplicates.
func (p *parser) refList(e pair, what string) ([]string, []Pos) {
	refs, pos := p.strList(e.Val, what, true)
	if e.Val.Kind == yaml.ScalarNode && len(refs) == 1 {
		p.warnf(nodePos(e.Val), "%s should be a list", what)
	}
	if e.Val.Kind == yaml.SequenceNode && len(e.Val.Content) == 0 {
		p.errorf(nodePos(e.Val), "%s is empty", what)
	}
	seen := map[string]bool{}
	for i, r := range refs {
		if seen[r] {
			p.errorf(pos[i], "rule %q is listed twice", r)
		}
		seen[r] = true
	}
	return refs, pos
}

// corrCondition reads the condition map of a correlation.
func (p *parser) corrCondition(c *Correlation, n *yaml.Node) {
	spec := corrTypes[c.Type]
	kvs, ok := p.mapping(n, "correlation condition")
	if !ok {
		return
	}
	var fieldAt Pos
	for _, e := range kvs {
		if e.Key == "field" {
			fieldAt = e.pos()
			c.Fields, _ = p.strList(e.Val, "condition field", true)
			if len(c.Fields) > 0 {
				c.Field = c.Fields[0]
			}
			for _, f := range c.Fields {
				if f == "" {
					p.errorf(nodePos(e.Val), "condition field is empty")
				}
			}
			continue
		}
		if !oneOf(e.Key, criteria) {
			p.errorf(e.pos(), "unknown condition operator %q (expected gt, gte, lt, lte, eq, neq or field)", e.Key)
			continue
		}
		v, ok := number(e.Val)
		if !ok {
			p.errorf(nodePos(e.Val), "condition %s needs a number, not %s", e.Key, kindName(e.Val))
			continue
		}
		switch c.Type {
		case CorrEventCount, CorrValueCount, CorrTemporal, CorrTemporalOrdered:
			if v != math.Trunc(v) {
				p.errorf(nodePos(e.Val), "condition %s of a %s correlation is a count: it must be a whole number", e.Key, c.Type)
			}
		case CorrValuePercentile:
			if v < 0 || v > 100 {
				p.errorf(nodePos(e.Val), "condition %s of a value_percentile correlation is a percentile between 0 and 100", e.Key)
			}
		case CorrNewValue:
			p.errorf(e.pos(), "a new_value correlation takes no comparison: it fires on a value never seen before")
			continue
		}
		c.Condition = append(c.Condition, Criterion{Op: e.Key, Value: v})
	}
	if len(c.Condition) == 0 && c.Type != CorrNewValue && c.Type != "" {
		p.errorf(nodePos(n), "correlation condition needs a comparison (gt, gte, lt, lte, eq or neq)")
	}
	switch {
	case spec.field && len(c.Fields) == 0:
		p.errorf(nodePos(n), "correlation condition needs field for %s", c.Type)
	case !spec.field && len(c.Fields) > 0 && c.Type != "":
		p.warnf(fieldAt, "condition field is not used by a %s correlation", c.Type)
	}
}

// corrAliases reads the aliases map: alias -> rule name -> field.
func (p *parser) corrAliases(c *Correlation, n *yaml.Node) map[string]map[string]string {
	kvs, ok := p.mapping(n, "aliases")
	if !ok {
		return nil
	}
	out := make(map[string]map[string]string, len(kvs))
	for _, e := range kvs {
		c.Positions["aliases."+e.Key] = e.pos()
		rules, ok := p.mapping(e.Val, "alias "+e.Key)
		if !ok {
			continue
		}
		m := make(map[string]string, len(rules))
		for _, r := range rules {
			c.Positions["aliases."+e.Key+"."+r.Key] = r.pos()
			if f, ok := p.str(r.Val, "alias field"); ok {
				if strings.TrimSpace(f) == "" {
					p.errorf(nodePos(r.Val), "alias %s: field for %q is empty", e.Key, r.Key)
				}
				m[r.Key] = f
			}
		}
		out[e.Key] = m
	}
	return out
}
