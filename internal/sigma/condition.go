package sigma

import (
	"fmt"
	"strings"
)

// The condition grammar (sigma-rules-specification.md, "Condition"), from
// least to most binding:
//
//	condition   = expr [ "|" aggregation ]
//	expr        = and { "or" and }
//	and         = not { "and" not }
//	not         = "not" not | operand
//	operand     = "(" expr ")" | quantifier "of" pattern | identifier
//	quantifier  = "1" | "all" | "any"
//	pattern     = "them" | identifier with "*" wildcards
//
// "any of" is pySigma's synonym of "1 of"; it is accepted with a warning
// because the specification does not define it. Operators are lower-case,
// as in pySigma.

// condError is a syntax error at a byte offset of a condition string.
type condError struct {
	off  int
	msg  string
	warn bool
}

// tokKind is the kind of a condition token.
type tokKind uint8

const (
	tokEOF tokKind = iota
	tokWord
	tokLParen
	tokRParen
	tokPipe
)

type token struct {
	kind tokKind
	text string
	off  int
}

// lexCondition splits a condition into tokens. Words are maximal runs of
// characters other than white space, parentheses and "|".
func lexCondition(s string) []token {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case c == '|':
			toks = append(toks, token{tokPipe, "|", i})
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()|", rune(s[j])) {
				j++
			}
			toks = append(toks, token{tokWord, s[i:j], i})
			i = j
		}
	}
	return append(toks, token{tokEOF, "", len(s)})
}

// maxCondDepth bounds the nesting of a condition so that a hostile rule
// cannot exhaust the stack.
const maxCondDepth = 200

type condParser struct {
	src      string
	toks     []token
	i        int
	depth    int
	pos      func(off int) Pos
	err      *condError
	warnings []condError
}

func (p *condParser) peek() token { return p.toks[p.i] }

func (p *condParser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *condParser) fail(off int, format string, args ...any) {
	if p.err == nil {
		p.err = &condError{off: off, msg: fmt.Sprintf(format, args...)}
	}
}

func isWord(t token, w string) bool { return t.kind == tokWord && t.text == w }

func describe(t token) string {
	if t.kind == tokEOF {
		return "end of condition"
	}
	return fmt.Sprintf("%q", t.text)
}

// parseCondition parses condition s; pos maps byte offsets of s to file
// positions.
func parseCondition(s string, pos func(int) Pos) (Expr, *Aggregation, *condError, []condError) {
	p := &condParser{src: s, toks: lexCondition(s), pos: pos}
	if p.peek().kind == tokEOF {
		return nil, nil, &condError{off: 0, msg: "empty condition"}, nil
	}
	x := p.expr()
	var agg *Aggregation
	if p.err == nil {
		switch t := p.peek(); t.kind {
		case tokEOF:
		case tokPipe:
			p.next()
			agg = p.aggregation(t.off)
		default:
			hint := ""
			if l := strings.ToLower(t.text); t.kind == tokWord && l != t.text && (l == "and" || l == "or") {
				hint = " (operators are lower-case)"
			}
			p.fail(t.off, "unexpected %s, expected 'and', 'or' or end of condition%s", describe(t), hint)
		}
	}
	if p.err != nil {
		return nil, nil, p.err, p.warnings
	}
	return x, agg, nil, p.warnings
}

func (p *condParser) expr() Expr {
	x := p.and()
	for p.err == nil && isWord(p.peek(), "or") {
		p.next()
		y := p.and()
		x = &Or{Left: x, Right: y}
	}
	return x
}

func (p *condParser) and() Expr {
	x := p.not()
	for p.err == nil && isWord(p.peek(), "and") {
		p.next()
		y := p.not()
		x = &And{Left: x, Right: y}
	}
	return x
}

func (p *condParser) not() Expr {
	if p.err != nil {
		return nil
	}
	if t := p.peek(); isWord(t, "not") {
		p.next()
		if p.depth++; p.depth > maxCondDepth {
			p.fail(t.off, "condition nested too deeply (more than %d levels)", maxCondDepth)
			return nil
		}
		x := p.not()
		p.depth--
		return &Not{X: x}
	}
	return p.operand()
}

func (p *condParser) operand() Expr {
	if p.err != nil {
		return nil
	}
	t := p.next()
	switch t.kind {
	case tokLParen:
		if p.depth++; p.depth > maxCondDepth {
			p.fail(t.off, "condition nested too deeply (more than %d levels)", maxCondDepth)
			return nil
		}
		x := p.expr()
		p.depth--
		if p.err != nil {
			return nil
		}
		if c := p.next(); c.kind != tokRParen {
			p.fail(c.off, "unexpected %s, expected ')' closing the '(' at column %d", describe(c), p.pos(t.off).Col)
			return nil
		}
		return x
	case tokWord:
	default:
		p.fail(t.off, "unexpected %s, expected a search identifier, 'not', '1 of', 'all of' or '('", describe(t))
		return nil
	}
	if (t.text == "1" || t.text == "all" || t.text == "any") && isWord(p.peek(), "of") {
		p.next()
		return p.of(t)
	}
	switch t.text {
	case "and", "or", "of", "not":
		p.fail(t.off, "unexpected %q, expected a search identifier, 'not', '1 of', 'all of' or '('", t.text)
		return nil
	}
	if strings.Contains(t.text, "*") {
		p.fail(t.off, "wildcard in search identifier %q: patterns are allowed only after '1 of' or 'all of'", t.text)
		return nil
	}
	if isNumber(t.text) && isWord(p.peek(), "of") {
		p.fail(t.off, "quantifier %q is not supported: use '1 of' or 'all of'", t.text)
		return nil
	}
	return &Ident{Name: t.text, Pos: p.pos(t.off)}
}

func (p *condParser) of(q token) Expr {
	t := p.next()
	if t.kind != tokWord {
		p.fail(t.off, "unexpected %s after '%s of', expected a search identifier pattern or 'them'", describe(t), q.text)
		return nil
	}
	switch t.text {
	case "and", "or", "not", "of":
		p.fail(t.off, "unexpected %q after '%s of', expected a search identifier pattern or 'them'", t.text, q.text)
		return nil
	}
	if q.text == "any" {
		p.warnings = append(p.warnings, condError{off: q.off, warn: true,
			msg: "'any of' is not in the Sigma specification (pySigma reads it as '1 of'); use '1 of'"})
	}
	return &Of{All: q.text == "all", Pattern: t.text, Pos: p.pos(q.off), PatternPos: p.pos(t.off)}
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseCondition parses one condition expression, with its legacy
// aggregation if any. Positions in the result are columns of s on line 1.
// A syntax error is an *Error without a file name.
func ParseCondition(s string) (Expr, *Aggregation, error) {
	pos := func(off int) Pos { return Pos{Line: 1, Col: 1 + len([]rune(s[:min(off, len(s))]))} }
	x, agg, err, _ := parseCondition(s, pos)
	if err != nil {
		at := pos(err.off)
		return nil, nil, &Error{Line: at.Line, Col: at.Col, Msg: err.msg}
	}
	return x, agg, nil
}

// MatchPattern reports whether search identifier name matches the pattern
// of an "of" expression: "them" matches every identifier, "*" matches any
// run of characters, and identifiers beginning with "_" never match (the
// specification excludes them from "them"; pySigma from every pattern).
func MatchPattern(pattern, name string) bool {
	if strings.HasPrefix(name, "_") {
		return false
	}
	if pattern == "them" {
		return true
	}
	return wildcardMatch(pattern, name)
}

// wildcardMatch matches name against pattern with "*" wildcards.
func wildcardMatch(pattern, name string) bool {
	px, nx := 0, 0
	starP, starN := -1, 0
	for nx < len(name) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			starP, starN = px, nx
			px++
		case px < len(pattern) && pattern[px] == name[nx]:
			px++
			nx++
		case starP >= 0:
			px = starP + 1
			starN++
			nx = starN
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// String renders an expression in condition syntax, fully parenthesized
// below the top level; it is meant for tests and messages.
func String(x Expr) string {
	switch x := x.(type) {
	case *And:
		return "(" + String(x.Left) + " and " + String(x.Right) + ")"
	case *Or:
		return "(" + String(x.Left) + " or " + String(x.Right) + ")"
	case *Not:
		return "not " + String(x.X)
	case *Ident:
		return x.Name
	case *Of:
		if x.All {
			return "all of " + x.Pattern
		}
		return "1 of " + x.Pattern
	case nil:
		return "<nil>"
	}
	return fmt.Sprintf("%T", x)
}
