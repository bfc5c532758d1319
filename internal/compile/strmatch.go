package compile

import (
	"bytes"
	"unicode/utf8"
)

// strSet matches a text against a list of patterns (OR): plain equality
// through a length-bucketed hash set, prefixes, suffixes, substrings through
// one Aho–Corasick automaton when there are several, and general wildcard
// patterns. Patterns and texts are compared byte for byte, so the caller
// folds both sides (or neither, for cased matching).
type strSet struct {
	any      bool // a pattern "*": every text matches
	exact    map[string]struct{}
	lens     [4]uint64 // bitmap of exact lengths < 256
	longLens bool      // some exact value is 256 bytes or longer
	prefixes []string
	suffixes []string
	contains []string
	ac       *acAutomaton
	globs    []glob
}

// acMinPatterns is the number of substring patterns from which one
// automaton beats a loop of bytes.Contains.
const acMinPatterns = 4

// newStrSet compiles patterns (already folded when matching is
// case-insensitive).
func newStrSet(ps []pattern) *strSet {
	s := &strSet{}
	for _, p := range ps {
		p = p.normalized()
		switch {
		case len(p) == 1 && p[0].kind == tokStar:
			s.any = true
		case !p.hasWildcards():
			v := p.plain()
			if s.exact == nil {
				s.exact = map[string]struct{}{}
			}
			s.exact[v] = struct{}{}
			if len(v) < 256 {
				s.lens[len(v)>>6] |= 1 << (uint(len(v)) & 63)
			} else {
				s.longLens = true
			}
		case len(p) == 2 && p[0].kind == tokLit && p[1].kind == tokStar:
			s.prefixes = append(s.prefixes, p[0].lit)
		case len(p) == 2 && p[0].kind == tokStar && p[1].kind == tokLit:
			s.suffixes = append(s.suffixes, p[1].lit)
		case len(p) == 3 && p[0].kind == tokStar && p[1].kind == tokLit && p[2].kind == tokStar:
			s.contains = append(s.contains, p[1].lit)
		default:
			s.globs = append(s.globs, newGlob(p))
		}
	}
	if len(s.contains) >= acMinPatterns {
		s.ac = newAC(s.contains, false)
	}
	return s
}

// match reports whether text matches any pattern.
func (s *strSet) match(text []byte) bool {
	if s.any {
		return true
	}
	if s.exact != nil {
		n := len(text)
		if (n < 256 && s.lens[n>>6]&(1<<(uint(n)&63)) != 0) || (n >= 256 && s.longLens) {
			if _, ok := s.exact[string(text)]; ok {
				return true
			}
		}
	}
	for _, p := range s.prefixes {
		if len(text) >= len(p) && string(text[:len(p)]) == p {
			return true
		}
	}
	for _, p := range s.suffixes {
		if len(text) >= len(p) && string(text[len(text)-len(p):]) == p {
			return true
		}
	}
	if s.ac != nil {
		if s.ac.contains(text) {
			return true
		}
	} else {
		for _, p := range s.contains {
			if bytes.Contains(text, []byte(p)) {
				return true
			}
		}
	}
	for i := range s.globs {
		if s.globs[i].match(text) {
			return true
		}
	}
	return false
}

// glob is a general wildcard pattern, split at its stars into segments of
// literals and single-character wildcards. The first segment is anchored at
// the start unless the pattern starts with a star, the last at the end
// unless it ends with one; the segments between are found leftmost-first,
// which is exact for star-separated segments.
type glob struct {
	segs                   [][]token
	anchorStart, anchorEnd bool
}

func newGlob(p pattern) glob {
	g := glob{anchorStart: len(p) > 0 && p[0].kind != tokStar, anchorEnd: len(p) > 0 && p[len(p)-1].kind != tokStar}
	var cur []token
	for _, t := range p {
		if t.kind == tokStar {
			if len(cur) > 0 {
				g.segs = append(g.segs, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, t)
	}
	if len(cur) > 0 {
		g.segs = append(g.segs, cur)
	}
	if len(p) == 0 {
		g.anchorStart, g.anchorEnd = true, true
	}
	return g
}

// segAt matches seg at text[i:] and returns the end offset.
func segAt(seg []token, text []byte, i int) (int, bool) {
	for _, t := range seg {
		if t.kind == tokOne {
			if i >= len(text) {
				return 0, false
			}
			_, n := utf8.DecodeRune(text[i:])
			i += n
			continue
		}
		if len(text)-i < len(t.lit) || string(text[i:i+len(t.lit)]) != t.lit {
			return 0, false
		}
		i += len(t.lit)
	}
	return i, true
}

func (g *glob) match(text []byte) bool {
	if len(g.segs) == 0 {
		// "" or "*" (the latter never reaches a glob).
		return !g.anchorStart || len(text) == 0
	}
	pos := 0
	segs := g.segs
	if g.anchorStart {
		end, ok := segAt(segs[0], text, 0)
		if !ok {
			return false
		}
		if len(segs) == 1 && g.anchorEnd {
			return end == len(text)
		}
		pos = end
		segs = segs[1:]
	}
	last := -1
	if g.anchorEnd && len(segs) > 0 {
		last = len(segs) - 1
	}
	for k, seg := range segs {
		if k == last {
			// The last segment must end exactly at the end of the text.
			for i := pos; i <= len(text); i = nextRune(text, i) {
				if end, ok := segAt(seg, text, i); ok && end == len(text) {
					return true
				}
			}
			return false
		}
		found := false
		for i := pos; i <= len(text); i = nextRune(text, i) {
			if end, ok := segAt(seg, text, i); ok {
				pos = end
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// nextRune returns the offset of the character after the one at text[i]
// (len(text)+1 at the end), so a segment is only tried where a character
// starts: a "?" after a star must not match half of a multi-byte character.
func nextRune(text []byte, i int) int {
	if i >= len(text) {
		return i + 1
	}
	_, n := utf8.DecodeRune(text[i:])
	return i + n
}
