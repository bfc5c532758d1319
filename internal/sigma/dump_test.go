package sigma

import (
	"fmt"
	"sort"
	"strings"
)

// dump renders rules as stable text for the golden files.
func dump(rules []*Rule) string {
	var b strings.Builder
	for _, r := range rules {
		dumpRule(&b, r)
	}
	return b.String()
}

func at(p Pos) string { return fmt.Sprintf("@%d:%d", p.Line, p.Col) }

func dumpRule(b *strings.Builder, r *Rule) {
	fmt.Fprintf(b, "document %d %s %s invalid=%v\n", r.Index, r.Doc, at(r.Pos), r.Invalid)
	field := func(name, v string) {
		if v != "" {
			fmt.Fprintf(b, "  %s: %q\n", name, v)
		}
	}
	list := func(name string, v []string) {
		if len(v) > 0 {
			fmt.Fprintf(b, "  %s: %q\n", name, v)
		}
	}
	field("title", r.Title)
	field("id", r.ID)
	field("name", r.Name)
	field("status", r.Status)
	field("description", r.Description)
	field("license", r.License)
	field("author", r.Author)
	field("date", r.Date)
	field("modified", r.Modified)
	field("taxonomy", r.Taxonomy)
	field("level", r.Level)
	list("references", r.References)
	list("tags", r.Tags)
	list("falsepositives", r.FalsePositives)
	list("fields", r.Fields)
	list("scope", r.Scope)
	for _, rel := range r.Related {
		fmt.Fprintf(b, "  related: %s %s\n", rel.Type, rel.ID)
	}
	ls := r.LogSource
	if ls.Pos.Line > 0 {
		fmt.Fprintf(b, "  logsource %s category=%q product=%q service=%q definition=%q custom=%v\n",
			at(ls.Pos), ls.Category, ls.Product, ls.Service, ls.Definition, ls.Custom)
	}
	var custom []string
	for k, v := range r.Custom {
		custom = append(custom, fmt.Sprintf("%s%s", k, at(nodePos(v))))
	}
	sort.Strings(custom)
	list("custom", custom)
	if d := r.Detection; d != nil {
		fmt.Fprintf(b, "  detection %s\n", at(d.Pos))
		dumpSearches(b, d.Searches)
		for _, c := range d.Conditions {
			dumpCondition(b, c)
		}
		if d.Timeframe != 0 {
			fmt.Fprintf(b, "    timeframe %v %s\n", d.Timeframe, at(d.TimeframePos))
		}
	}
	if c := r.Correlation; c != nil {
		fmt.Fprintf(b, "  correlation %s type=%s timespan=%v generate=%v\n", at(c.Pos), c.Type, c.Timespan, c.Generate)
		for i, ref := range c.Rules {
			res := "unresolved"
			if i < len(c.Resolved) && c.Resolved[i] != nil {
				res = "-> document " + fmt.Sprint(c.Resolved[i].Index)
			}
			fmt.Fprintf(b, "    rule %q %s %s\n", ref, at(c.RulePos[i]), res)
		}
		if len(c.GroupBy) > 0 {
			fmt.Fprintf(b, "    group-by %q\n", c.GroupBy)
		}
		for _, cr := range c.Condition {
			fmt.Fprintf(b, "    condition %s %g\n", cr.Op, cr.Value)
		}
		if c.Field != "" {
			fmt.Fprintf(b, "    field %q fields %q\n", c.Field, c.Fields)
		}
		var aliases []string
		for a, m := range c.Aliases {
			for r, f := range m {
				aliases = append(aliases, fmt.Sprintf("%s: %s -> %s", a, r, f))
			}
		}
		sort.Strings(aliases)
		for _, a := range aliases {
			fmt.Fprintf(b, "    alias %s\n", a)
		}
		if c.Learning != 0 {
			fmt.Fprintf(b, "    learning %v\n", c.Learning)
		}
	}
	if f := r.Filter; f != nil {
		fmt.Fprintf(b, "  filter %s\n", at(f.Pos))
		for i, ref := range f.Rules {
			res := "unresolved"
			if i < len(f.Resolved) && f.Resolved[i] != nil {
				res = "-> document " + fmt.Sprint(f.Resolved[i].Index)
			}
			fmt.Fprintf(b, "    rule %q %s %s\n", ref, at(f.RulePos[i]), res)
		}
		dumpSearches(b, f.Searches)
		if f.Condition != nil {
			dumpCondition(b, f.Condition)
		}
	}
}

func dumpSearches(b *strings.Builder, searches []*Search) {
	for _, s := range searches {
		fmt.Fprintf(b, "    search %s %s\n", s.Name, at(s.Pos))
		if len(s.Keywords) > 0 {
			fmt.Fprintf(b, "      keywords%s: %s\n", dumpMods(s.KeywordModifiers), dumpValues(s.Keywords))
		}
		for _, m := range s.Maps {
			fmt.Fprintf(b, "      map %s\n", at(m.Pos))
			for _, fm := range m.Matchers {
				fmt.Fprintf(b, "        %q%s %s: %s\n", fm.Field, dumpMods(fm.Modifiers), at(fm.Pos), dumpValues(fm.Values))
			}
		}
	}
}

func dumpMods(mods []Modifier) string {
	var b strings.Builder
	for _, m := range mods {
		fmt.Fprintf(&b, "|%s%s", m.Name, at(m.Pos))
	}
	return b.String()
}

var kindNames = map[ValueKind]string{ValueString: "str", ValueNumber: "num", ValueBool: "bool", ValueNull: "null"}

func dumpValues(vs []Value) string {
	var parts []string
	for _, v := range vs {
		s := fmt.Sprintf("%s %q%s", kindNames[v.Kind], v.Str, at(v.Pos))
		switch v.Kind {
		case ValueNumber:
			s += fmt.Sprintf("=%g", v.Num)
		case ValueBool:
			s += fmt.Sprintf("=%v", v.Bool)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func dumpCondition(b *strings.Builder, c *Condition) {
	fmt.Fprintf(b, "    condition %s %q\n      => %s\n", at(c.Pos), c.Text, dumpExpr(c.Expr))
	if a := c.Aggregation; a != nil {
		fmt.Fprintf(b, "      | %s(%s) by %q %s %g %s\n", a.Func, a.Field, a.GroupBy, a.Op, a.Value, at(a.Pos))
	}
}

// dumpExpr renders x with positions and resolved patterns.
func dumpExpr(x Expr) string {
	switch x := x.(type) {
	case *And:
		return "(" + dumpExpr(x.Left) + " and " + dumpExpr(x.Right) + ")"
	case *Or:
		return "(" + dumpExpr(x.Left) + " or " + dumpExpr(x.Right) + ")"
	case *Not:
		return "not " + dumpExpr(x.X)
	case *Ident:
		return x.Name + at(x.Pos)
	case *Of:
		q := "1"
		if x.All {
			q = "all"
		}
		return fmt.Sprintf("%s%s of %s%s%v", q, at(x.Pos), x.Pattern, at(x.PatternPos), x.Matches)
	}
	return "<nil>"
}
