package sigma

// filter reads the filter section of a filter document
// (sigma-filters-specification.md): the rules it applies to, its search
// identifiers (the specification names one, selection) and its condition.
func (p *parser) filter(kv pair) *Filter {
	f := &Filter{Pos: kv.pos()}
	kvs, ok := p.mapping(kv.Val, "filter")
	if !ok {
		return f
	}
	var cond *pair
	hasRules := false
	for i, e := range kvs {
		switch e.Key {
		case "rules":
			hasRules = true
			f.Rules, f.RulePos = p.refList(e, "filter rules")
		case "condition":
			cond = &kvs[i]
		default:
			if s := p.search(e); s != nil {
				f.Searches = append(f.Searches, s)
			}
		}
	}
	if !hasRules {
		p.errorf(f.Pos, "filter has no rules: it must name the rules it applies to")
	}
	if len(f.Searches) == 0 {
		p.errorf(f.Pos, "filter has no search identifier (e.g. selection)")
	}
	if cond == nil {
		p.errorf(f.Pos, "filter has no condition")
		return f
	}
	conds := p.conditions(cond.Val, f.Searches)
	switch {
	case len(conds) == 1:
		f.Condition = conds[0]
		if f.Condition.Aggregation != nil {
			p.errorf(f.Condition.Aggregation.Pos, "a filter condition cannot have an aggregation")
		}
	case len(conds) > 1:
		p.errorf(nodePos(cond.Val), "a filter has one condition, not a list")
	}
	return f
}
