package compile

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/normalize"
	"github.com/idsentry/idsentry/internal/sigma"
)

// naive is the benchmark baseline: the way a generic Sigma evaluator
// works. Each event is decoded with encoding/json into map[string]any and
// every rule of the event's kind is interpreted by walking its AST, with
// field names resolved and values lower-cased at match time. Only field
// resolution and regular expressions are cached.
type naive struct {
	byKind   map[event.Kind][]*sigma.Rule
	resolved map[string]event.Path
	regexps  map[string]*regexp.Regexp
}

func newNaive(rules []*sigma.Rule) *naive {
	n := &naive{byKind: map[event.Kind][]*sigma.Rule{}, resolved: map[string]event.Path{}, regexps: map[string]*regexp.Regexp{}}
	for _, r := range rules {
		if r.Detection == nil || r.Invalid {
			continue
		}
		route, ok, _ := RouteOf(r.LogSource)
		if !ok {
			continue
		}
		for _, k := range append(append([]event.Kind(nil), route.Kinds...), route.Also...) {
			n.byKind[k] = append(n.byKind[k], r)
		}
	}
	return n
}

// match returns the number of rules matching the canonical document.
func (n *naive) match(k event.Kind, doc []byte) int {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return 0
	}
	hits := 0
	for _, r := range n.byKind[k] {
		for _, c := range r.Detection.Conditions {
			if c.Aggregation == nil && n.expr(k, r.Detection, c.Expr, m) {
				hits++
				break
			}
		}
	}
	return hits
}

func (n *naive) expr(k event.Kind, d *sigma.Detection, e sigma.Expr, m map[string]any) bool {
	switch x := e.(type) {
	case *sigma.And:
		return n.expr(k, d, x.Left, m) && n.expr(k, d, x.Right, m)
	case *sigma.Or:
		return n.expr(k, d, x.Left, m) || n.expr(k, d, x.Right, m)
	case *sigma.Not:
		return !n.expr(k, d, x.X, m)
	case *sigma.Ident:
		if s := d.Search(x.Name); s != nil {
			return n.search(k, s, m)
		}
	case *sigma.Of:
		matched := 0
		total := 0
		for _, s := range d.Searches {
			if !sigma.MatchPattern(x.Pattern, s.Name) {
				continue
			}
			total++
			if n.search(k, s, m) {
				matched++
			}
		}
		if x.All {
			return total > 0 && matched == total
		}
		return matched > 0
	}
	return false
}

func (n *naive) search(k event.Kind, s *sigma.Search, m map[string]any) bool {
	if len(s.Keywords) > 0 {
		var texts []string
		walkValues(m, &texts)
		for _, kw := range s.Keywords {
			for _, t := range texts {
				if strings.Contains(strings.ToLower(t), strings.ToLower(kw.Str)) {
					return true
				}
			}
		}
		return false
	}
	for _, fm := range s.Maps {
		all := true
		for _, fmm := range fm.Matchers {
			if !n.field(k, fmm, m) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func walkValues(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for _, y := range x {
			walkValues(y, out)
		}
	case []any:
		for _, y := range x {
			walkValues(y, out)
		}
	case nil:
	default:
		*out = append(*out, fmt.Sprint(x))
	}
}

func (n *naive) path(k event.Kind, field string) event.Path {
	key := k.String() + "\x00" + field
	p, ok := n.resolved[key]
	if !ok {
		p, _ = normalize.Resolve(k, field)
		n.resolved[key] = p
	}
	return p
}

// lookup collects the values at p, descending into arrays.
func lookup(v any, p event.Path, out []any) []any {
	if len(p) == 0 {
		if a, ok := v.([]any); ok {
			return append(out, a...)
		}
		return append(out, v)
	}
	switch x := v.(type) {
	case map[string]any:
		if y, ok := x[p[0]]; ok {
			return lookup(y, p[1:], out)
		}
	case []any:
		for _, y := range x {
			out = lookup(y, p, out)
		}
	}
	return out
}

func (n *naive) field(k event.Kind, fm *sigma.FieldMatcher, m map[string]any) bool {
	vals := lookup(m, n.path(k, fm.Field), nil)
	if fm.Has("exists") {
		return (len(vals) > 0) == (len(fm.Values) > 0 && fm.Values[0].Bool)
	}
	matchOne := func(want sigma.Value) bool {
		if want.Kind == sigma.ValueNull {
			return len(vals) == 0 || vals[0] == nil
		}
		for _, v := range vals {
			if n.value(k, fm, want, v, m) {
				return true
			}
		}
		return false
	}
	if fm.Has("all") {
		for _, w := range fm.Values {
			if !matchOne(w) {
				return false
			}
		}
		return true
	}
	for _, w := range fm.Values {
		if matchOne(w) {
			return true
		}
	}
	return false
}

func (n *naive) value(k event.Kind, fm *sigma.FieldMatcher, want sigma.Value, v any, m map[string]any) bool {
	var text string
	switch x := v.(type) {
	case string:
		text = x
	case float64:
		text = strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return false
	default:
		b, _ := json.Marshal(x)
		text = string(b)
	}
	switch {
	case fm.Has("re"):
		re, ok := n.regexps[want.Str]
		if !ok {
			re, _ = regexp.Compile(want.Str)
			n.regexps[want.Str] = re
		}
		return re != nil && re.MatchString(text)
	case fm.Has("fieldref"):
		for _, o := range lookup(m, n.path(k, want.Str), nil) {
			if s, ok := o.(string); ok && strings.EqualFold(s, text) {
				return true
			}
		}
		return false
	case fm.Has("gt"), fm.Has("gte"), fm.Has("lt"), fm.Has("lte"):
		a, err1 := strconv.ParseFloat(text, 64)
		b, err2 := strconv.ParseFloat(want.Str, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		switch {
		case fm.Has("gt"):
			return a > b
		case fm.Has("gte"):
			return a >= b
		case fm.Has("lt"):
			return a < b
		}
		return a <= b
	}
	lit := want.Str
	if !fm.Has("cased") {
		text, lit = strings.ToLower(text), strings.ToLower(lit)
	}
	switch {
	case fm.Has("contains"):
		return naiveGlob("*"+lit+"*", text)
	case fm.Has("startswith"):
		return naiveGlob(lit+"*", text)
	case fm.Has("endswith"):
		return naiveGlob("*"+lit, text)
	}
	return naiveGlob(lit, text)
}

// naiveGlob matches s against a pattern with * and ? wildcards
// (recursively, as simple evaluators do).
func naiveGlob(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := 0; i <= len(s); i++ {
				if naiveGlob(p[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if len(s) == 0 {
				return false
			}
			p, s = p[1:], s[1:]
		default:
			if len(s) == 0 || s[0] != p[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return len(s) == 0
}
