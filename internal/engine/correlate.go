package engine

import (
	"strconv"
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/compile"
)

// mode is how a correlation evaluates its windows.
type mode uint8

const (
	modeArrival  mode = iota // sliding, checked as each match arrives
	modeClose                // complete windows, checked when they close
	modeOrdered              // temporal_ordered chains
	modeNewValue             // first-time-seen values
)

func modeOf(c *compile.Correlation) mode {
	switch c.Type {
	case compile.TemporalOrdered:
		return modeOrdered
	case compile.NewValue:
		return modeNewValue
	case compile.ValueAvg, compile.ValuePercentile:
		return modeClose
	}
	if c.Upper() {
		return modeClose
	}
	return modeArrival
}

// corrState is the state of one correlation rule.
type corrState struct {
	idx     int
	rule    *compile.Rule
	c       *compile.Correlation
	mode    mode
	buckets map[string]*bucket
	// new_value: the time of the first match and the learning period.
	started  bool
	first    time.Time
	learning time.Duration
}

// correlator evaluates every correlation over one ordered sequence of
// matches. Batch and Stream both drive it, so they agree by construction.
type correlator struct {
	e      *Engine
	states []*corrState
	closes closeQueue
	out    []*Hit
	stats  *Stats
	// capKeys enables Options.MaxKeys (Stream only).
	capKeys bool
	hitSeq  int
}

func newCorrelator(e *Engine, stats *Stats, capKeys bool) *correlator {
	c := &correlator{e: e, stats: stats, capKeys: capKeys}
	for i, r := range e.corrs {
		c.states = append(c.states, &corrState{
			idx: i, rule: r, c: r.Correlation, mode: modeOf(r.Correlation),
			buckets: map[string]*bucket{}, learning: learningOf(r.Correlation),
		})
	}
	return c
}

// consume processes one match: closes the windows that end before it,
// reports its detection hit, and feeds its correlations.
func (c *correlator) consume(m *Match) {
	c.closeBefore(m.Time, false)
	// The match's detection hit is made only when it is reported or
	// contributes to a firing (most inputs do neither).
	var h *Hit
	c.stats.Matches++
	if m.Rule.Correlation == nil && m.Rule.Generate {
		h = m.hit()
		c.emit(h)
	}
	if len(m.feeds) == 0 {
		return
	}
	if m.Time.IsZero() {
		c.stats.NoTime++
		m.feeds = nil
		return
	}
	feeds := m.feeds
	m.feeds = nil // consumed: inputs keep what they need, not the array
	for i := range feeds {
		f := &feeds[i]
		if !f.ok {
			c.stats.MissingGroup++
			continue
		}
		if cs := c.states[f.corr]; !cs.opens(f.pos, f.key) {
			continue
		}
		in := &input{t: m.Time, ident: m.ident, pos: f.pos, hit: h, m: m, key: f.key, group: f.group,
			values: f.values, num: f.num, numOK: f.numOK}
		in.vkeys = foldAll(f.values)
		c.process(c.states[f.corr], in)
	}
}

// foldAll returns vs lower-cased: vs itself when no value changes (the
// lists are only read).
func foldAll(vs []string) []string {
	for i, v := range vs {
		if l := strings.ToLower(v); l != v {
			out := make([]string, len(vs))
			copy(out, vs[:i])
			out[i] = l
			for j := i + 1; j < len(vs); j++ {
				out[j] = strings.ToLower(vs[j])
			}
			return out
		}
	}
	if len(vs) == 0 {
		return nil
	}
	return vs
}

func (c *correlator) emit(h *Hit) {
	c.stats.Hits++
	c.out = append(c.out, h)
}

// process feeds one input to one correlation.
func (c *correlator) process(cs *corrState, in *input) {
	switch cs.c.Type {
	case compile.ValueSum, compile.ValueAvg, compile.ValueMin, compile.ValueMax:
		if !in.numOK {
			c.stats.NonNumeric++
			return
		}
	}
	b := cs.buckets[in.key]
	if b == nil {
		if !cs.opens(in.pos, in.key) {
			return
		}
		if c.capKeys && len(cs.buckets) >= c.e.opts.MaxKeys {
			c.stats.KeyOverflow++
			return
		}
		b = &bucket{key: in.key}
		if cs.mode == modeOrdered {
			b.chain = make([][]*input, len(cs.c.Rules))
		}
		cs.buckets[in.key] = b
	}
	if last := &b.last; last.ok && last.ident == in.ident && last.t.Equal(in.t) &&
		(last.pos == in.pos || (cs.c.Type != compile.Temporal && cs.mode != modeOrdered)) {
		c.stats.Duplicates++
		return
	}
	b.last = lastInput{ident: in.ident, t: in.t, pos: in.pos, ok: true}
	switch cs.mode {
	case modeArrival:
		c.evict(cs, b, in.t)
		c.add(cs, b, in)
		if v, subj, ok := b.agg.eval(cs.c, b.window()); ok {
			c.fire(cs, b, in.t, v, subj, b.window())
			b.reset()
		}
	case modeClose:
		c.add(cs, b, in)
		if !b.scheduled {
			c.schedule(cs, b, in.t.Add(cs.c.Timespan))
		}
	case modeOrdered:
		c.ordered(cs, b, in)
	case modeNewValue:
		c.newValue(cs, b, in)
	}
}

// opens reports whether an input at position pos for key can change
// anything: false only for a temporal_ordered input past the first
// position whose key has no state, for which no chain can have started
// (most of a sequence's later-step inputs: every successful sign-in feeds
// the blocked-then-success sequence). Such inputs make no bucket, and
// count as matches only: not as duplicates when a record repeats, as a
// Batch that defers them (deferred.go) cannot tell.
func (cs *corrState) opens(pos int, key string) bool {
	if cs.mode != modeOrdered || pos == 0 {
		return true
	}
	_, ok := cs.buckets[key]
	return ok
}

func (c *correlator) add(cs *corrState, b *bucket, in *input) {
	b.push(in)
	c.stats.DistinctOverflow += int64(b.agg.add(cs.c.Type, in, c.e.opts.MaxDistinct))
}

// evict drops the matches more than a timespan before t (the edge is
// inclusive: a match exactly one timespan earlier stays).
func (c *correlator) evict(cs *corrState, b *bucket, t time.Time) {
	cut := t.Add(-cs.c.Timespan)
	for b.head < len(b.win) && b.win[b.head].t.Before(cut) {
		b.agg.remove(cs.c.Type, b.pop())
	}
}

// ordered advances the temporal_ordered chains with in.
func (c *correlator) ordered(cs *corrState, b *bucket, in *input) {
	cut := in.t.Add(-cs.c.Timespan)
	j := in.pos
	if j == 0 {
		b.chain[0] = []*input{in}
	} else if prev := b.chain[j-1]; prev != nil && !prev[0].t.Before(cut) && prev[len(prev)-1].ident != in.ident {
		ch := make([]*input, len(prev), len(prev)+1)
		copy(ch, prev)
		b.chain[j] = append(ch, in)
	}
	for k := len(b.chain) - 1; k >= 0; k-- {
		ch := b.chain[k]
		if ch == nil || ch[0].t.Before(cut) {
			continue
		}
		if n := float64(k + 1); cs.c.Holds(n) {
			c.fire(cs, b, in.t, n, "", ch)
			b.reset()
		}
		return
	}
}

// newValue implements idsentry's first-time-seen correlation.
func (c *correlator) newValue(cs *corrState, b *bucket, in *input) {
	if !cs.started {
		cs.started, cs.first = true, in.t
	}
	if b.seen == nil {
		b.seen = map[string]time.Time{}
	}
	learning := in.t.Sub(cs.first) <= cs.learning
	for i, v := range in.vkeys {
		last, ok := b.seen[v]
		known := ok && in.t.Sub(last) <= cs.c.Timespan
		if !known && !learning {
			c.fire(cs, b, in.t, float64(liveValues(cs, b, in.t)), in.values[i], []*input{in})
		}
		if !ok && len(b.seen) >= c.e.opts.MaxDistinct {
			c.expireSeen(cs, b, in.t)
			if len(b.seen) >= c.e.opts.MaxDistinct {
				c.stats.DistinctOverflow++
				continue
			}
		}
		b.seen[v] = in.t
	}
}

// liveValues counts the values known for b at t (seen within the timespan),
// which does not depend on when expired values were purged.
func liveValues(cs *corrState, b *bucket, t time.Time) int {
	n := 0
	for _, last := range b.seen {
		if t.Sub(last) <= cs.c.Timespan {
			n++
		}
	}
	return n
}

// expireSeen forgets new_value's values last seen more than a timespan
// before t.
func (c *correlator) expireSeen(cs *corrState, b *bucket, t time.Time) {
	for v, last := range b.seen {
		if t.Sub(last) > cs.c.Timespan {
			delete(b.seen, v)
		}
	}
}

// fire records a correlation hit and feeds it to the correlations that
// reference the rule.
func (c *correlator) fire(cs *corrState, b *bucket, at time.Time, value float64, subject string, contrib []*input) {
	h := &Hit{Rule: cs.rule, Time: at, Value: value, Subject: subject, Total: len(contrib)}
	if len(contrib) > 0 {
		h.First, h.Last = contrib[0].t, contrib[len(contrib)-1].t
		for i, name := range cs.c.GroupBy {
			v := ""
			if i < len(contrib[0].group) {
				v = contrib[0].group[i]
			}
			h.Group = append(h.Group, GroupValue{Field: name, Value: v})
		}
		keep := min(len(contrib), c.e.opts.MaxEvidence)
		h.Contributing = make([]*Hit, keep)
		for i := 0; i < keep; i++ {
			h.Contributing[i] = contrib[i].detectionHit()
		}
	}
	c.hitSeq++
	c.stats.firing(cs.rule)
	if cs.rule.Generate {
		c.emit(h)
	}
	for _, outer := range cs.rule.In {
		idx, ok := c.e.index[outer]
		if !ok {
			continue
		}
		os := c.states[idx]
		in := c.chained(os, cs.rule, h)
		if in == nil {
			c.stats.MissingGroup++
			continue
		}
		c.process(os, in)
	}
}

// chained turns a correlation hit into an input of an outer correlation.
func (c *correlator) chained(os *corrState, inner *compile.Rule, h *Hit) *input {
	spec := os.c.Input(inner, 0)
	if spec == nil {
		return nil
	}
	in := &input{t: h.Time, ident: "hit#" + strconv.Itoa(c.hitSeq), pos: spec.Position, hit: h}
	var key strings.Builder
	for i, gi := range spec.GroupIndex {
		if gi >= len(h.Group) || h.Group[gi].Value == "" {
			return nil
		}
		v := h.Group[gi].Value
		if i > 0 {
			key.WriteByte(0x1f)
		}
		key.WriteString(strings.ToLower(v))
		in.group = append(in.group, v)
	}
	in.key = key.String()
	if fi := spec.FieldIndex; fi >= 0 && fi < len(h.Group) {
		v := h.Group[fi].Value
		in.values = []string{v}
		in.vkeys = []string{strings.ToLower(v)}
		in.num, in.numOK = parseNumber(v)
	}
	return in
}

// MaxLag bounds how far a hit's Last may lie before the time of a hit
// produced earlier by the same Finish or Advance: a correlation that fires
// as a match arrives (counts with lower bounds, temporal_ordered,
// new_value) reports that match as its last, and only one evaluated on
// complete windows reports a window up to its timespan old. Consumers
// closing their own windows on hit times (the alert builder) can close
// those ending more than MaxLag before the latest hit.
func (e *Engine) MaxLag() time.Duration {
	var lag time.Duration
	for _, r := range e.corrs {
		if modeOf(r.Correlation) == modeClose && r.Correlation.Timespan > lag {
			lag = r.Correlation.Timespan
		}
	}
	return lag
}
