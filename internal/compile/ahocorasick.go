package compile

// acAutomaton is an Aho–Corasick automaton compiled into a dense DFA over
// byte classes: bytes that occur in no pattern share class 0, so the
// transition table has one row of nclass entries per state. States are
// numbered so that the states where a pattern ends come last (a scan tests
// one comparison per byte, not a table), and transitions hold the target's
// row offset (no multiplication per byte). It is immutable after
// construction and safe for concurrent use.
type acAutomaton struct {
	class  [256]uint16
	nclass int
	// next[row+class] is the row offset (state*nclass) of the next state.
	next []int32
	// firstTerm is the row offset of the first terminal state: a state is
	// terminal (a pattern ends there, or at a suffix of it) when its row
	// offset is at least firstTerm.
	firstTerm int32
	// start is the row offset of the start state.
	start int32
}

// newAC builds an automaton for patterns. With foldASCII, ASCII letters of
// either case share a class (case-insensitive matching of ASCII patterns).
func newAC(patterns []string, foldASCII bool) *acAutomaton {
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

	// Breadth-first failure links and the dense transition table, in trie
	// numbering first.
	nc := a.nclass
	next := make([]int32, len(nodes)*nc)
	terminal := make([]bool, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for cl := 0; cl < nc; cl++ {
		if nx, ok := nodes[0].child[uint16(cl)]; ok {
			next[cl] = nx
			nodes[nx].fail = 0
			queue = append(queue, nx)
		}
	}
	terminal[0] = len(nodes[0].out) > 0
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := nodes[s].fail
		terminal[s] = len(nodes[s].out) > 0 || terminal[f]
		for cl := 0; cl < nc; cl++ {
			if nx, ok := nodes[s].child[uint16(cl)]; ok {
				nodes[nx].fail = next[int(f)*nc+cl]
				next[int(s)*nc+cl] = nx
				queue = append(queue, nx)
			} else {
				next[int(s)*nc+cl] = next[int(f)*nc+cl]
			}
		}
	}
	// Renumber: non-terminal states first (the start state stays 0 unless
	// it is terminal, which only an empty pattern makes it), then terminal
	// ones; store row offsets.
	order := make([]int32, 0, len(nodes))
	for s := range nodes {
		if !terminal[s] {
			order = append(order, int32(s))
		}
	}
	nonTerm := len(order)
	for s := range nodes {
		if terminal[s] {
			order = append(order, int32(s))
		}
	}
	newID := make([]int32, len(nodes))
	for i, s := range order {
		newID[s] = int32(i)
	}
	a.start = newID[0] * int32(nc)
	a.firstTerm = int32(nonTerm * nc)
	a.next = make([]int32, len(next))
	for old, id := range newID {
		for cl := 0; cl < nc; cl++ {
			a.next[int(id)*nc+cl] = newID[next[old*nc+cl]] * int32(nc)
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
	s := a.start
	if s >= a.firstTerm {
		return true
	}
	next, class, term := a.next, &a.class, a.firstTerm
	for _, c := range text {
		s = next[s+int32(class[c])]
		if s >= term {
			return true
		}
	}
	return false
}
