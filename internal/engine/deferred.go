package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"time"

	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// Deferred later steps.
//
// An input of a temporal_ordered correlation past its first step changes
// nothing unless its key already has a chain (corrState.opens), and a
// chain starts only with a first step of the same key. Sequences are
// built that way on purpose: a rare first step (a burst of failures, of
// MFA denials) followed by a common later one (a correct password, a
// completed MFA), so most of such a rule's matches are inputs the
// correlator skips, each of them stored, sorted, spilled and merged first.
//
// A Batch's workers (Batch.NewWorker) therefore keep a match of a rule
// that is only ever a later step (laterStep) as a fixed-size record: the
// hashes of its group-by key, of the event's identity and of its origin,
// its time and its rule. They do so only when the event has a whole match
// as well (one is made otherwise), so the event is found again through
// it. The Batch keeps the hashes of the keys its first steps had, by time
// slot. Finish drops the records whose key had no first step in the
// record's slot or the one before (the correlator would have skipped
// them: counted as matches, nothing else); the others, the survivors, are
// rebuilt during the merge when the whole match of their event comes by,
// by matching its stored copy against their rule again, and take their
// place in the order. The hits are those of a Batch that defers nothing.
//
// The same goes for the matches of a reported detection rule whose caller
// can tell at the end, from a key, which of them it will drop (an alert
// Pruner: keys that can never alert): Worker.DeferHits gives the key's
// hash, Batch.KeepHits which keys Finish rebuilds; the others count as
// hits and as dropped ones (Stats.DroppedHits).

// maxFirstKeys is how many first-step keys (by time slot) a Batch tracks
// per sequence. Past it, every deferred match of the sequence survives:
// exact, but slower, and the survivors (about 40 bytes each in memory)
// then grow with the input.
const maxFirstKeys = 1 << 20

// laterChunk is how many bytes of deferred records a worker gathers before
// it hands them to its Batch, which writes them to its run file four
// chunks at a time (a variable for the tests).
var laterChunk = 1 << 18

// laterStep reports whether rule r's matches can be deferred, and the index
// of the correlation they feed: r is a detection rule that reports nothing
// on its own and feeds exactly one correlation, a temporal_ordered one
// whose first step is a detection rule, or a correlation over detection
// rules whose group-by holds the sequence's (the sequence's first steps
// then have keys among those of that correlation's inputs).
func (e *Engine) laterStep(r *compile.Rule) (int, bool) {
	if r.Correlation != nil || r.Generate || len(r.In) != 1 {
		return 0, false
	}
	seq := r.In[0]
	c := seq.Correlation
	if c.Type != compile.TemporalOrdered || c.Legacy || len(c.Rules) < 2 || c.Rules[0] == r {
		return 0, false
	}
	if first := c.Rules[0]; first.Correlation != nil {
		fc := first.Correlation
		if fc.Legacy || slices.Contains(c.Rules[1:], first) {
			return 0, false
		}
		for _, b := range fc.Rules {
			if b.Correlation != nil {
				return 0, false
			}
		}
		if in := c.Input(first, 0); in == nil || len(in.GroupIndex) != len(c.GroupBy) {
			return 0, false
		}
		if _, ok := e.index[first]; !ok {
			return 0, false
		}
	}
	i, ok := e.index[seq]
	return i, ok
}

// firstLink says that the inputs of a correlation give the keys of a
// sequence's first steps (Engine.firsts).
type firstLink struct {
	seq int // the sequence's index
	// pos0: only inputs at position 0 (the correlation is the sequence
	// itself, its first step a detection rule); else the correlation is
	// the sequence's first step, and gi maps the sequence's group-by onto
	// its group (compile.Input.GroupIndex).
	pos0 bool
	gi   []int
}

// slot is the time slot of t for sequence seq: a later step at t can
// extend only a chain whose first step came in slot(t) or the slot before,
// as it comes at most e.reach[seq] after the first step's inputs.
func (e *Engine) slot(seq int, t time.Time) int64 {
	w := int64(e.reach[seq])
	n := t.UnixNano()
	q := n / w
	if n%w < 0 {
		q--
	}
	return q
}

// slotKey is the key hash h in time slot s.
func slotKey(h uint64, s int64) uint64 { return h ^ uint64(s)*0x9e3779b97f4a7c15 }

// planLater fills e.later and e.firsts.
func (e *Engine) planLater() {
	e.seed = maphash.MakeSeed()
	e.firsts = make([][]firstLink, len(e.corrs))
	e.reach = make([]time.Duration, len(e.corrs))
	for _, r := range e.set.Rules {
		i, ok := e.laterStep(r)
		if !ok {
			continue
		}
		if e.later == nil {
			e.later = map[*compile.Rule]int{}
		}
		e.later[r] = i
		c := e.corrs[i].Correlation
		l := firstLink{seq: i, pos0: true}
		at := i
		// A chain starts at its first step's time: the first input's,
		// or the first-step correlation's hit, which comes at most its
		// timespan after one of its inputs.
		e.reach[i] = c.Timespan
		if first := c.Rules[0]; first.Correlation != nil {
			l = firstLink{seq: i, gi: c.Input(first, 0).GroupIndex}
			at = e.index[first]
			e.reach[i] += first.Correlation.Timespan
		}
		e.reach[i] = max(e.reach[i], time.Second)
		if !slices.ContainsFunc(e.firsts[at], func(o firstLink) bool { return o.seq == i }) {
			e.firsts[at] = append(e.firsts[at], l)
		}
	}
}

// NewWorker returns a worker whose matches go to this batch (Add,
// AddAll): it defers the matches of later steps (see above). Matches of a
// worker from Engine.NewWorker are all whole. Finish takes what the
// batch's workers hold: call it when they are done.
func (b *Batch) NewWorker() *Worker {
	w := b.e.NewWorker()
	w.batch = b
	b.mu.Lock()
	b.workers = append(b.workers, w)
	b.mu.Unlock()
	return w
}

// DeferHits makes the worker defer, like a later step, the matches of
// detection rule r, which must be reported on its own and feed no
// correlation: key returns the hash of a match's key, the event at hand
// (false: the match goes whole). Finish rebuilds only the matches whose
// key the function given to Batch.KeepHits keeps; the others count as
// hits (Stats.DroppedHits). For a Batch's worker only.
func (w *Worker) DeferHits(r *compile.Rule, key func(ev *event.Event) (uint64, bool)) {
	if w.batch == nil || r.Correlation != nil || !r.Generate || len(r.In) > 0 {
		return
	}
	if w.hitKeys == nil {
		w.hitKeys = map[*compile.Rule]func(*event.Event) (uint64, bool){}
	}
	w.hitKeys[r] = key
}

// KeepHits sets which deferred matches of rule r (Worker.DeferHits)
// Finish keeps: those whose key hash keep returns true for, called after
// every match was added.
func (b *Batch) KeepHits(r *compile.Rule, keep func(key uint64) bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keepHits == nil {
		b.keepHits = map[*compile.Rule]func(uint64) bool{}
	}
	b.keepHits[r] = keep
}

// laterTime reports whether a match at t can be deferred: t is set and
// within the years Unix nanoseconds hold (Engine.slot).
func laterTime(t time.Time) bool {
	y := t.Year()
	return !t.IsZero() && y > 1700 && y < 2200
}

// held is a match of a later step, held until the event's matches are all
// known.
type held struct {
	r   *compile.Rule
	ci  int // the sequence's index; -1 for a rule of DeferHits
	why []compile.FieldValue
	key func(*event.Event) (uint64, bool) // DeferHits's
}

// A deferred match's record: key hash, time (Unix nanoseconds), identity
// hash, origin hash, rule index (4 bytes), and 1 when the key has all its
// values.
const laterSize = 8 + 8 + 8 + 8 + 4 + 1

// settle ends the current event's held matches: recorded when the event
// has a whole match, else made whole themselves.
func (w *Worker) settle() {
	if w.stored == nil {
		for _, h := range w.held {
			w.whole(h.r, h.why)
		}
	} else {
		idh := maphash.String(w.e.seed, w.ident)
		orh := originHash(w.e.seed, w.stored)
		for _, h := range w.held {
			var kh uint64
			var ok bool
			if h.ci < 0 {
				if kh, ok = h.key(w.ev); !ok {
					w.whole(h.r, h.why)
					continue
				}
			} else if f := w.feed(w.e.corrs[h.ci], h.r, w.ev); f.ok {
				kh, ok = maphash.String(w.e.seed, f.key), true
			}
			w.later = appendLater(w.later, kh, w.ev.Time.UnixNano(), idh, orh, h.r.Index, ok)
		}
		if len(w.later) >= laterChunk {
			w.batch.addLater(w.later)
			w.later = w.later[:0]
		}
	}
	clear(w.held)
	w.held = w.held[:0]
}

// originHash hashes where st was read: unique per record (records of one
// line of a JSON array share their Origin string, not their index).
func originHash(seed maphash.Seed, st *event.Stored) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(st.Origin)
	o := st.Where()
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(o.Line))
	binary.LittleEndian.PutUint64(b[8:], uint64(o.Index))
	binary.LittleEndian.PutUint64(b[16:], uint64(o.Offset))
	h.Write(b[:])
	return h.Sum64()
}

func appendLater(dst []byte, key uint64, t int64, idh, orh uint64, rule int, ok bool) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, key)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(t))
	dst = binary.LittleEndian.AppendUint64(dst, idh)
	dst = binary.LittleEndian.AppendUint64(dst, orh)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(rule))
	if ok {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// take adds m to the batch; b.mu is held.
func (b *Batch) take(m *Match) {
	b.matches = append(b.matches, m)
	for i := range m.feeds {
		f := &m.feeds[i]
		if !f.ok {
			continue
		}
		for _, l := range b.e.firsts[f.corr] {
			switch {
			case l.pos0 && f.pos == 0:
				b.noteFirst(l.seq, f.key, m.Time)
			case !l.pos0:
				b.noteFirst(l.seq, project(f.group, l.gi), m.Time)
			}
		}
	}
}

// project is the key a sequence gives the hit of a correlation whose input
// had group: groupKey of the values at gi (chained builds it so).
func project(group []string, gi []int) string {
	sel := make([]string, 0, len(gi))
	for _, g := range gi {
		if g < len(group) {
			sel = append(sel, group[g])
		}
	}
	return groupKey(sel)
}

// noteFirst records that sequence ci had a first step for key at t.
func (b *Batch) noteFirst(ci int, key string, t time.Time) {
	if b.firstKeys == nil {
		b.firstKeys = make([]map[uint64]struct{}, len(b.e.corrs))
		b.firstAll = make([]bool, len(b.e.corrs))
	}
	if b.firstAll[ci] {
		return
	}
	set := b.firstKeys[ci]
	if set == nil {
		set = map[uint64]struct{}{}
		b.firstKeys[ci] = set
	}
	if len(set) >= maxFirstKeys {
		b.firstAll[ci], b.firstKeys[ci] = true, nil
		return
	}
	set[slotKey(maphash.String(b.e.seed, key), b.e.slot(ci, t))] = struct{}{}
}

// keeps reports whether a deferred match of sequence ci at t with key hash
// h (ok false: its key lacks a group-by value) could extend a chain: a
// first step had its key in its time slot or the one before. When it
// cannot, it is counted as the correlator would have counted it.
func (b *Batch) keeps(ci int, t time.Time, ok bool, h uint64) bool {
	if ok && b.firstKeys != nil {
		if b.firstAll[ci] {
			return true
		}
		s := b.e.slot(ci, t)
		set := b.firstKeys[ci]
		if _, in := set[slotKey(h, s)]; in {
			return true
		}
		if _, in := set[slotKey(h, s-1)]; in {
			return true
		}
	}
	b.stats.Matches++
	if !ok {
		b.stats.MissingGroup++
	}
	return false
}

// addLater takes deferred records from a worker: kept in memory, and
// written to the run file in sections when there is one.
func (b *Batch) addLater(recs []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.takeLater(recs)
}

// takeLater is addLater with b.mu held.
func (b *Batch) takeLater(recs []byte) {
	b.deferred += len(recs) / laterSize
	b.later = append(b.later, recs...)
	if len(b.later) < 4*laterChunk || b.e.opts.Spill == nil || b.noSpill {
		return
	}
	rf := b.openRunFile()
	if rf == nil {
		return // kept in memory
	}
	off, n, err := rf.AppendFunc(func(w io.Writer) error {
		_, err := w.Write(b.later)
		return err
	})
	if err != nil {
		return // kept in memory
	}
	b.laterSecs = append(b.laterSecs, [2]int64{off, n})
	b.later = b.later[:0]
}

// survivor is a deferred match that Finish rebuilds: its event's origin
// hash and its rule.
type survivor struct {
	orh uint64
	r   *compile.Rule
}

// resolveLater takes the records the workers still hold, drops those that
// cannot matter and keeps the others in b.surv, by their event's time and
// identity hash; b.mu is
// held and no run is being written.
func (b *Batch) resolveLater() error {
	for _, w := range b.workers {
		if len(w.later) > 0 {
			b.takeLater(w.later)
			w.later = nil
		}
	}
	b.workers = nil
	var buf []byte
	for _, s := range b.laterSecs {
		r, err := b.runFile.Section(s[0], s[1])
		if err == nil {
			if cap(buf) < int(s[1]) {
				buf = make([]byte, s[1])
			}
			buf = buf[:s[1]]
			_, err = io.ReadFull(r, buf)
		}
		if err != nil {
			return fmt.Errorf("reading deferred matches back: %w", err)
		}
		if err := b.resolveRecords(buf); err != nil {
			return err
		}
	}
	b.laterSecs = nil
	err := b.resolveRecords(b.later)
	b.later = nil
	return err
}

var errLaterRecord = errors.New("deferred match record is corrupt")

// resolveRecords is resolveLater over the records in buf.
func (b *Batch) resolveRecords(buf []byte) error {
	if len(buf)%laterSize != 0 {
		return errLaterRecord
	}
	for ; len(buf) > 0; buf = buf[laterSize:] {
		rec := buf[:laterSize]
		idx := binary.LittleEndian.Uint32(rec[32:])
		if int(idx) >= len(b.e.set.Rules) {
			return errLaterRecord
		}
		r := b.e.set.Rules[idx]
		t := int64(binary.LittleEndian.Uint64(rec[8:]))
		kh := binary.LittleEndian.Uint64(rec)
		if ci, ok := b.e.later[r]; ok {
			if !b.keeps(ci, time.Unix(0, t), rec[36] != 0, kh) {
				continue
			}
		} else if keep := b.keepHits[r]; keep == nil {
			return errLaterRecord
		} else if !keep(kh) {
			// A hit the caller would have dropped.
			b.stats.Matches++
			b.stats.Hits++
			b.stats.DroppedHits++
			continue
		}
		if b.surv == nil {
			b.surv = map[int64]map[uint64][]survivor{}
		}
		at := b.surv[t]
		if at == nil {
			at = map[uint64][]survivor{}
			b.surv[t] = at
		}
		idh := binary.LittleEndian.Uint64(rec[16:])
		at[idh] = append(at[idh], survivor{orh: binary.LittleEndian.Uint64(rec[24:]), r: r})
		b.survivors++
	}
	return nil
}

// rebuilder turns the survivors into whole matches as the merge passes
// their events.
type rebuilder struct {
	b   *Batch
	w   *Worker // made on first use
	p   fastjson.Parser
	out []*Match
}

// host returns the survivors whose event is m's (rebuilt, nil if none).
// The survivors are looked up by time first, so that most matches cost one
// map lookup.
func (rb *rebuilder) host(m *Match) ([]*Match, error) {
	b := rb.b
	at := b.surv[m.Time.UnixNano()]
	if at == nil || m.Event == nil {
		return nil, nil
	}
	idh := maphash.String(b.e.seed, m.ident)
	list := at[idh]
	if len(list) == 0 {
		return nil, nil
	}
	orh := originHash(b.e.seed, m.Event)
	rb.out = rb.out[:0]
	var ev *event.Event
	for i := 0; i < len(list); {
		s := list[i]
		if s.orh != orh || slices.ContainsFunc(rb.out, func(o *Match) bool { return o.Rule == s.r }) {
			i++
			continue
		}
		if ev == nil {
			var err error
			if ev, err = rb.parse(m.Event); err != nil {
				return nil, fmt.Errorf("a deferred match of %s: %w", s.r, err)
			}
		}
		got := rb.rematch(ev, m, s.r)
		if got == nil {
			return nil, fmt.Errorf("a deferred match of %s: its stored event (%s) does not match the rule again", s.r, m.Event.Origin)
		}
		rb.out = append(rb.out, got)
		list[i] = list[len(list)-1]
		list = list[:len(list)-1]
		b.survivors--
		b.rebuilt++
	}
	switch {
	case len(list) > 0:
		at[idh] = list
	case len(at) == 1:
		delete(b.surv, m.Time.UnixNano())
	default:
		delete(at, idh)
	}
	if len(rb.out) == 0 {
		return nil, nil
	}
	return slices.Clone(rb.out), nil
}

// waiting reports whether survivors wait at m's time and identity: those
// of another record that shares them (m's own were taken by host).
func (rb *rebuilder) waiting(m *Match) bool {
	at := rb.b.surv[m.Time.UnixNano()]
	return at != nil && len(at[maphash.String(rb.b.e.seed, m.ident)]) > 0
}

// parse makes an event of st's stored copy, to match against again.
func (rb *rebuilder) parse(st *event.Stored) (*event.Event, error) {
	js := st.JSON()
	if js == nil {
		return nil, fmt.Errorf("its stored event (%s) cannot be read back", st.Origin)
	}
	doc, err := rb.p.ParseBytes(js)
	if err != nil {
		return nil, fmt.Errorf("its stored event (%s): %w", st.Origin, err)
	}
	return &event.Event{Kind: st.Kind, Format: st.Format, Subtype: st.Subtype, Time: st.Time, ID: st.ID,
		Doc: doc, Origin: st.Where()}, nil
}

// rematch is the whole match of rule r on ev, the event of host match m
// (nil if r does not match): Worker.Match for one rule, with m's stored
// copy, identity and time.
func (rb *rebuilder) rematch(ev *event.Event, m *Match, r *compile.Rule) *Match {
	if rb.w == nil {
		rb.w = rb.b.e.NewWorker()
	}
	w := rb.w
	var got *Match
	w.ev, w.stored, w.ident, w.emit = ev, m.Event, m.ident, func(x *Match) { got = x }
	w.epoch++
	w.m.MatchRule(ev, r, w.onHit)
	w.ev, w.stored, w.emit, w.ident = nil, nil, nil, ""
	if got != nil {
		got.Time = m.Time
	}
	return got
}
