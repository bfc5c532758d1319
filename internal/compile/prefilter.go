package compile

import (
	"bytes"
	"slices"
)

// The raw-bytes prefilter.
//
// For each rule, compile derives where it can a set of literals of which at
// least one must occur in the record's raw bytes (ignoring ASCII case)
// whenever the rule matches. Per log kind, the literals of all rules go
// into one Aho–Corasick automaton; a single pass over the raw record marks
// the rules whose literals occur, and only those (plus the rules without a
// literal set) are evaluated. An event no rule can match skips evaluation
// and field resolution entirely.
//
// Soundness. A literal is taken only from
//   - a positive string match (equality, contains, startswith, endswith,
//     wildcards, and the outputs of windash, base64, base64offset, expand)
//     or regular expression (the literals every match contains, see
//     relits.go), never from a match under "not", neq, cidr, numeric or
//     time comparisons, exists, null, fieldref or keywords;
//   - a field whose canonical path normalize.Verbatim reports as copied
//     from the record unchanged (a value the normaliser computes need not
//     occur in the raw bytes);
//   - a value that does not read as a number (numbers compare numerically,
//     so 1.0 may match 1);
//   - a run of at least four ASCII letters or digits inside one literal
//     part of the pattern: any text matching the pattern contains the run,
//     and case folding maps no non-ASCII rune onto an ASCII letter (see
//     fold.go). JSON may write a letter or digit as a \u00XX escape; a
//     record holding such an escape is evaluated in full, unfiltered
//     (escapedAlnum).
// An AND takes the best requirement of its children, an OR the union of
// its children's (none if any child has none), a NOT none.

// litSet is a prefilter requirement: lower-case ASCII literals, one of which
// must occur. nil means no requirement could be derived.
type litSet []string

// minLiteral is the shortest literal the prefilter uses.
const minLiteral = 4

// maxLiterals caps a rule's literal set; beyond it the rule is evaluated
// unconditionally.
const maxLiterals = 512

// escapedAlnum reports whether raw JSON writes an ASCII letter or digit as
// a \u00XX escape, which would hide it from the literal scan.
func escapedAlnum(raw []byte) bool {
	for {
		i := bytes.Index(raw, []byte(`\u00`))
		if i < 0 || i+6 > len(raw) {
			return false
		}
		hi, lo := raw[i+4], lowerASCII(raw[i+5])
		var c byte
		switch {
		case '0' <= lo && lo <= '9':
			c = lo - '0'
		case 'a' <= lo && lo <= 'f':
			c = lo - 'a' + 10
		default:
			raw = raw[i+4:]
			continue
		}
		if '0' <= hi && hi <= '7' && isAlnum((hi-'0')<<4|c) {
			return true
		}
		raw = raw[i+4:]
	}
}

func isAlnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// longestRun returns the longest run of ASCII letters and digits (lower
// case) in the literal parts of p that common does not report, or "" when
// none is minLiteral long.
func longestRun(p pattern, common func(string) bool) string {
	best := ""
	for _, t := range p {
		if t.kind != tokLit {
			continue
		}
		s := t.lit
		for i := 0; i < len(s); {
			if !isAlnum(s[i]) {
				i++
				continue
			}
			j := i
			for j < len(s) && isAlnum(s[j]) {
				j++
			}
			if j-i > len(best) && j-i >= minLiteral && (common == nil || !common(lowerString(s[i:j]))) {
				best = s[i:j]
			}
			i = j
		}
	}
	return lowerString(best)
}

func lowerString(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}

// patternLits returns the requirement of "one of ps matches".
func patternLits(ps []pattern, common func(string) bool) litSet {
	if len(ps) == 0 {
		return nil
	}
	out := make(litSet, 0, len(ps))
	for _, p := range ps {
		l := longestRun(p, common)
		if l == "" {
			return nil
		}
		out = append(out, l)
	}
	return dedupLits(out)
}

func dedupLits(s litSet) litSet {
	slices.Sort(s)
	s = slices.Compact(s)
	if len(s) > maxLiterals {
		return nil
	}
	return s
}

// litScore ranks requirements: longer shortest literal first, then fewer
// literals.
func litScore(s litSet) (minLen, n int) {
	minLen = 1 << 30
	for _, l := range s {
		minLen = min(minLen, len(l))
	}
	return minLen, len(s)
}

// bestLits picks the most selective requirement among an AND's children.
func bestLits(sets []litSet) litSet {
	var best litSet
	for _, s := range sets {
		if s == nil {
			continue
		}
		if best == nil {
			best = s
			continue
		}
		bl, bn := litScore(best)
		sl, sn := litScore(s)
		if sl > bl || (sl == bl && sn < bn) {
			best = s
		}
	}
	return best
}

// unionLits is the requirement of an OR: every child must have one.
func unionLits(sets []litSet) litSet {
	var out litSet
	for _, s := range sets {
		if s == nil {
			return nil
		}
		out = append(out, s...)
	}
	if out == nil {
		return nil
	}
	return dedupLits(out)
}

// prefilter is the per-kind scanner over every rule's literals.
type prefilter struct {
	scanner *gramScanner
	// rules[literal id] are the positions in the kind table of the rules
	// that literal admits.
	rules  [][]int32
	always []uint64 // bitset of rules evaluated regardless of the scan
	total  int      // rules with a literal set
	lits   int      // distinct literals
}

// buildPrefilter builds the prefilter of a kind from its rules' literal
// sets (nil entries: no requirement). It returns nil when no rule has one.
func buildPrefilter(sets []litSet) *prefilter {
	ids := map[string]int32{}
	var lits []string
	var litRules [][]int32
	words := (len(sets) + 63) / 64
	pf := &prefilter{always: make([]uint64, words)}
	for pos, s := range sets {
		if s == nil {
			pf.always[pos/64] |= 1 << (uint(pos) % 64)
			continue
		}
		pf.total++
		for _, l := range s {
			id, ok := ids[l]
			if !ok {
				id = int32(len(lits))
				ids[l] = id
				lits = append(lits, l)
				litRules = append(litRules, nil)
			}
			litRules[id] = append(litRules[id], int32(pos))
		}
	}
	if pf.total == 0 {
		return nil
	}
	pf.lits = len(lits)
	pf.scanner = newGramScanner(lits)
	pf.rules = litRules
	return pf
}
