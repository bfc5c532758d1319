package sigma

import (
	"math"
	"strconv"
	"strings"
)

// The legacy aggregation of Sigma v1, after "|" in a condition:
//
//	aggregation = function "(" [ field ] ")" [ "by" field ] operator number
//	function    = "count" | "min" | "max" | "avg" | "sum"
//	operator    = ">" | ">=" | "<" | "<=" | "==" | "=" | "!="
//
// "=" is read as "==". Sigma v2 replaced aggregations with correlation
// rules; they are still found in public rules and used with the
// detection.timeframe attribute.

// aggFuncs are the aggregation functions of Sigma v1.
var aggFuncs = map[string]bool{"count": true, "min": true, "max": true, "avg": true, "sum": true}

type aggToken struct {
	text string
	off  int
	op   bool // a comparison operator
}

// lexAggregation splits the aggregation that starts at byte from of s.
func lexAggregation(s string, from int) []aggToken {
	var toks []aggToken
	i := from
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',' || c == '|':
			toks = append(toks, aggToken{text: s[i : i+1], off: i})
			i++
		case strings.IndexByte("<>=!", c) >= 0:
			j := i
			for j < len(s) && strings.IndexByte("<>=!", s[j]) >= 0 {
				j++
			}
			toks = append(toks, aggToken{text: s[i:j], off: i, op: true})
			i = j
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\n\r(),|<>=!", s[j]) < 0 {
				j++
			}
			toks = append(toks, aggToken{text: s[i:j], off: i})
			i = j
		}
	}
	return toks
}

// aggregation parses the part of the condition after the "|" at pipe.
func (p *condParser) aggregation(pipe int) *Aggregation {
	toks := lexAggregation(p.src, pipe+1)
	i := 0
	end := len(p.src)
	at := func() (aggToken, bool) {
		if i < len(toks) {
			return toks[i], true
		}
		return aggToken{off: end}, false
	}
	expect := func(what string) (aggToken, bool) {
		t, ok := at()
		if !ok {
			p.fail(end, "unexpected end of condition in aggregation, expected %s", what)
			return t, false
		}
		i++
		return t, true
	}
	fn, ok := expect("an aggregation function (count, min, max, avg, sum)")
	if !ok {
		return nil
	}
	if fn.text == "near" {
		p.fail(fn.off, "the 'near' aggregation is not supported: it is obsolete, use a temporal correlation rule")
		return nil
	}
	if !aggFuncs[fn.text] {
		p.fail(fn.off, "unknown aggregation function %q, expected count, min, max, avg or sum", fn.text)
		return nil
	}
	agg := &Aggregation{Func: fn.text, Pos: p.pos(fn.off)}
	if t, ok := expect("'('"); !ok {
		return nil
	} else if t.text != "(" {
		p.fail(t.off, "unexpected %q after %s, expected '('", t.text, fn.text)
		return nil
	}
	t, ok := expect("a field name or ')'")
	if !ok {
		return nil
	}
	if t.text != ")" {
		if t.op || strings.ContainsAny(t.text, "(),|") {
			p.fail(t.off, "unexpected %q in %s(), expected a field name", t.text, fn.text)
			return nil
		}
		agg.Field = t.text
		if t, ok = expect("')'"); !ok {
			return nil
		}
		if t.text != ")" {
			p.fail(t.off, "unexpected %q, expected ')' closing %s(", t.text, fn.text)
			return nil
		}
	}
	if agg.Field == "" && fn.text != "count" {
		p.fail(fn.off, "%s() needs a field name", fn.text)
		return nil
	}
	if t, ok := at(); ok && t.text == "by" {
		i++
		g, ok := expect("a group-by field name")
		if !ok {
			return nil
		}
		if g.op || strings.ContainsAny(g.text, "(),|") {
			p.fail(g.off, "unexpected %q after 'by', expected a field name", g.text)
			return nil
		}
		agg.GroupBy = g.text
		if t, ok := at(); ok && t.text == "," {
			p.fail(t.off, "aggregations group by one field only")
			return nil
		}
	}
	op, ok := expect("a comparison operator (>, >=, <, <=, ==, !=)")
	if !ok {
		return nil
	}
	switch op.text {
	case ">", ">=", "<", "<=", "==", "!=":
		agg.Op = op.text
	case "=":
		agg.Op = "=="
	default:
		p.fail(op.off, "unexpected %q, expected a comparison operator (>, >=, <, <=, ==, !=)", op.text)
		return nil
	}
	n, ok := expect("a number")
	if !ok {
		return nil
	}
	v, err := strconv.ParseFloat(n.text, 64)
	if err != nil || n.op || math.IsNaN(v) || math.IsInf(v, 0) {
		p.fail(n.off, "unexpected %q, expected a number", n.text)
		return nil
	}
	agg.Value = v
	if t, ok := at(); ok {
		p.fail(t.off, "unexpected %q after the aggregation", t.text)
		return nil
	}
	return agg
}
