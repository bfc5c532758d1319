package compile

import (
	"math/bits"

	"github.com/idsentry/idsentry/internal/event"
)

// Matcher matches events against a Set. It reuses its slot storage from
// event to event, so it is not safe for concurrent use: each worker owns
// one.
type Matcher struct {
	set *Set
	gen uint32
	ev  *event.Event
	kt  *kindTable

	slots []slot
	kw    []val
	kwGen uint32
	buf   []byte // texts and folded texts of the current event

	cand    []uint64 // candidate rules of the current event (prefilter)
	pending int      // prefiltered rules not yet marked
	markFn  func(id int32, start int) bool

	why []FieldValue // scratch of try
}

// NewMatcher returns a Matcher for the set.
func (s *Set) NewMatcher() *Matcher {
	m := &Matcher{set: s, slots: make([]slot, s.slots)}
	m.markFn = m.mark
	return m
}

// Match evaluates every rule of the event's kind and calls emit for each
// rule that matches, with the field/value pairs that made it match. why is
// freshly allocated for each call and may be kept. The event is borrowed
// for the duration of the call only.
func (m *Matcher) Match(ev *event.Event, emit func(r *Rule, why []FieldValue)) {
	kt := m.begin(ev)
	if kt == nil {
		return
	}
	defer func() { m.ev, m.kt = nil, nil }()

	if kt.pf == nil || len(ev.Raw) > kt.pfMax || escapedAlnum(ev.Raw) {
		for i := range kt.rules {
			m.try(&kt.rules[i], emit)
		}
		return
	}
	// Prefilter: mark the rules whose literals occur in the raw record.
	words := len(kt.pf.always)
	if cap(m.cand) < words {
		m.cand = make([]uint64, words)
	}
	m.cand = m.cand[:words]
	copy(m.cand, kt.pf.always)
	m.pending = kt.pf.total
	kt.pf.scanner.scan(ev.Raw, m.markFn)
	for w, word := range m.cand {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << uint(b)
			m.try(&kt.rules[w*64+b], emit)
		}
	}
}

// begin starts matching ev: it returns the rules of ev's kind (nil when
// there are none) and clears the slots cached for the previous event.
func (m *Matcher) begin(ev *event.Event) *kindTable {
	if int(ev.Kind) >= len(m.set.kinds) {
		return nil
	}
	kt := m.set.kinds[ev.Kind]
	if len(kt.rules) == 0 {
		return nil
	}
	m.gen++
	if m.gen == 0 {
		// The generation wrapped: forget every cached slot.
		for i := range m.slots {
			m.slots[i].gen = 0
		}
		m.kwGen = 0
		m.gen = 1
	}
	m.ev, m.kt = ev, kt
	m.buf = m.buf[:0]
	return kt
}

// MatchRule is Match for rule r alone, without the literal prefilter (the
// event need not carry its raw bytes): it calls emit when r matches ev.
func (m *Matcher) MatchRule(ev *event.Event, r *Rule, emit func(r *Rule, why []FieldValue)) {
	kt := m.begin(ev)
	if kt == nil {
		return
	}
	defer func() { m.ev, m.kt = nil, nil }()
	for i := range kt.rules {
		if kt.rules[i].rule == r {
			m.try(&kt.rules[i], emit)
			return
		}
	}
}

// mark is the prefilter scan callback: it marks the rules of a literal.
func (m *Matcher) mark(lit int32, _ int) bool {
	for _, id := range m.kt.pf.rules[lit] {
		w, b := id/64, uint(id)%64
		if m.cand[w]&(1<<b) == 0 {
			m.cand[w] |= 1 << b
			m.pending--
		}
	}
	return m.pending > 0
}

func (m *Matcher) try(kr *kindRule, emit func(*Rule, []FieldValue)) {
	if !kr.cond.eval(m) {
		return
	}
	// The pairs are gathered in a scratch list and copied once, at their
	// number: one allocation per match, not one per growth.
	why := kr.cond.why(m, m.why[:0])
	var out []FieldValue
	if len(why) > 0 {
		out = make([]FieldValue, len(why))
		copy(out, why)
		clear(why)
	}
	m.why = why[:0]
	emit(kr.rule, out)
}
