package sigma

import (
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxSkip bounds how far the source is scanned for one character of a
// scalar's value when mapping value offsets back to file positions.
const maxSkip = 64

// lineStarts returns the byte offset of the start of every line of src.
func (p *parser) lineStarts() []int {
	if p.starts == nil {
		p.starts = []int{0}
		for i, c := range p.src {
			if c == '\n' {
				p.starts = append(p.starts, i+1)
			}
		}
	}
	return p.starts
}

// offsetOf returns the byte offset in src of a 1-based line and (character)
// column, or -1.
func (p *parser) offsetOf(at Pos) int {
	starts := p.lineStarts()
	if at.Line < 1 || at.Line > len(starts) {
		return -1
	}
	off := starts[at.Line-1]
	for col := 1; col < at.Col; col++ {
		if off >= len(p.src) || p.src[off] == '\n' {
			return -1
		}
		_, n := utf8.DecodeRune(p.src[off:])
		off += n
	}
	return off
}

// posOf returns the line and column of byte offset off of src.
func (p *parser) posOf(off int) Pos {
	starts := p.lineStarts()
	lo, hi := 0, len(starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return Pos{Line: lo + 1, Col: 1 + utf8.RuneCount(p.src[starts[lo]:off])}
}

// valuePos returns a function mapping byte offsets of scalar n's value to
// file positions. It aligns the value with its source text (skipping quotes,
// escapes, block indicators and folded line breaks); where the alignment
// fails it answers the scalar's own position, so positions are always set.
func (p *parser) valuePos(n *yaml.Node) func(off int) Pos {
	base := nodePos(n)
	val := n.Value
	start := p.offsetOf(base)
	if start < 0 {
		return func(int) Pos { return base }
	}
	// src offsets of each byte of val, and one past the end.
	at := make([]int, len(val)+1)
	cur := start
	ok := true
	for i := 0; i < len(val); {
		r, w := utf8.DecodeRuneInString(val[i:])
		found := -1
		if ok {
			for j, skipped := cur, 0; j < len(p.src) && skipped <= maxSkip; skipped++ {
				s, sw := utf8.DecodeRune(p.src[j:])
				if s == r || (r == ' ' || r == '\n') && (s == '\n' || s == ' ') {
					found = j
					break
				}
				j += sw
			}
		}
		if found < 0 {
			ok = false
			for k := i; k < i+w; k++ {
				at[k] = -1
			}
		} else {
			for k := 0; k < w; k++ {
				at[i+k] = found + k
			}
			cur = found + w
		}
		i += w
	}
	if ok {
		at[len(val)] = cur
	} else {
		at[len(val)] = -1
	}
	return func(off int) Pos {
		if off < 0 || off >= len(at) || at[off] < 0 {
			return base
		}
		return p.posOf(at[off])
	}
}
