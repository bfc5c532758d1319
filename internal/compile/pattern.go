package compile

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"
)

// A pattern is a Sigma string value after escape processing: literal runs,
// "*" (any run of characters, possibly empty) and "?" (exactly one
// character). Adjacent literals are merged and runs of "*" collapse to one.
type pattern []token

type tokKind uint8

const (
	tokLit tokKind = iota
	tokStar
	tokOne
)

type token struct {
	kind tokKind
	lit  string
}

// parsePattern parses a Sigma string with the escape rules of the rules
// specification ("Escape Character"): "\" escapes "*", "?" and "\" itself;
// a backslash before any other character is a plain backslash. So "\*" is a
// plain star, "\\*" a backslash then a wildcard, "\\\*" a backslash then a
// plain star, and "\\\\" two plain backslashes.
func parsePattern(s string) pattern {
	var p pattern
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p = append(p, token{kind: tokLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\') {
				lit.WriteByte(s[i+1])
				i++
			} else {
				lit.WriteByte('\\')
			}
		case '*':
			flush()
			if len(p) == 0 || p[len(p)-1].kind != tokStar {
				p = append(p, token{kind: tokStar})
			}
		case '?':
			flush()
			p = append(p, token{kind: tokOne})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return p
}

// literalPattern is a pattern holding s as plain text.
func literalPattern(s string) pattern {
	if s == "" {
		return nil
	}
	return pattern{{kind: tokLit, lit: s}}
}

// hasWildcards reports whether p contains "*" or "?".
func (p pattern) hasWildcards() bool {
	for _, t := range p {
		if t.kind != tokLit {
			return true
		}
	}
	return false
}

// plain returns the text of a wildcard-free pattern.
func (p pattern) plain() string {
	var b strings.Builder
	for _, t := range p {
		b.WriteString(t.lit)
	}
	return b.String()
}

// normalized merges adjacent literals and collapses stars.
func (p pattern) normalized() pattern {
	var out pattern
	for _, t := range p {
		if t.kind == tokLit && t.lit == "" {
			continue
		}
		if n := len(out); n > 0 {
			last := &out[n-1]
			if t.kind == tokLit && last.kind == tokLit {
				last.lit += t.lit
				continue
			}
			if t.kind == tokStar && last.kind == tokStar {
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// mapLiterals applies fn to every literal of p.
func (p pattern) mapLiterals(fn func(string) string) pattern {
	out := make(pattern, len(p))
	for i, t := range p {
		if t.kind == tokLit {
			t.lit = fn(t.lit)
		}
		out[i] = t
	}
	return out.normalized()
}

// String renders p back in Sigma syntax (for messages).
func (p pattern) String() string {
	var b strings.Builder
	for _, t := range p {
		switch t.kind {
		case tokStar:
			b.WriteByte('*')
		case tokOne:
			b.WriteByte('?')
		default:
			for i := 0; i < len(t.lit); i++ {
				if c := t.lit[i]; c == '*' || c == '?' || c == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(t.lit[i])
			}
		}
	}
	return b.String()
}

// withStars implements contains, startswith and endswith: a star is added
// at the start and/or end unless the pattern already has one there.
func (p pattern) withStars(front, back bool) pattern {
	out := append(pattern(nil), p...)
	if front && (len(out) == 0 || out[0].kind != tokStar) {
		out = append(pattern{{kind: tokStar}}, out...)
	}
	if back && (len(out) == 0 || out[len(out)-1].kind != tokStar) {
		out = append(out, token{kind: tokStar})
	}
	return out
}

// maxExpansion caps the number of values one value may expand into through
// windash and expand, so a rule cannot blow up compile time or memory.
const maxExpansion = 4096

var errTooManyVariants = fmt.Errorf("expands into more than %d values", maxExpansion)

// windashRE finds the characters windash permutes: a "-" or "/" that starts
// a word (pySigma's pattern \B[-/]\b, applied to each literal run).
var windashRE = regexp.MustCompile(`\B[-/]\b`)

// windashChars are the five dash variants of the windash modifier.
var windashChars = []string{"-", "/", "\u2013", "\u2014", "\u2015"}

// windash returns every permutation of p's word-leading dashes over the five
// dash characters.
func windash(p pattern) ([]pattern, error) {
	out := []pattern{nil}
	for _, t := range p {
		if t.kind != tokLit {
			for i := range out {
				out[i] = append(out[i], t)
			}
			continue
		}
		locs := windashRE.FindAllStringIndex(t.lit, -1)
		if len(locs) == 0 {
			for i := range out {
				out[i] = append(out[i], t)
			}
			continue
		}
		// Variants of this literal: the product over its dash positions.
		variants := []string{""}
		prev := 0
		for _, loc := range locs {
			seg := t.lit[prev:loc[0]]
			next := make([]string, 0, len(variants)*len(windashChars))
			for _, v := range variants {
				for _, d := range windashChars {
					next = append(next, v+seg+d)
				}
			}
			variants = next
			prev = loc[1]
			if len(variants)*len(out) > maxExpansion {
				return nil, errTooManyVariants
			}
		}
		tail := t.lit[prev:]
		next := make([]pattern, 0, len(out)*len(variants))
		for _, o := range out {
			for _, v := range variants {
				q := append(append(pattern(nil), o...), token{kind: tokLit, lit: v + tail})
				next = append(next, q)
			}
		}
		out = next
	}
	for i := range out {
		out[i] = out[i].normalized()
	}
	return out, nil
}

var errWildcardEncode = errors.New("cannot encode a value containing wildcards")

// base64Encode implements the base64 modifier.
func base64Encode(p pattern) (pattern, error) {
	if p.hasWildcards() {
		return nil, errWildcardEncode
	}
	return literalPattern(base64.StdEncoding.EncodeToString([]byte(p.plain()))), nil
}

// base64Offsets implements the base64offset modifier: the value is encoded
// after 0, 1 and 2 leading bytes, and the characters that depend on the
// unknown neighbouring bytes are cut off (pySigma's start offsets 0, 2, 3
// and end offsets none, -3, -2 by (len+shift) mod 3).
func base64Offsets(p pattern) ([]pattern, error) {
	if p.hasWildcards() {
		return nil, errWildcardEncode
	}
	val := p.plain()
	start := [3]int{0, 2, 3}
	endCut := [3]int{0, 3, 2}
	out := make([]pattern, 0, 3)
	for i := 0; i < 3; i++ {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", i) + val))
		end := len(enc) - endCut[(len(val)+i)%3]
		if end < start[i] {
			end = start[i]
		}
		out = append(out, literalPattern(enc[start[i]:end]))
	}
	return out, nil
}

// utf16Encode implements utf16le (wide), utf16be and utf16 (little endian
// with a byte order mark). Wildcards are kept; literal runs are encoded.
func utf16Encode(p pattern, bigEndian, bom bool) pattern {
	enc := func(s string) string {
		u := utf16.Encode([]rune(s))
		b := make([]byte, 0, 2*len(u))
		for _, x := range u {
			if bigEndian {
				b = append(b, byte(x>>8), byte(x))
			} else {
				b = append(b, byte(x), byte(x>>8))
			}
		}
		return string(b)
	}
	out := p.mapLiterals(enc)
	if bom {
		out = append(pattern{{kind: tokLit, lit: "\xff\xfe"}}, out...).normalized()
	}
	return out
}

// expandPlaceholders implements the expand modifier on a raw Sigma string:
// every %name% is replaced by each value of placeholders[name] (values are
// Sigma strings too, so their wildcards are live); a "\%" is a plain
// percent sign. It returns the expanded raw strings, or an error naming the
// first unresolved placeholder.
func expandPlaceholders(s string, placeholders map[string][]string) ([]string, error) {
	outs := []string{""}
	var lit strings.Builder
	appendAll := func(suffixes []string) error {
		next := make([]string, 0, len(outs)*len(suffixes))
		for _, o := range outs {
			for _, x := range suffixes {
				next = append(next, o+x)
			}
		}
		if len(next) > maxExpansion {
			return errTooManyVariants
		}
		outs = next
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && s[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		if c == '%' {
			end := strings.IndexByte(s[i+1:], '%')
			if end > 0 {
				name := s[i+1 : i+1+end]
				vals, ok := placeholders[name]
				if !ok || len(vals) == 0 {
					return nil, fmt.Errorf("placeholder %%%s%% has no values (set it in the placeholders configuration)", name)
				}
				if err := appendAll([]string{lit.String()}); err != nil {
					return nil, err
				}
				lit.Reset()
				if err := appendAll(vals); err != nil {
					return nil, err
				}
				i += end + 1
				continue
			}
		}
		lit.WriteByte(c)
	}
	if err := appendAll([]string{lit.String()}); err != nil {
		return nil, err
	}
	return outs, nil
}
