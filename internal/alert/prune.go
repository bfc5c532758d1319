package alert

import (
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/expr-lang/expr/ast"
)

// A Pruner lets a scan skip, before they reach a Builder, the matches of
// alert keys that can never raise an alert.
//
// It applies to a grouping rule (Window set) whose having expression
// requires a constant lower bound on the window's count or on the distinct
// values of one of its fields (`distinct["country"] >= 2`, `count > 10 ||
// distinct["ipAddress"] >= 2`, `count >= 5 && ip_priority > 20`). The
// Pruner reads the expression as its bounds joined by && and ||, every
// other part taken as true: that reading holds whenever the expression
// does, and it is monotone — adding matches to a window can only turn it
// from false to true. Every window of a key holds a subset of the key's
// matches, so if the reading is false over all the key's matches in the
// whole input, it is false for each of its windows, the expression too,
// and the key never alerts. A scan
// sees every match before it builds alerts: the workers Observe each match
// of the rule, then the merge hands the Builder only the matches whose key
// MayFire. The alerts are those without a Pruner; fewer windows are open,
// so a rule reaching Options.MaxOpen closes fewer early.
//
// Per key it keeps a saturating count and, per field the expression reads,
// up to the number of distinct values any of its comparisons needs (as
// 64-bit hashes of the folded values, as distinctSet folds them). Keys are
// kept by 64-bit hash: two keys with one hash share their summary, which
// can only make MayFire true more often. Two distinct values of one key
// with one hash would count as one, with probability about 2^-64 per pair.
// Past a number of keys (MaxPruneBytes) a new key shares one of a fixed
// number of overflow summaries with the other keys that hash to it (a
// union, which again can only make MayFire true more often): memory stays
// bounded whatever the input, and pruning degrades gradually.
//
// A Pruner is safe for concurrent use.
type Pruner struct {
	spec   *Spec
	cond   pruneNode
	count  uint32   // count saturates here (0: count not read)
	fields []string // fields read through distinct
	need   []int    // per field: distinct values to keep
	at     []int    // per field: its first word in a summary (word 0 is the count)
	width  int      // words per key: 1 + Σ need
	seed   maphash.Seed
	max    int

	off    atomic.Bool
	keys   atomic.Int64
	shards [pruneShards]pruneShard
}

const pruneShards = 32

// MaxPruneBytes bounds the summaries a Pruner keeps per key: past
// MaxPruneBytes / (8 × words per key + 32) keys (1.2 million for a bound on
// one field's distinct values) new keys share overflow slots
// (pruneOverflowBytes more): by that per-key estimate, not measured, a
// Pruner holds at most about 76 MiB.
const MaxPruneBytes = 64 << 20

type pruneShard struct {
	mu    sync.Mutex
	index map[uint64]int32 // key hash → offset in words
	words []uint64
	// over holds the keys past the Pruner's room (this shard's share of
	// pruneOverflowBytes), each slot the union of the keys that hash to
	// it.
	over []uint64
}

// pruneOverflowBytes is the memory of a Pruner's overflow slots, all
// shards together: 2^19 slots for a bound on one field's distinct values
// (3 words a slot), fewer for wider summaries.
const pruneOverflowBytes = 12 << 20

// pruneNode is a monotone having expression: an and/or of lower bounds.
type pruneNode struct {
	op    byte // '&', '|', 'T' (true), or 0 for a bound
	l, r  *pruneNode
	field int // index into fields, or -1 for count
	min   int // the bound holds when the value is >= min
}

// NewPruner returns a Pruner for s, or nil when s cannot be pruned (no
// window, no having, or a having that is not a monotone bound on count and
// distinct values). seed must be the same for every Pruner whose keys are
// compared (one per scan is enough).
func NewPruner(s *Spec, seed maphash.Seed) *Pruner {
	if s == nil || s.perEvent() || s.having == nil {
		return nil
	}
	p := &Pruner{spec: s, seed: seed}
	cond := p.parse(s.having.prog.Node())
	if cond == top || len(p.fields) > 4 {
		return nil
	}
	p.cond = *cond
	p.width = 1
	for _, n := range p.need {
		p.at = append(p.at, p.width)
		p.width += n
	}
	p.max = MaxPruneBytes / (8*p.width + 32)
	for i := range p.shards {
		p.shards[i].index = map[uint64]int32{}
	}
	return p
}

// parse turns a having expression into a pruneNode that holds whenever
// the expression does: && and || are kept, lower bounds on count and on
// distinct["F"] kept as bounds, and every other part (the enrichment, a
// values test, a negation…) read as true, which can only make the node
// hold more often. The result grows with the window, since its bounds do.
func (p *Pruner) parse(n ast.Node) *pruneNode {
	b, ok := n.(*ast.BinaryNode)
	if !ok {
		return top
	}
	switch b.Operator {
	case "&&", "and":
		l, r := p.parse(b.Left), p.parse(b.Right)
		switch {
		case l == top:
			return r
		case r == top:
			return l
		}
		return &pruneNode{op: '&', l: l, r: r}
	case "||", "or":
		l, r := p.parse(b.Left), p.parse(b.Right)
		if l == top || r == top {
			return top
		}
		return &pruneNode{op: '|', l: l, r: r}
	}
	// x > k, x >= k, k < x, k <= x: x grows with the window.
	subject, bound, strict := b.Left, b.Right, false
	switch b.Operator {
	case ">":
		strict = true
	case ">=":
	case "<":
		subject, bound, strict = b.Right, b.Left, true
	case "<=":
		subject, bound = b.Right, b.Left
	default:
		return top
	}
	k, ok := bound.(*ast.IntegerNode)
	if !ok || k.Value < 0 {
		return top
	}
	min := k.Value
	if strict {
		min++
	}
	switch x := subject.(type) {
	case *ast.IdentifierNode:
		if x.Value != "count" || min > 1<<30 {
			return top
		}
		p.count = max(p.count, uint32(min))
		return &pruneNode{field: -1, min: min}
	case *ast.MemberNode:
		id, ok := x.Node.(*ast.IdentifierNode)
		if !ok || id.Value != "distinct" {
			return top
		}
		f, ok := x.Property.(*ast.StringNode)
		if !ok || min > 16 {
			return top
		}
		i := 0
		for i < len(p.fields) && p.fields[i] != f.Value {
			i++
		}
		if i == len(p.fields) {
			p.fields = append(p.fields, f.Value)
			p.need = append(p.need, 0)
		}
		p.need[i] = max(p.need[i], min)
		return &pruneNode{field: i, min: min}
	}
	return top
}

// top is the node that always holds.
var top = &pruneNode{op: 'T'}

// Fields returns the fields Observe and MayFire read: the spec's group-by
// fields and those whose distinct values the having bounds, sorted.
func (p *Pruner) Fields() []string {
	fs := append(slices.Clone(p.spec.GroupBy), p.fields...)
	slices.Sort(fs)
	return slices.Compact(fs)
}

// Observe adds one match of the rule, given its fields (Match.Fields).
func (p *Pruner) Observe(fields map[string][]string) {
	if p.off.Load() {
		return
	}
	p.observe(p.keyHash(fields), fields)
}

// ObserveKey is Observe, and returns the hash of the match's key, for
// MayFireKey.
func (p *Pruner) ObserveKey(fields map[string][]string) uint64 {
	h := p.keyHash(fields)
	if !p.off.Load() {
		p.observe(h, fields)
	}
	return h
}

// observe adds a match of key hash h.
func (p *Pruner) observe(h uint64, fields map[string][]string) {
	sh := &p.shards[h%pruneShards]
	sh.mu.Lock()
	if sh.index == nil { // given up meanwhile
		sh.mu.Unlock()
		return
	}
	w := p.summary(sh, h, true)
	if w[0] < uint64(p.count) {
		w[0]++
	}
	for i, f := range p.fields {
		vals := p.values(w, i)
		for _, v := range fields[f] {
			addValueHash(vals, p.valueHash(v))
		}
	}
	sh.mu.Unlock()
}

// summary returns the words of key hash h: its own while there is room
// for new keys (add), else a shared overflow slot.
func (p *Pruner) summary(sh *pruneShard, h uint64, add bool) []uint64 {
	if at, ok := sh.index[h]; ok {
		return sh.words[at : int(at)+p.width]
	}
	if add && p.keys.Load() < int64(p.max) {
		p.keys.Add(1)
		at := len(sh.words)
		sh.words = slices.Grow(sh.words, p.width)[:at+p.width]
		sh.index[h] = int32(at)
		return sh.words[at:]
	}
	if sh.over == nil {
		slots := max(pruneOverflowBytes/8/p.width/pruneShards, 64)
		sh.over = make([]uint64, slots*p.width)
	}
	at := int((h/pruneShards)%uint64(len(sh.over)/p.width)) * p.width
	return sh.over[at : at+p.width]
}

// values returns field i's value hashes in summary w.
func (p *Pruner) values(w []uint64, i int) []uint64 {
	return w[p.at[i] : p.at[i]+p.need[i]]
}

// addValueHash adds h to the set vals (zero words are empty; the hash of a
// value is never zero) unless the set is full.
func addValueHash(vals []uint64, h uint64) {
	if h == 0 {
		return
	}
	for i, v := range vals {
		if v == h {
			return
		}
		if v == 0 {
			vals[i] = h
			return
		}
	}
}

// GiveUp turns the Pruner off (MayFire is then always true) and frees its
// summaries: for a match whose fields are not known when it is observed.
func (p *Pruner) GiveUp() {
	p.off.Store(true)
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		sh.index, sh.words, sh.over = nil, nil, nil
		sh.mu.Unlock()
	}
}

// Full reports whether the Pruner has no room left for new keys' own
// summaries: new keys now share overflow slots, and fewer of their
// matches will be skipped.
func (p *Pruner) Full() bool { return p.keys.Load() >= int64(p.max) }

// MayFire reports whether the key of a match with these fields can raise
// an alert: false only when the having expression is false over every
// match of the key that was observed. Call it after every match was
// observed.
func (p *Pruner) MayFire(fields map[string][]string) bool {
	if p.off.Load() {
		return true
	}
	return p.MayFireKey(p.keyHash(fields))
}

// MayFireKey is MayFire for the key hash ObserveKey returned.
func (p *Pruner) MayFireKey(h uint64) bool {
	if p.off.Load() {
		return true
	}
	sh := &p.shards[h%pruneShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.index[h]; !ok && sh.over == nil {
		// Not observed: the caller broke the contract; never drop.
		return true
	}
	return p.eval(&p.cond, p.summary(sh, h, false))
}

func (p *Pruner) eval(n *pruneNode, w []uint64) bool {
	switch n.op {
	case '&':
		return p.eval(n.l, w) && p.eval(n.r, w)
	case '|':
		return p.eval(n.l, w) || p.eval(n.r, w)
	case 'T':
		return true
	}
	if n.field < 0 {
		return w[0] >= uint64(n.min)
	}
	have := 0
	for _, v := range p.values(w, n.field) {
		if v != 0 {
			have++
		}
	}
	return have >= n.min
}

// keyHash hashes the match's alert key (groupKey).
func (p *Pruner) keyHash(fields map[string][]string) uint64 {
	return maphash.String(p.seed, groupKey(p.spec, fields))
}

// valueHash hashes a value as distinctSet compares it (blank values do not
// count: 0).
func (p *Pruner) valueHash(v string) uint64 {
	f := fold(v)
	if f == "" {
		return 0
	}
	h := maphash.String(p.seed, f)
	if h == 0 {
		h = 1
	}
	return h
}
