package bench

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/normalize"
	"github.com/idsentry/idsentry/internal/sigma"
)

// Naive is the baseline evaluator: the way a generic Sigma tool works.
// Each record is decoded with encoding/json into map[string]any, the
// canonical document is picked out of it (an Azure Monitor sign-in's
// "properties" object), and every detection rule of the record's log kind
// is interpreted by walking its AST, with field names resolved and values
// lower-cased at match time. Only field resolution and regular expressions
// are cached. It does less than idsentry (no other export formats, no
// normalisation fixes, no correlation), so ratios against it understate
// idsentry's lead.
type Naive struct {
	byKind   map[event.Kind][]*sigma.Rule
	resolved map[string]event.Path
	regexps  map[string]*regexp.Regexp
}

// NewNaive returns a baseline evaluator over the valid detection rules of
// rules whose logsource routes to a log kind.
func NewNaive(rules []*sigma.Rule) *Naive {
	n := &Naive{byKind: map[event.Kind][]*sigma.Rule{}, resolved: map[string]event.Path{}, regexps: map[string]*regexp.Regexp{}}
	for _, r := range rules {
		if r.Detection == nil || r.Invalid {
			continue
		}
		route, ok, _ := compile.RouteOf(r.LogSource)
		if !ok {
			continue
		}
		for _, k := range append(append([]event.Kind(nil), route.Kinds...), route.Also...) {
			n.byKind[k] = append(n.byKind[k], r)
		}
	}
	return n
}

// Rules returns the number of rules evaluated for kind k.
func (n *Naive) Rules(k event.Kind) int { return len(n.byKind[k]) }

// Record evaluates one raw record and returns the number of rules that
// matched it; ok is false when the record is not JSON or not an Azure
// Monitor sign-in record.
func (n *Naive) Record(line []byte) (hits int, ok bool) {
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		return 0, false
	}
	props, isObj := m["properties"].(map[string]any)
	if !isObj || !strings.Contains(fmt.Sprint(m["category"]), "SignInLogs") {
		return 0, false
	}
	if _, has := props["ipAddress"]; !has {
		props["ipAddress"] = m["callerIpAddress"]
	}
	return n.match(event.KindEntraSignIn, props), true
}

// match returns the number of rules matching a canonical document.
func (n *Naive) match(k event.Kind, m map[string]any) int {
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

func (n *Naive) expr(k event.Kind, d *sigma.Detection, e sigma.Expr, m map[string]any) bool {
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
		matched, total := 0, 0
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

func (n *Naive) search(k event.Kind, s *sigma.Search, m map[string]any) bool {
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
		for _, f := range fm.Matchers {
			if !n.field(k, f, m) {
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

func (n *Naive) path(k event.Kind, field string) event.Path {
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

func (n *Naive) field(k event.Kind, fm *sigma.FieldMatcher, m map[string]any) bool {
	vals := lookup(m, n.path(k, fm.Field), nil)
	if fm.Has("exists") {
		return (len(vals) > 0) == (len(fm.Values) > 0 && fm.Values[0].Bool)
	}
	one := func(want sigma.Value) bool {
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
			if !one(w) {
				return false
			}
		}
		return true
	}
	for _, w := range fm.Values {
		if one(w) {
			return true
		}
	}
	return false
}

func (n *Naive) value(k event.Kind, fm *sigma.FieldMatcher, want sigma.Value, v any, m map[string]any) bool {
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
		return glob("*"+lit+"*", text)
	case fm.Has("startswith"):
		return glob(lit+"*", text)
	case fm.Has("endswith"):
		return glob("*"+lit, text)
	}
	return glob(lit, text)
}

// glob matches s against a pattern with * and ? wildcards, recursively,
// as simple evaluators do.
func glob(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := 0; i <= len(s); i++ {
				if glob(p[1:], s[i:]) {
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
