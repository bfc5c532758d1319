package compile

// acAutomaton is an Aho–Corasick automaton compiled into a dense DFA over
// byte classes: bytes that occur in no pattern share class 0, so the
// transition table has one row of (classes) entries per trie node. It is
// immutable after construction and safe for concurrent use.
type acAutomaton struct {
	class    [256]uint16
	nclass   int
	next     []int32 // next[state*nclass+class]
	terminal []bool  // a pattern ends at this state (or at a suffix of it)
	// outs[state] lists the ids of patterns ending at the state, suffixes
	// included; filled only when built with outputs.
	outs [][]int32
}

// newAC builds an automaton for patterns. With foldASCII, ASCII letters of
// either case share a class (case-insensitive matching of ASCII patterns).
// With outputs, the automaton records which patterns end at each state.
func newAC(patterns []string, foldASCII, outputs bool) *acAutomaton {
	a := &acAutomaton{}
	// Byte classes.
	var used [256]bool
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			c := p[i]
			if foldASCII {
				c = lowerASCII(c)
			}
			used[c] = true
		}
	}
	n := uint16(1)
	for c := 0; c < 256; c++ {
		if used[c] {
			a.class[c] = n
			n++
		}
	}
	if foldASCII {
		for c := 'A'; c <= 'Z'; c++ {
			a.class[c] = a.class[c+'a'-'A']
		}
	}
	a.nclass = int(n)

	// Trie.
	type node struct {
		child map[uint16]int32
		fail  int32
		out   []int32
	}
	nodes := []node{{child: map[uint16]int32{}}}
	for id, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			cl := a.class[p[i]]
			nx, ok := nodes[s].child[cl]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{child: map[uint16]int32{}})
				nodes[s].child[cl] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}

	// Breadth-first failure links and the dense transition table.
	a.next = make([]int32, len(nodes)*a.nclass)
	a.terminal = make([]bool, len(nodes))
	if outputs {
		a.outs = make([][]int32, len(nodes))
	}
	queue := make([]int32, 0, len(nodes))
	for cl := 0; cl < a.nclass; cl++ {
		if nx, ok := nodes[0].child[uint16(cl)]; ok {
			a.next[cl] = nx
			nodes[nx].fail = 0
			queue = append(queue, nx)
		}
	}
	a.terminal[0] = len(nodes[0].out) > 0
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := nodes[s].fail
		a.terminal[s] = len(nodes[s].out) > 0 || a.terminal[f]
		if outputs {
			o := append([]int32(nil), nodes[s].out...)
			o = append(o, a.outs[f]...)
			a.outs[s] = o
		}
		for cl := 0; cl < a.nclass; cl++ {
			if nx, ok := nodes[s].child[uint16(cl)]; ok {
				nodes[nx].fail = a.next[int(f)*a.nclass+cl]
				a.next[int(s)*a.nclass+cl] = nx
				queue = append(queue, nx)
			} else {
				a.next[int(s)*a.nclass+cl] = a.next[int(f)*a.nclass+cl]
			}
		}
	}
	return a
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// contains reports whether any pattern occurs in text.
func (a *acAutomaton) contains(text []byte) bool {
	if a.terminal[0] {
		return true
	}
	s := int32(0)
	nc := int32(a.nclass)
	next, class, term := a.next, &a.class, a.terminal
	for _, c := range text {
		s = next[s*nc+int32(class[c])]
		if term[s] {
			return true
		}
	}
	return false
}

// scan calls fn with the pattern ids ending at every position of text where
// at least one pattern ends. fn returns false to stop the scan. The
// automaton must have been built with outputs.
func (a *acAutomaton) scan(text []byte, fn func(ids []int32) bool) {
	if a.terminal[0] && !fn(a.outs[0]) {
		return
	}
	s := int32(0)
	nc := int32(a.nclass)
	next, class, term := a.next, &a.class, a.terminal
	for _, c := range text {
		s = next[s*nc+int32(class[c])]
		if term[s] && !fn(a.outs[s]) {
			return
		}
	}
}
