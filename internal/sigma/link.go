package sigma

import (
	"fmt"
	"strings"
)

// Link checks the references between the documents of a rule set (one file
// or many): rule ids and names must be unique, every rule a correlation
// names must exist and be a detection or correlation rule, correlation
// chains must not loop, alias entries must name rules of their correlation,
// and every rule a filter names should be loaded. It fills in
// Correlation.Resolved and Filter.Resolved and returns the problems found,
// ordered by position.
func Link(rules []*Rule) []*Error {
	l := &linker{byID: map[string]*Rule{}, byName: map[string]*Rule{}}
	for _, r := range rules {
		l.index(r)
	}
	for _, r := range rules {
		switch {
		case r.Correlation != nil:
			l.correlation(r)
		case r.Filter != nil:
			l.filter(r)
		}
	}
	state := map[*Rule]int{}
	for _, r := range rules {
		if r.Correlation != nil {
			l.cycles(r, state, nil)
		}
	}
	return dedupe(l.errs)
}

type linker struct {
	byID, byName map[string]*Rule
	errs         []*Error
}

func (l *linker) add(r *Rule, at Pos, warn bool, format string, args ...any) {
	name := r.ID
	if name == "" {
		name = r.Title
	}
	if at.Line < 1 {
		at = r.Pos
	}
	l.errs = append(l.errs, &Error{File: r.File, Line: max(at.Line, 1), Col: max(at.Col, 1), Rule: name,
		Msg: fmt.Sprintf(format, args...), Warning: warn})
}

// where locates position at of rule r for a message about rule from.
func where(r *Rule, at Pos, from *Rule) string {
	if r.File == from.File {
		return fmt.Sprintf("line %d", at.Line)
	}
	return fmt.Sprintf("%s:%d:%d", r.File, at.Line, at.Col)
}

// index records r's id and name, reporting duplicates. Documents expanded
// from one legacy collection share the id written once in its global part:
// that is not a duplicate.
func (l *linker) index(r *Rule) {
	if r.ID != "" {
		if o, dup := l.byID[r.ID]; dup {
			if o.File != r.File || o.Positions["id"] != r.Positions["id"] {
				l.add(r, r.Positions["id"], false, "duplicate rule id %q (also at %s)", r.ID, where(o, o.Positions["id"], r))
			}
		} else {
			l.byID[r.ID] = r
		}
	}
	if r.Name != "" {
		if o, dup := l.byName[r.Name]; dup {
			if o.File != r.File || o.Positions["name"] != r.Positions["name"] {
				l.add(r, r.Positions["name"], false, "duplicate rule name %q (also at %s): names must be unique", r.Name, where(o, o.Positions["name"], r))
			}
		} else {
			l.byName[r.Name] = r
		}
	}
}

// lookup resolves a reference by id, then by name.
func (l *linker) lookup(ref string) *Rule {
	if r, ok := l.byID[ref]; ok {
		return r
	}
	return l.byName[ref]
}

func (l *linker) correlation(r *Rule) {
	c := r.Correlation
	c.Resolved = make([]*Rule, len(c.Rules))
	for i, ref := range c.Rules {
		at := r.Pos
		if i < len(c.RulePos) {
			at = c.RulePos[i]
		}
		t := l.lookup(ref)
		switch {
		case t == nil:
			l.add(r, at, false, "unknown rule %q: no loaded rule has this id or name", ref)
		case t.Filter != nil:
			l.add(r, at, false, "rule %q is a filter: a correlation refers to detection or correlation rules", ref)
		case t.Detection == nil && t.Correlation == nil:
			l.add(r, at, false, "rule %q is not a detection or correlation rule", ref)
		default:
			c.Resolved[i] = t
		}
	}
	for alias, m := range c.Aliases {
		for ref := range m {
			found := false
			for _, t := range c.Resolved {
				if t != nil && (t.Name == ref || t.ID == ref) {
					found = true
				}
			}
			if !found {
				l.add(r, c.Positions["aliases."+alias+"."+ref], false,
					"alias %s: %q is not the name or id of a rule of this correlation", alias, ref)
			}
		}
	}
}

func (l *linker) filter(r *Rule) {
	f := r.Filter
	f.Resolved = make([]*Rule, len(f.Rules))
	for i, ref := range f.Rules {
		at := r.Pos
		if i < len(f.RulePos) {
			at = f.RulePos[i]
		}
		t := l.lookup(ref)
		switch {
		case t == nil:
			l.add(r, at, true, "filter applies to rule %q, which is not loaded", ref)
		case t.Detection == nil:
			l.add(r, at, false, "rule %q is not a detection rule: filters apply to detection rules", ref)
		default:
			f.Resolved[i] = t
		}
	}
}

// cycles reports correlation chains that lead back to themselves (state:
// 1 = on the current path, 2 = done).
func (l *linker) cycles(r *Rule, state map[*Rule]int, path []*Rule) {
	switch state[r] {
	case 2:
		return
	case 1:
		var names []string
		start := 0
		for i, x := range path {
			if x == r {
				start = i
			}
		}
		for _, x := range path[start:] {
			names = append(names, ruleName(x))
		}
		names = append(names, ruleName(r))
		from := path[len(path)-1]
		at := from.Pos
		for i, t := range from.Correlation.Resolved {
			if t == r && i < len(from.Correlation.RulePos) {
				at = from.Correlation.RulePos[i]
			}
		}
		l.add(from, at, false, "correlation cycle: %s", strings.Join(names, " -> "))
		return
	}
	state[r] = 1
	path = append(path, r)
	for _, t := range r.Correlation.Resolved {
		if t != nil && t.Correlation != nil {
			l.cycles(t, state, path)
		}
	}
	state[r] = 2
}

func ruleName(r *Rule) string {
	switch {
	case r.Name != "":
		return r.Name
	case r.ID != "":
		return r.ID
	}
	return fmt.Sprintf("%q", r.Title)
}
