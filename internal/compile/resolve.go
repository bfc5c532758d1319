package compile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/normalize"
	"github.com/idsentry/idsentry/internal/sigma"
)

var legacyOps = map[string]string{">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "==": "eq", "=": "eq", "!=": "neq"}

// legacy turns a detection's "| count(field) by group op n" into a
// correlation fed by the rule's own matches, over detection.timeframe.
func (c *compiler) legacy(cr *Rule, agg *sigma.Aggregation) {
	r := cr.Sigma
	fail := func(format string, args ...any) {
		c.fail(r, agg.Pos, ReasonAggregation, format, args...)
		c.drop(cr)
	}
	if r.Detection.Timeframe <= 0 {
		fail("aggregation %q has no detection.timeframe: idsentry needs a window", agg.Func)
		return
	}
	op, ok := legacyOps[agg.Op]
	if !ok {
		fail("aggregation operator %q is not one of > >= < <= == !=", agg.Op)
		return
	}
	corr := &Correlation{Legacy: true, Timespan: r.Detection.Timeframe, Rules: []*Rule{cr},
		Condition: []sigma.Criterion{{Op: op, Value: agg.Value}}}
	switch strings.ToLower(agg.Func) {
	case "count":
		corr.Type = EventCount
		if agg.Field != "" {
			corr.Type, corr.Field = ValueCount, agg.Field
		}
	case "sum":
		corr.Type, corr.Field = ValueSum, agg.Field
	case "avg":
		corr.Type, corr.Field = ValueAvg, agg.Field
	case "min":
		corr.Type, corr.Field = ValueMin, agg.Field
	case "max":
		corr.Type, corr.Field = ValueMax, agg.Field
	default:
		fail("aggregation function %q is not one of count, sum, avg, min, max", agg.Func)
		return
	}
	if corr.Type != EventCount && corr.Field == "" {
		fail("aggregation %s() needs a field", agg.Func)
		return
	}
	if corr.Field != "" {
		corr.Fields = []string{corr.Field}
	}
	if agg.GroupBy != "" {
		corr.GroupBy = []string{agg.GroupBy}
	}
	cr.Correlation = corr
	corr.inputs = map[inputKey]*Input{}
	for _, k := range cr.Kinds {
		corr.inputs[inputKey{cr, k}] = c.eventInput(r, corr, cr, 0, k, nil)
	}
}

// drop removes a rule that failed after registration.
func (c *compiler) drop(cr *Rule) {
	delete(c.nodes, cr)
	c.set.Rules = slices.DeleteFunc(c.set.Rules, func(x *Rule) bool { return x == cr })
	for i, x := range c.set.Rules {
		x.Index = i
	}
	delete(c.bySigma, cr.Sigma)
}

// eventInput resolves the group-by and field names of a correlation for
// events of kind k matched by ref (aliases by the rule's name or id).
func (c *compiler) eventInput(doc *sigma.Rule, corr *Correlation, ref *Rule, pos int, k event.Kind, aliases map[string]map[string]string) *Input {
	in := &Input{Position: pos, FieldIndex: -1}
	var unknown []unknownField
	resolve := func(name string) event.Path {
		field := aliasFor(aliases, name, ref)
		p, known := normalize.Resolve(k, field)
		if !known {
			unknown = append(unknown, unknownField{name: field})
		}
		key := p.String()
		if shared, ok := c.paths[key]; ok {
			return shared
		}
		if c.paths == nil {
			c.paths = map[string]event.Path{}
		}
		c.paths[key] = p
		return p
	}
	for _, g := range corr.GroupBy {
		in.GroupPaths = append(in.GroupPaths, resolve(g))
	}
	for _, f := range corr.Fields {
		in.FieldPaths = append(in.FieldPaths, resolve(f))
	}
	for _, u := range unknown {
		c.problem(doc, corrPos(doc, "group-by"), ReasonUnknownField, true,
			"field %q of rule %s is not a field of %s events", u.name, ref, k)
	}
	return in
}

// aliasFor returns the field an alias name stands for in rule ref's events.
func aliasFor(aliases map[string]map[string]string, name string, ref *Rule) string {
	if m, ok := aliases[name]; ok {
		if f, ok := m[ref.Name]; ok && ref.Name != "" {
			return f
		}
		if f, ok := m[ref.ID]; ok && ref.ID != "" {
			return f
		}
	}
	return name
}

func corrPos(r *sigma.Rule, attr string) sigma.Pos {
	if r.Correlation != nil {
		if p, ok := r.Correlation.Positions[attr]; ok {
			return p
		}
		return r.Correlation.Pos
	}
	return r.Pos
}

var correlationTypes = map[string]CorrelationType{
	"event_count": EventCount, "value_count": ValueCount, "temporal": Temporal,
	"temporal_ordered": TemporalOrdered, "value_sum": ValueSum, "value_avg": ValueAvg,
	"value_percentile": ValuePercentile, "new_value": NewValue,
}

// correlations compiles the correlation documents, in dependency order.
func (c *compiler) correlations(docs []*sigma.Rule) {
	// Register every correlation first so that chains resolve.
	pending := map[*Rule]bool{}
	for _, d := range docs {
		pending[c.newRule(d)] = true
	}
	// References resolve by id first, then by name (as sigma.Link does).
	lookup := func(ref string) []*Rule {
		var byID, byName []*Rule
		for _, cr := range c.set.Rules {
			if cr.ID == ref {
				byID = append(byID, cr)
			} else if cr.Name != "" && cr.Name == ref {
				byName = append(byName, cr)
			}
		}
		if len(byID) > 0 {
			return byID
		}
		return byName
	}
	state := map[*Rule]int{} // 1 visiting, 2 done
	var visit func(cr *Rule) bool
	visit = func(cr *Rule) bool {
		switch state[cr] {
		case 1:
			return false
		case 2:
			return cr.Correlation != nil || !pending[cr]
		}
		if !pending[cr] {
			return true // a detection rule
		}
		state[cr] = 1
		d := cr.Sigma
		ok := true
		var refs []*Rule
		for _, name := range d.Correlation.Rules {
			found := lookup(name)
			switch {
			case len(found) == 0:
				reason := "is not loaded"
				for sr, why := range c.failed {
					if sr.ID == name || (sr.Name != "" && sr.Name == name) {
						reason = "did not compile (" + why + ")"
					}
				}
				c.fail(d, corrPos(d, "rules"), ReasonReference, "correlation references rule %q, which %s", name, reason)
				ok = false
			case len(found) > 1:
				c.fail(d, corrPos(d, "rules"), ReasonReference, "correlation reference %q names %d rules", name, len(found))
				ok = false
			case found[0] == cr:
				c.fail(d, corrPos(d, "rules"), ReasonReference, "correlation references itself")
				ok = false
			default:
				if !visit(found[0]) {
					if state[found[0]] == 1 {
						c.fail(d, corrPos(d, "rules"), ReasonReference, "correlation chain through %q is a cycle", name)
					} else {
						c.fail(d, corrPos(d, "rules"), ReasonReference, "correlation references %q, which did not compile", name)
					}
					ok = false
				}
				refs = append(refs, found[0])
			}
			if !ok {
				break
			}
		}
		if ok {
			ok = c.correlation(cr, refs)
		}
		state[cr] = 2
		if !ok {
			cr.Correlation = nil
			return false
		}
		c.set.order = append(c.set.order, cr)
		return true
	}
	for _, d := range docs {
		visit(c.bySigma[d])
	}
	// Drop the correlations that failed.
	for cr := range pending {
		if cr.Correlation == nil {
			c.drop(cr)
		}
	}
	// Legacy aggregations are correlations too; they feed nothing before
	// the correlation rules that reference them.
	var legacy []*Rule
	for _, cr := range c.set.Rules {
		if cr.Correlation != nil && cr.Correlation.Legacy {
			legacy = append(legacy, cr)
		}
	}
	c.set.order = append(legacy, c.set.order...)
	c.link()
}

// correlation validates and resolves one correlation rule whose references
// all compiled.
func (c *compiler) correlation(cr *Rule, refs []*Rule) bool {
	d := cr.Sigma
	sc := d.Correlation
	fail := func(attr, format string, args ...any) bool {
		c.fail(d, corrPos(d, attr), ReasonCorrelation, format, args...)
		return false
	}
	typ, ok := correlationTypes[strings.ToLower(sc.Type)]
	if !ok {
		return fail("type", "correlation type %q is not one of event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile, new_value", sc.Type)
	}
	if len(refs) == 0 {
		return fail("rules", "correlation references no rules")
	}
	if sc.Timespan <= 0 {
		return fail("timespan", "correlation needs a positive timespan")
	}
	corr := &Correlation{Type: typ, Rules: refs, GroupBy: sc.GroupBy, Timespan: sc.Timespan,
		Learning: sc.Learning, Condition: sc.Condition, Field: sc.Field, Fields: sc.Fields,
		Generate: sc.Generate, inputs: map[inputKey]*Input{}}
	if len(corr.Fields) == 0 && corr.Field != "" {
		corr.Fields = []string{corr.Field}
	}
	if len(corr.Fields) > 1 {
		switch typ {
		case ValueCount, NewValue:
		default:
			return fail("condition", "a %s correlation takes one field, not a list", typ)
		}
	}
	for _, cd := range corr.Condition {
		if _, ok := legacyOpsByName[cd.Op]; !ok {
			return fail("condition", "condition operator %q is not one of gt, gte, lt, lte, eq, neq", cd.Op)
		}
	}
	switch typ {
	case EventCount, ValueCount, ValueSum, ValueAvg, ValuePercentile:
		if len(corr.Condition) == 0 {
			return fail("condition", "a %s correlation needs a condition", typ)
		}
	case Temporal, TemporalOrdered:
		if len(corr.Condition) == 0 {
			corr.Condition = []sigma.Criterion{{Op: "gte", Value: float64(len(refs))}}
		}
		if typ == TemporalOrdered && corr.Upper() {
			return fail("condition", "a temporal_ordered condition cannot have an upper bound (lt, lte, eq, neq)")
		}
	case NewValue:
		if len(corr.Condition) > 0 {
			return fail("condition", "a new_value correlation takes no condition")
		}
	}
	switch typ {
	case ValueCount, ValueSum, ValueAvg, ValuePercentile, NewValue:
		if corr.Field == "" {
			return fail("condition", "a %s correlation needs condition.field", typ)
		}
	default:
		if corr.Field != "" && typ != EventCount {
			return fail("condition", "a %s correlation takes no field", typ)
		}
	}
	for name, m := range sc.Aliases {
		if !slices.Contains(corr.GroupBy, name) {
			c.problem(d, corrPos(d, "aliases"), ReasonCorrelation, true, "alias %q is not used in group-by", name)
		}
		for rn := range m {
			found := false
			for _, r := range refs {
				if (r.Name != "" && r.Name == rn) || (r.ID != "" && r.ID == rn) {
					found = true
				}
			}
			if !found {
				c.problem(d, corrPos(d, "aliases"), ReasonCorrelation, true, "alias %q names rule %q, which the correlation does not reference", name, rn)
			}
		}
	}
	for pos, ref := range refs {
		if ref.Correlation != nil {
			in, err := chainInput(corr, ref, pos, sc.Aliases)
			if err != nil {
				return fail("group-by", "%v", err)
			}
			corr.inputs[inputKey{ref, event.KindUnknown}] = in
			continue
		}
		for _, k := range ref.Kinds {
			corr.inputs[inputKey{ref, k}] = c.eventInput(d, corr, ref, pos, k, sc.Aliases)
		}
	}
	for _, ref := range refs {
		for _, k := range ref.Kinds {
			if !slices.Contains(cr.Kinds, k) {
				cr.Kinds = append(cr.Kinds, k)
			}
		}
	}
	slices.Sort(cr.Kinds)
	cr.Correlation = corr
	return true
}

var legacyOpsByName = map[string]bool{"gt": true, "gte": true, "lt": true, "lte": true, "eq": true, "neq": true}

// chainInput maps a correlation's group-by (and field) onto the group-by of
// a referenced correlation, whose hits carry only their group values.
func chainInput(corr *Correlation, ref *Rule, pos int, aliases map[string]map[string]string) (*Input, error) {
	in := &Input{Position: pos, FieldIndex: -1}
	inner := ref.Correlation.GroupBy
	for _, g := range corr.GroupBy {
		name := aliasFor(aliases, g, ref)
		i := slices.Index(inner, name)
		if i < 0 {
			return nil, fmt.Errorf("group-by %q is not in the group-by of referenced correlation %s (%s)", name, ref, strings.Join(inner, ", "))
		}
		in.GroupIndex = append(in.GroupIndex, i)
	}
	if len(corr.Fields) > 1 {
		return nil, fmt.Errorf("a list of fields cannot be taken from referenced correlation %s", ref)
	}
	if corr.Field != "" {
		name := aliasFor(aliases, corr.Field, ref)
		i := slices.Index(inner, name)
		if i < 0 {
			return nil, fmt.Errorf("field %q is not in the group-by of referenced correlation %s", name, ref)
		}
		in.FieldIndex = i
	}
	return in, nil
}

// link fills Rule.In and Rule.Generate.
func (c *compiler) link() {
	for _, cr := range c.set.Rules {
		cr.In = nil
	}
	referenced := map[*Rule]bool{}
	generated := map[*Rule]bool{}
	for _, cr := range c.set.order {
		corr := cr.Correlation
		if corr.Legacy {
			continue
		}
		for _, ref := range corr.Rules {
			ref.In = append(ref.In, cr)
			referenced[ref] = true
			if corr.Generate {
				generated[ref] = true
			}
		}
	}
	for _, cr := range c.set.Rules {
		cr.Generate = !referenced[cr] || generated[cr]
	}
}
