package compile

import (
	"cmp"
	"slices"
)

// node is a compiled piece of a detection: eval decides it for the current
// event; why appends the field/value pairs that made it true (called only
// after a rule matched, so it may re-evaluate); lits is the raw-bytes
// prefilter requirement it implies (see prefilter.go), nil when none can be
// derived soundly; cost is a rough estimate of its evaluation cost in units
// of one field comparison, for deciding whether the prefilter pays.
type node struct {
	eval func(m *Matcher) bool
	why  func(m *Matcher, out []FieldValue) []FieldValue
	lits litSet
	cost int
}

// Evaluation cost estimates, in units of one field comparison.
const (
	costField   = 1
	costRegexp  = 4
	costKeyword = 30 // a walk over the whole document
)

// FieldValue is one field of an event and the value that matched, for the
// "why" of an alert. Field is the canonical field path ("keywords" for a
// keyword search).
type FieldValue struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

func noWhy(_ *Matcher, out []FieldValue) []FieldValue { return out }

var (
	nodeTrue  = node{eval: func(*Matcher) bool { return true }, why: noWhy}
	nodeFalse = node{eval: func(*Matcher) bool { return false }, why: noWhy}
)

// andNode is true when every child is.
func andNode(children []node) node {
	switch len(children) {
	case 0:
		return nodeTrue
	case 1:
		return children[0]
	}
	evals := make([]func(*Matcher) bool, len(children))
	whys := make([]func(*Matcher, []FieldValue) []FieldValue, len(children))
	sets := make([]litSet, len(children))
	cost := 0
	for i, c := range children {
		evals[i], whys[i], sets[i] = c.eval, c.why, c.lits
		cost += c.cost
	}
	var eval func(*Matcher) bool
	byCost := cheapestFirst(children)
	if len(byCost) == 2 {
		a, b := byCost[0], byCost[1]
		eval = func(m *Matcher) bool { return a(m) && b(m) }
	} else {
		eval = func(m *Matcher) bool {
			for _, e := range byCost {
				if !e(m) {
					return false
				}
			}
			return true
		}
	}
	return node{
		eval: eval,
		why: func(m *Matcher, out []FieldValue) []FieldValue {
			for _, w := range whys {
				out = w(m, out)
			}
			return out
		},
		lits: bestLits(sets),
		cost: cost,
	}
}

// orNode is true when any child is.
func orNode(children []node) node {
	switch len(children) {
	case 0:
		return nodeFalse
	case 1:
		return children[0]
	}
	evals := make([]func(*Matcher) bool, len(children))
	whys := make([]func(*Matcher, []FieldValue) []FieldValue, len(children))
	sets := make([]litSet, len(children))
	cost := 0
	for i, c := range children {
		evals[i], whys[i], sets[i] = c.eval, c.why, c.lits
		cost += c.cost
	}
	var eval func(*Matcher) bool
	byCost := cheapestFirst(children)
	if len(byCost) == 2 {
		a, b := byCost[0], byCost[1]
		eval = func(m *Matcher) bool { return a(m) || b(m) }
	} else {
		eval = func(m *Matcher) bool {
			for _, e := range byCost {
				if e(m) {
					return true
				}
			}
			return false
		}
	}
	return node{
		eval: eval,
		why: func(m *Matcher, out []FieldValue) []FieldValue {
			for i, e := range evals {
				if e(m) {
					return whys[i](m, out)
				}
			}
			return out
		},
		lits: unionLits(sets),
		cost: cost,
	}
}

// cheapestFirst returns the children's evaluators ordered by estimated
// cost (stable): evaluation is pure, so AND and OR may short-circuit in any
// order, and a regular expression after a cheap equality rarely runs. The
// explanations (why) keep the rule's order.
func cheapestFirst(children []node) []func(*Matcher) bool {
	idx := make([]int, len(children))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(children[a].cost, children[b].cost) })
	out := make([]func(*Matcher) bool, len(children))
	for i, j := range idx {
		out[i] = children[j].eval
	}
	return out
}

// notNode negates a node. Nothing under a negation is required to occur, so
// it carries no prefilter literals, and it explains nothing.
func notNode(c node) node {
	e := c.eval
	return node{eval: func(m *Matcher) bool { return !e(m) }, why: noWhy, cost: c.cost}
}
