package compile

// gramScanner finds ASCII literals of at least four bytes in a text,
// ignoring ASCII case. It slides a window over the text's last four bytes
// (folded), tests a 65536-bit filter indexed by a hash of the window, and
// only on a filter hit looks the window up among the literals' first four
// bytes and compares the rest. The per-byte work has no table-dependent
// chain (unlike an automaton's state transitions), which makes it several
// times faster than an Aho–Corasick DFA on JSON records.
type gramScanner struct {
	bits  [1 << 10]uint64
	heads map[uint32][]int32 // folded first four bytes -> literal ids
	lits  []string           // folded literals
}

var foldASCII = func() (t [256]byte) {
	for i := range t {
		t[i] = lowerASCII(byte(i))
	}
	return t
}()

func gramHash(w uint32) uint32 { return (w * 0x9E3779B1) >> 16 }

// newGramScanner builds a scanner; every literal must be at least four
// bytes long (minLiteral).
func newGramScanner(lits []string) *gramScanner {
	g := &gramScanner{heads: map[uint32][]int32{}}
	for id, l := range lits {
		var w uint32
		for i := 0; i < 4; i++ {
			w = w<<8 | uint32(foldASCII[l[i]])
		}
		h := gramHash(w)
		g.bits[h>>6] |= 1 << (h & 63)
		g.heads[w] = append(g.heads[w], int32(id))
		folded := []byte(l)
		for i, c := range folded {
			folded[i] = foldASCII[c]
		}
		g.lits = append(g.lits, string(folded))
	}
	return g
}

// scan calls fn with the id and start of every literal occurrence, once
// per occurrence (a literal found at two starts is reported twice); fn
// returns false to stop.
func (g *gramScanner) scan(text []byte, fn func(id int32, start int) bool) {
	if len(text) < 4 {
		return
	}
	w := uint32(foldASCII[text[0]])<<16 | uint32(foldASCII[text[1]])<<8 | uint32(foldASCII[text[2]])
	bits := &g.bits
	for i := 3; i < len(text); i++ {
		w = w<<8 | uint32(foldASCII[text[i]])
		h := gramHash(w)
		if bits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		start := i - 3
		for _, id := range g.heads[w] {
			l := g.lits[id]
			if start+len(l) <= len(text) && equalFoldTail(text[start+4:start+len(l)], l[4:]) && !fn(id, start) {
				return
			}
		}
	}
}

// equalFoldTail compares text with a folded literal, ignoring ASCII case.
func equalFoldTail(text []byte, lit string) bool {
	for i := 0; i < len(lit); i++ {
		if foldASCII[text[i]] != lit[i] {
			return false
		}
	}
	return true
}
