package compile

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Literal requirements of regular expressions.
//
// reLits derives from a regular expression a litSet such that every match
// of the expression contains one of the literals, ignoring ASCII case. It
// feeds the raw-bytes prefilter (for a verbatim field, not under neq, like
// the literals of string matches; see prefilter.go) and a per-test
// precheck that skips the regexp engine on field texts holding none of the
// literals.
//
// The expression is parsed exactly as regexp.Compile parses it
// (syntax.Perl, the rule's flags as a "(?flags)" prefix, Simplify), and the
// requirement is computed over the syntax tree:
//   - a literal requires its longest run of ASCII letters and digits;
//   - a capture, a "+" and a repeat with a minimum of at least one require
//     what their child requires (every match contains a match of the
//     child);
//   - a concatenation requires the best requirement of its children
//     (bestLits; a child without one is neutral), and also the runs of
//     adjacent children concatenated: consecutive children whose matches
//     form a small finite set of strings (literals, small character
//     classes, "?" of such, alternations and concatenations of such, and
//     zero-width assertions, which match the empty string) are expanded
//     into the set of their concatenations, so "(azure|sharp)hound" may
//     require "azurehound" or "sharphound", and the prefix factoring of
//     the parser ("abcdef|abcxyz" parses as "abc(?:def|xyz)") loses
//     nothing;
//   - an alternation requires the union of its branches' requirements
//     (none if a branch has none);
//   - anything else ("*", "?", character classes, any character, empty
//     string, assertions on their own) requires nothing.
//
// Soundness. A run is made only of ASCII letters and digits that match
// nothing but themselves ignoring ASCII case, so the run occurs, ignoring
// ASCII case, in every text a node matches. A literal without the FoldCase
// flag matches its runes exactly. Under FoldCase a rune matches its whole
// simple case-folding orbit, and two ASCII letters have a non-ASCII member
// in theirs: 'k' matches U+212A KELVIN SIGN and 's' matches U+017F LATIN
// SMALL LETTER LONG S. An ASCII-folding scan would miss those, so such a
// letter (any rune whose orbit leaves ASCII) breaks the run (foldSafe). A
// character class lists every rune it matches (the parser has already
// added the case variants under FoldCase), so an expansion of a class is
// exact, and a non-ASCII member simply breaks the run of its own string.
// Invalid UTF-8 in the text decodes to U+FFFD, which matches no ASCII
// literal rune. The combinators follow prefilter.go: a concatenation's
// match contains a match of each child, and of any run of adjacent
// children (whose matches are concatenated, zero-width assertions matching
// the empty string); an alternation's match is a match of one branch.

// maxExact caps the strings of an expanded run of concatenation children.
const maxExact = 64

// maxExactClass is the largest character class expanded into its runes.
const maxExactClass = 8

// reBreak stands, in an expanded string, for a rune that is not a safe
// ASCII letter or digit; it is neither a letter nor a digit itself.
const reBreak = '\x00'

// reLits returns the literal requirement of the regular expression expr
// (flags included, as regexp.Compile receives it), or nil.
func reLits(expr string, common func(string) bool) litSet {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return reNodeLits(re.Simplify(), common)
}

func reNodeLits(re *syntax.Regexp, common func(string) bool) litSet {
	switch re.Op {
	case syntax.OpLiteral:
		return exactLits([]string{literalString(re)}, common)
	case syntax.OpCapture, syntax.OpPlus:
		return reNodeLits(re.Sub[0], common)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return reNodeLits(re.Sub[0], common)
		}
		return nil
	case syntax.OpAlternate:
		sets := make([]litSet, len(re.Sub))
		for i, sub := range re.Sub {
			if sets[i] = reNodeLits(sub, common); sets[i] == nil {
				return nil
			}
		}
		return unionLits(sets)
	case syntax.OpConcat:
		// Runs of adjacent children with a finite set of matches first:
		// on a tie bestLits keeps the earlier, longer literals.
		var sets []litSet
		cur := []string{""}
		for _, sub := range re.Sub {
			e := exactStrings(sub)
			if e == nil {
				sets = append(sets, exactLits(cur, common))
				cur = []string{""}
				continue
			}
			if len(cur)*len(e) > maxExact {
				sets = append(sets, exactLits(cur, common))
				cur = []string{""}
			}
			cur = crossStrings(cur, e)
		}
		sets = append(sets, exactLits(cur, common))
		for _, sub := range re.Sub {
			sets = append(sets, reNodeLits(sub, common))
		}
		return bestLits(sets)
	}
	return nil
}

// exactLits is the requirement "one of ss occurs", ss being expanded
// strings (reBreak for unsafe runes).
func exactLits(ss []string, common func(string) bool) litSet {
	ps := make([]pattern, len(ss))
	for i, s := range ss {
		var p pattern
		for j, part := range strings.Split(s, string(rune(reBreak))) {
			if j > 0 {
				p = append(p, token{kind: tokOne})
			}
			if part != "" {
				p = append(p, token{kind: tokLit, lit: part})
			}
		}
		ps[i] = p
	}
	return patternLits(ps, common)
}

// foldSafe reports whether every rune of r's case-folding orbit is ASCII,
// so that a case-insensitive match of r is an ASCII-case-insensitive one.
func foldSafe(r rune) bool {
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// literalString expands an OpLiteral: its ASCII letters and digits that
// match only themselves (ignoring ASCII case) and reBreak for every other
// rune.
func literalString(re *syntax.Regexp) string {
	fold := re.Flags&syntax.FoldCase != 0
	b := make([]byte, 0, len(re.Rune))
	for _, r := range re.Rune {
		b = appendExactRune(b, r, fold)
	}
	return string(b)
}

func appendExactRune(b []byte, r rune, fold bool) []byte {
	if r < utf8.RuneSelf && isAlnum(byte(r)) && (!fold || foldSafe(r)) {
		return append(b, byte(r))
	}
	return append(b, reBreak)
}

// exactStrings returns the expanded strings one of which every match of re
// is (zero-width assertions counting as the empty string), or nil when
// there are too many or infinitely many.
func exactStrings(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{literalString(re)}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}
	case syntax.OpCapture:
		return exactStrings(re.Sub[0])
	case syntax.OpCharClass:
		var out []string
		n := 0
		for i := 0; i+1 < len(re.Rune); i += 2 {
			n += int(re.Rune[i+1]-re.Rune[i]) + 1
			if n > maxExactClass {
				return nil
			}
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, string(appendExactRune(nil, r, false)))
			}
		}
		return dedupStrings(out)
	case syntax.OpQuest:
		e := exactStrings(re.Sub[0])
		if e == nil || len(e)+1 > maxExact {
			return nil
		}
		return dedupStrings(append([]string{""}, e...))
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			e := exactStrings(sub)
			if e == nil || len(out)+len(e) > maxExact {
				return nil
			}
			out = append(out, e...)
		}
		return dedupStrings(out)
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			e := exactStrings(sub)
			if e == nil || len(out)*len(e) > maxExact {
				return nil
			}
			out = crossStrings(out, e)
		}
		return out
	}
	return nil
}

// crossStrings returns every a+b.
func crossStrings(as, bs []string) []string {
	out := make([]string, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			out = append(out, a+b)
		}
	}
	return dedupStrings(out)
}

func dedupStrings(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// contains reports whether text holds one of the scanner's literals,
// ignoring ASCII case.
func (g *gramScanner) contains(text []byte) bool {
	found := false
	g.scan(text, func(int32, int) bool { found = true; return false })
	return found
}
