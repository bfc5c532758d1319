package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"sync/atomic"
	"time"

	"github.com/idsentry/idsentry/internal/binenc"
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
// that is a later step (laterOf), and feeds nothing else but first-seen
// correlations (firstseen.go), as an entry of a compact record of its
// event: the hashes of its group-by keys, its rule; the record has the
// hashes of the event's identity and origin and its time. When the event
// has a whole match as well, that match is how Finish finds the event
// again; otherwise the record carries the event's stored copy (a place in
// the input file, or in the spill for a compressed one). The Batch keeps
// the hashes of the keys its first steps had, by time slot. Finish drops
// the entries whose key had no first step in the record's slot or the one
// before (the correlator would have skipped them: counted as matches,
// nothing else); the others, the survivors, are rebuilt by matching the
// event's stored copy against their rule again: those of a record with
// the copy at once, added as matches; the others during the merge, when
// the whole match of their event comes by, where they take their place in
// the order. The hits are those of a Batch that defers nothing.
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

// laterOf reports whether detection rule r can be deferred as a later step
// of seq: seq is a temporal_ordered correlation whose first step is not r
// and is a detection rule, or a correlation over detection rules whose
// group-by holds the sequence's (the sequence's first steps then have keys
// among those of that correlation's inputs).
func (e *Engine) laterOf(r, seq *compile.Rule) bool {
	c := seq.Correlation
	if c.Type != compile.TemporalOrdered || c.Legacy || len(c.Rules) < 2 || c.Rules[0] == r {
		return false
	}
	if first := c.Rules[0]; first.Correlation != nil {
		fc := first.Correlation
		if fc.Legacy || slices.Contains(c.Rules[1:], first) {
			return false
		}
		for _, b := range fc.Rules {
			if b.Correlation != nil {
				return false
			}
		}
		if in := c.Input(first, 0); in == nil || len(in.GroupIndex) != len(c.GroupBy) {
			return false
		}
		if _, ok := e.index[first]; !ok {
			return false
		}
	}
	_, ok := e.index[seq]
	return ok
}

// deferPlan is what a deferred rule's matches feed: the sequence they are
// a later step of (-1: none) and the first-seen correlations whose inputs
// Finish sifts (firstseen.go), by correlation index.
type deferPlan struct {
	seq int
	nv  []int
}

// planOf returns how rule r's matches are deferred: r is a detection rule
// that reports nothing on its own, and every correlation it feeds is a
// sequence it is a later step of (one at most) or a first-seen
// correlation in sift.
func (e *Engine) planOf(r *compile.Rule, sift map[*compile.Rule]bool) (deferPlan, bool) {
	p := deferPlan{seq: -1}
	if r.Correlation != nil || r.Generate || len(r.In) == 0 {
		return p, false
	}
	for _, c := range r.In {
		switch {
		case sift[c]:
			p.nv = append(p.nv, e.index[c])
		case p.seq < 0 && e.laterOf(r, c):
			p.seq = e.index[c]
		default:
			return p, false
		}
	}
	return p, true
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

// planLater fills e.plans, e.firsts, e.reach and e.sifted.
func (e *Engine) planLater() {
	e.seed = maphash.MakeSeed()
	e.firsts = make([][]firstLink, len(e.corrs))
	e.reach = make([]time.Duration, len(e.corrs))
	e.sifted = make([]bool, len(e.corrs))
	sift := e.siftable()
	for _, r := range e.set.Rules {
		p, ok := e.planOf(r, sift)
		if !ok {
			continue
		}
		if e.plans == nil {
			e.plans = make([]*deferPlan, len(e.set.Rules))
		}
		e.plans[r.Index] = &p
		for _, ci := range p.nv {
			e.sifted[ci] = true
		}
		if p.seq < 0 {
			continue
		}
		i := p.seq
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

// plan returns how r's matches are deferred (nil: they are not).
func (e *Engine) plan(r *compile.Rule) *deferPlan {
	if r.Index < len(e.plans) {
		return e.plans[r.Index]
	}
	return nil
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
	if b.pairsMade == nil {
		b.pairsMade = make([]atomic.Int64, len(b.e.corrs))
	}
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

// held is a deferred match, held until the event's matches are all known.
type held struct {
	r    *compile.Rule
	plan *deferPlan // nil for a rule of DeferHits
	why  []compile.FieldValue
	key  func(*event.Event) (uint64, bool) // DeferHits's
}

// An event's deferred matches make one record:
//
//	u32 length of the rest
//	i64 time (Unix nanoseconds), u64 identity hash, u64 origin hash
//	u32 length of the entries, then each entry:
//	    u32 rule index, u8 1 when the key has all its values, u64 key hash
//	    (the sequence's, or DeferHits's; 0 when the rule feeds none),
//	    then for each first-seen correlation of the rule's plan (in order):
//	    u8 ok, u64 key hash, u16 number of values, u64 hash of each value
//	u32 length of the event's stored copy (Stored.AppendBinary), then
//	    the copy; 0 when the event has a whole match, which hosts them.
const (
	laterHead = 4 + 8 + 8 + 8 + 4
	entryHead = 4 + 1 + 8
	maxValues = 1<<16 - 1
)

// settle ends the current event's held matches: one record for all of
// them (those that cannot be recorded are made whole first). The event's
// whole match, if it has one, is how Finish finds it again; otherwise the
// record carries the event's stored copy.
func (w *Worker) settle() {
	w.fed = w.fed[:0]
	// The entries go straight after the record's head, filled in once
	// the event's identity and stored copy are known (a match that goes
	// whole makes them).
	start := len(w.later)
	rec := slices.Grow(w.later, laterHead)[:start+laterHead]
	n := 0
	for _, h := range w.held {
		at := len(rec)
		var ok bool
		if rec, ok = w.entry(rec, h); !ok {
			rec = rec[:at]
			w.whole(h.r, h.why)
			continue
		}
		n++
	}
	clear(w.held)
	w.held = w.held[:0]
	if n == 0 {
		w.later = rec[:start]
		return
	}
	hosted := w.hasWhole
	w.store()
	head := rec[start:]
	binary.LittleEndian.PutUint64(head[4:], uint64(w.ev.Time.UnixNano()))
	binary.LittleEndian.PutUint64(head[12:], maphash.String(w.e.seed, w.ident))
	binary.LittleEndian.PutUint64(head[20:], originHash(w.e.seed, w.stored))
	binary.LittleEndian.PutUint32(head[28:], uint32(len(rec)-start-laterHead))
	at := len(rec)
	rec = binary.LittleEndian.AppendUint32(rec, 0)
	if !hosted {
		rec = w.stored.AppendBinary(rec)
		binary.LittleEndian.PutUint32(rec[at:], uint32(len(rec)-at-4))
	}
	binary.LittleEndian.PutUint32(rec[start:], uint32(len(rec)-start-4))
	w.later = rec
	if len(w.later) >= laterChunk {
		w.batch.addLater(w.later)
		w.later = w.later[:0]
	}
}

// entry appends h's entry to dst; false when it cannot be recorded (the
// match then goes whole): DeferHits's key function refused the event, or
// a first-seen field has too many values.
func (w *Worker) entry(dst []byte, h held) ([]byte, bool) {
	var kh uint64
	ok := false
	switch {
	case h.plan == nil:
		if kh, ok = h.key(w.ev); !ok {
			return dst, false
		}
	case h.plan.seq >= 0:
		if in := w.e.corrs[h.plan.seq].Correlation.Input(h.r, w.ev.Kind); in != nil {
			kh, ok = w.keyHash(in.GroupPaths)
		}
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(h.r.Index))
	dst = append(dst, b2u(ok))
	dst = binary.LittleEndian.AppendUint64(dst, kh)
	if h.plan == nil {
		return dst, true
	}
	for _, ci := range h.plan.nv {
		if dst, ok = w.appendSift(dst, ci, h.r); !ok {
			return dst, false
		}
	}
	return dst, true
}

// keyHash is the hash of the group key of paths in the current event, as
// feed builds it (groupKey of the folded values); false when a value is
// missing.
func (w *Worker) keyHash(paths []event.Path) (uint64, bool) {
	if len(paths) == 1 {
		g := w.group(w.ev, paths[0])
		if g.text == "" {
			return 0, false
		}
		if !g.hashed {
			g.hash, g.hashed = maphash.String(w.e.seed, g.lower), true
		}
		return g.hash, true
	}
	if !w.joinKey(w.ev, paths, nil) {
		return 0, false
	}
	return maphash.Bytes(w.e.seed, w.key), true
}

// appendSift appends the hashes of what a match of rule r in the current
// event feeds first-seen correlation ci (feed's key and values, the values
// folded), and gives them to the worker's sifter; false when there are too
// many values.
func (w *Worker) appendSift(dst []byte, ci int, r *compile.Rule) ([]byte, bool) {
	c := w.e.corrs[ci]
	in := c.Correlation.Input(r, w.ev.Kind)
	var kh uint64
	ok := in != nil
	if ok {
		kh, ok = w.keyHash(in.GroupPaths)
	}
	dst = append(dst, b2u(ok))
	dst = binary.LittleEndian.AppendUint64(dst, kh)
	at := len(dst)
	dst = binary.LittleEndian.AppendUint16(dst, 0)
	if !ok || len(in.FieldPaths) == 0 {
		return dst, true
	}
	n := 0
	if len(in.FieldPaths) > 1 {
		// A tuple of values: as feed joins them.
		for _, v := range w.feed(c, r, w.ev).values {
			dst = binary.LittleEndian.AppendUint64(dst, foldHash(w.e.seed, v))
			n++
		}
	} else {
		// Every value of the field, as event.Text gives it to feed.
		event.Each(w.ev.Doc, in.FieldPaths[0], func(v *fastjson.Value) bool {
			b := event.TextBytes(v, w.vbuf[:0])
			if v.Type() != fastjson.TypeString {
				w.vbuf = b // the scratch, not the document's bytes
			}
			if len(b) > 0 {
				dst = binary.LittleEndian.AppendUint64(dst, foldHashBytes(w.e.seed, b))
				n++
			}
			return true
		})
	}
	if n > maxValues {
		return dst, false
	}
	binary.LittleEndian.PutUint16(dst[at:], uint16(n))
	if w.sift == nil {
		w.sift = newSifter(len(w.e.corrs))
		w.sift.made = w.batch.pairsMade
	}
	vals := dst[at+2:]
	w.sift.observe(w.e, ci, kh, w.ev.Time.UnixNano(), vals)
	if w.e.opts.UniqueIDs {
		// Finish does not look for inputs of one identity and time
		// (sifter.twin) when IDs are unique, but an ID-less record is
		// identified by its origin, which the records of one line of a
		// JSON array share; and two rules matching one event feed the
		// correlation twice, with other values when its field has an
		// alias per rule. The correlator takes the first input alone.
		if w.ev.ID == "" {
			w.sift.keepKey(ci, kh)
		}
		vh := maphash.Bytes(twinSeed, vals)
		for _, f := range w.fed {
			if f.ci == ci && f.kh == kh && f.vh != vh {
				w.sift.keepKey(ci, kh)
			}
		}
		w.fed = append(w.fed, fedInput{ci: ci, kh: kh, vh: vh})
	}
	return dst, true
}

// fedInput is a first-seen input of the current event: its correlation,
// key hash and values hash.
type fedInput struct {
	ci     int
	kh, vh uint64
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
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

// laterRec is one event's record, read back.
type laterRec struct {
	t        int64
	idh, orh uint64
	entries  []byte
	stored   []byte // the event's stored copy; nil when hosted
}

var errLaterRecord = errors.New("deferred match record is corrupt")

// nextRecord reads the record at the start of buf and returns the rest.
func (e *Engine) nextRecord(buf []byte) (laterRec, []byte, error) {
	var rec laterRec
	if len(buf) < 4 {
		return rec, nil, errLaterRecord
	}
	size := int(binary.LittleEndian.Uint32(buf))
	if size < laterHead || size > len(buf)-4 {
		return rec, nil, errLaterRecord
	}
	body, rest := buf[4:4+size], buf[4+size:]
	rec.t = int64(binary.LittleEndian.Uint64(body))
	rec.idh = binary.LittleEndian.Uint64(body[8:])
	rec.orh = binary.LittleEndian.Uint64(body[16:])
	en := int(binary.LittleEndian.Uint32(body[24:]))
	body = body[28:]
	if en > len(body)-4 {
		return rec, nil, errLaterRecord
	}
	rec.entries, body = body[:en], body[en:]
	if int(binary.LittleEndian.Uint32(body)) != len(body)-4 {
		return rec, nil, errLaterRecord
	}
	if len(body) > 4 {
		rec.stored = body[4:]
	}
	return rec, rest, nil
}

// laterEntry is one deferred match of a record.
type laterEntry struct {
	r    *compile.Rule
	plan *deferPlan // nil for a rule of DeferHits
	ok   bool
	kh   uint64
	nv   []byte // the first-seen feeds (nextFeed)
}

// nextEntry reads the entry at the start of buf and returns the rest.
func (e *Engine) nextEntry(buf []byte) (laterEntry, []byte, error) {
	var ent laterEntry
	if len(buf) < entryHead {
		return ent, nil, errLaterRecord
	}
	idx := binary.LittleEndian.Uint32(buf)
	if int(idx) >= len(e.set.Rules) || buf[4] > 1 {
		return ent, nil, errLaterRecord
	}
	ent.r = e.set.Rules[idx]
	ent.ok = buf[4] == 1
	ent.kh = binary.LittleEndian.Uint64(buf[5:])
	rest := buf[entryHead:]
	if p := e.plan(ent.r); p != nil {
		ent.plan = p
		start := rest
		for range p.nv {
			var err error
			if _, rest, err = nextFeed(rest); err != nil {
				return ent, nil, err
			}
		}
		ent.nv = start[:len(start)-len(rest)]
	}
	return ent, rest, nil
}

// siftFeed is a first-seen feed of an entry: its key's hash, and its
// values' hashes (8 bytes each).
type siftFeed struct {
	ok   bool
	kh   uint64
	vals []byte
}

// nextFeed reads the first-seen feed at the start of buf.
func nextFeed(buf []byte) (siftFeed, []byte, error) {
	var f siftFeed
	if len(buf) < 1+8+2 || buf[0] > 1 {
		return f, nil, errLaterRecord
	}
	f.ok = buf[0] == 1
	f.kh = binary.LittleEndian.Uint64(buf[1:])
	n := int(binary.LittleEndian.Uint16(buf[9:])) * 8
	if len(buf)-11 < n {
		return f, nil, errLaterRecord
	}
	f.vals = buf[11 : 11+n]
	return f, buf[11+n:], nil
}

// take adds m to the batch; b.mu is held.
func (b *Batch) take(m *Match) {
	b.matches = append(b.matches, m)
	for i := range m.feeds {
		f := &m.feeds[i]
		if !f.ok {
			continue
		}
		if b.e.sifted[f.corr] && !m.Time.IsZero() && !b.done {
			b.sifter().whole(f.corr, maphash.String(b.e.seed, f.key), m.Time)
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

// firstIn reports whether a deferred match of sequence ci at t with key
// hash h could extend a chain: a first step had its key in its time slot
// or the one before.
func (b *Batch) firstIn(ci int, t time.Time, h uint64) bool {
	if b.firstKeys == nil {
		return false
	}
	if b.firstAll[ci] {
		return true
	}
	s := b.e.slot(ci, t)
	set := b.firstKeys[ci]
	if _, in := set[slotKey(h, s)]; in {
		return true
	}
	_, in := set[slotKey(h, s-1)]
	return in
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

// resolveLater takes the records the workers still hold, sifts the
// first-seen inputs, drops the matches that cannot matter and rebuilds the
// others: those of a record with its event's stored copy at once (added
// as matches), the rest kept in b.surv, by their event's time and identity
// hash, for the merge. b.mu is held and no run is being written.
func (b *Batch) resolveLater(rb *rebuilder) error {
	workers := b.workers
	for _, w := range workers {
		if len(w.later) > 0 {
			b.takeLater(w.later)
			w.later = nil
		}
	}
	b.workers = nil
	if b.sift != nil || b.siftsRecords() {
		s := b.sifter()
		for _, w := range workers {
			s.merge(w.sift)
			w.sift = nil
		}
		var err error
		if !b.e.opts.UniqueIDs && s.endings() {
			err = b.eachSection(func(buf []byte) error {
				return b.eachSift(buf, func(ci int, rec *laterRec, kh uint64, vals []byte) {
					s.twin(ci, kh, rec.t, rec.idh, vals)
				})
			})
		}
		if err != nil {
			return err
		}
		s.decide(b.e)
	}
	err := b.eachSection(func(buf []byte) error { return b.resolveRecords(rb, buf) })
	b.laterSecs, b.later = nil, nil
	return err
}

// siftsRecords reports whether the deferred records may hold first-seen
// inputs.
func (b *Batch) siftsRecords() bool { return slices.Contains(b.e.sifted, true) }

// eachSection calls fn with the deferred records, a section at a time.
func (b *Batch) eachSection(fn func(buf []byte) error) error {
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
		if err := fn(buf); err != nil {
			return err
		}
	}
	return fn(b.later)
}

// eachSift calls fn with every first-seen input of the records in buf
// whose key has all its values: correlation, record, key hash and values.
func (b *Batch) eachSift(buf []byte, fn func(ci int, rec *laterRec, kh uint64, vals []byte)) error {
	for len(buf) > 0 {
		rec, rest, err := b.e.nextRecord(buf)
		if err != nil {
			return err
		}
		buf = rest
		for p := rec.entries; len(p) > 0; {
			ent, q, err := b.e.nextEntry(p)
			if err != nil {
				return err
			}
			p = q
			if ent.plan == nil {
				continue
			}
			nv := ent.nv
			for _, ci := range ent.plan.nv {
				f, q, err := nextFeed(nv)
				if err != nil {
					return err
				}
				nv = q
				if f.ok {
					fn(ci, &rec, f.kh, f.vals)
				}
			}
		}
	}
	return nil
}

// resolveRecords drops or rebuilds the deferred matches of the records in
// buf (resolveLater).
func (b *Batch) resolveRecords(rb *rebuilder, buf []byte) error {
	var keep []*compile.Rule
	for len(buf) > 0 {
		rec, rest, err := b.e.nextRecord(buf)
		if err != nil {
			return err
		}
		buf = rest
		keep = keep[:0]
		for p := rec.entries; len(p) > 0; {
			ent, q, err := b.e.nextEntry(p)
			if err != nil {
				return err
			}
			p = q
			b.deferred++
			ok, err := b.survives(ent, rec.t)
			if err != nil {
				return err
			}
			if ok {
				keep = append(keep, ent.r)
			}
		}
		if len(keep) == 0 {
			continue
		}
		if rec.stored != nil {
			if err := b.rebuildStored(rb, rec, keep); err != nil {
				return err
			}
			continue
		}
		if b.surv == nil {
			b.surv = map[int64]map[uint64][]survivor{}
		}
		at := b.surv[rec.t]
		if at == nil {
			at = map[uint64][]survivor{}
			b.surv[rec.t] = at
		}
		for _, r := range keep {
			at[rec.idh] = append(at[rec.idh], survivor{orh: rec.orh, r: r})
			b.survivors++
		}
	}
	return nil
}

// survives reports whether the deferred match ent at t (Unix nanoseconds)
// is rebuilt; one that is not is counted as the correlator or the caller
// would have counted it.
func (b *Batch) survives(ent laterEntry, t int64) (bool, error) {
	if ent.plan == nil {
		keep := b.keepHits[ent.r]
		if keep == nil {
			return false, errLaterRecord
		}
		if keep(ent.kh) {
			return true, nil
		}
		// A hit the caller would have dropped.
		b.stats.Matches++
		b.stats.Hits++
		b.stats.DroppedHits++
		return false, nil
	}
	missing := 0
	if ci := ent.plan.seq; ci >= 0 {
		if !ent.ok {
			missing++
		} else if b.firstIn(ci, time.Unix(0, t), ent.kh) {
			return true, nil
		}
	}
	nv := ent.nv
	for _, ci := range ent.plan.nv {
		f, q, err := nextFeed(nv)
		if err != nil {
			return false, err
		}
		nv = q
		if !f.ok {
			missing++
		} else if b.sift.kept(ci, f.kh) {
			return true, nil
		}
	}
	b.stats.Matches++
	b.stats.MissingGroup += int64(missing)
	return false, nil
}

// rebuiltRun is how many matches rebuilt in Finish are spilled at a time:
// fewer than a run of the scan's, as Finish's other work peaks meanwhile
// (at 5 GB, runs of 8,192 rebuilt matches raised the peak live heap by a
// fifth, where 1 GB rebuilds fewer).
const rebuiltRun = 1024

// rebuildStored rebuilds the matches of rules keep on the stored copy
// rec carries, and adds them.
func (b *Batch) rebuildStored(rb *rebuilder, rec laterRec, keep []*compile.Rule) error {
	d := binenc.NewDecoder(rec.stored)
	st := event.DecodeStored(d, b.e.opts.Spill)
	if d.Err() != nil || d.Len() != 0 {
		return errLaterRecord
	}
	ev, done, err := rb.parse(st)
	if err != nil {
		rb.lose(len(keep), fmt.Errorf("a deferred match of %s: %w", keep[0], err))
		return nil
	}
	defer done()
	id := storedIdentity(st)
	for _, r := range keep {
		m := rb.rematch(ev, st, id, st.Time, r)
		if m == nil {
			rb.lose(1, fmt.Errorf("a deferred match of %s: its stored event (%s) does not match the rule again", r, st.Origin))
			continue
		}
		b.rebuilt++
		b.matches = append(b.matches, m)
		if len(b.matches) >= min(b.e.opts.RunMatches, rebuiltRun) && b.e.opts.Spill != nil && !b.noSpill {
			if rf := b.openRunFile(); rf != nil {
				if r, ok := b.e.spillRun(rf, b.matches); ok {
					b.runs = append(b.runs, r)
					b.matches = b.matches[:0:0]
				} else {
					b.noSpill = true
				}
			}
		}
	}
	return nil
}

// rebuilder turns the survivors into whole matches as the merge passes
// their events.
type rebuilder struct {
	b    *Batch
	w    *Worker // made on first use
	p    fastjson.Parser
	out  []*Match
	lost error // the first deferred match that could not be rebuilt
}

// lose counts n deferred matches that could not be rebuilt, for err.
func (rb *rebuilder) lose(n int, err error) {
	rb.b.stats.Unrebuilt += int64(n)
	if rb.lost == nil {
		rb.lost = err
	}
}

// err is what FinishFunc reports of the matches that could not be rebuilt.
func (rb *rebuilder) err() error {
	if rb.lost == nil {
		return nil
	}
	return fmt.Errorf("%d deferred matches could not be rebuilt from their stored events and are missing from the results (the first: %w)",
		rb.b.stats.Unrebuilt, rb.lost)
}

// host returns the survivors whose event is m's (rebuilt, nil if none).
// The survivors are looked up by time first, so that most matches cost one
// map lookup.
func (rb *rebuilder) host(m *Match) []*Match {
	b := rb.b
	at := b.surv[m.Time.UnixNano()]
	if at == nil || m.Event == nil {
		return nil
	}
	idh := maphash.String(b.e.seed, m.ident)
	list := at[idh]
	if len(list) == 0 {
		return nil
	}
	orh := originHash(b.e.seed, m.Event)
	rb.out = rb.out[:0]
	var (
		ev      *event.Event
		done    func()
		readErr error
	)
	for i := 0; i < len(list); {
		s := list[i]
		if s.orh != orh || slices.ContainsFunc(rb.out, func(o *Match) bool { return o.Rule == s.r }) {
			i++
			continue
		}
		list[i] = list[len(list)-1]
		list = list[:len(list)-1]
		b.survivors--
		if ev == nil && readErr == nil {
			ev, done, readErr = rb.parse(m.Event)
		}
		if readErr != nil {
			rb.lose(1, fmt.Errorf("a deferred match of %s: %w", s.r, readErr))
			continue
		}
		got := rb.rematch(ev, m.Event, m.ident, m.Time, s.r)
		if got == nil {
			rb.lose(1, fmt.Errorf("a deferred match of %s: its stored event (%s) does not match the rule again", s.r, m.Event.Origin))
			continue
		}
		rb.out = append(rb.out, got)
		b.rebuilt++
	}
	if done != nil {
		done()
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
		return nil
	}
	return slices.Clone(rb.out)
}

// waiting reports whether survivors wait at m's time and identity: those
// of another record that shares them (m's own were taken by host).
func (rb *rebuilder) waiting(m *Match) bool {
	at := rb.b.surv[m.Time.UnixNano()]
	return at != nil && len(at[maphash.String(rb.b.e.seed, m.ident)]) > 0
}

// parse makes the event of st again, to match against: from the record as
// read when its spill can (event.Stored.Reread), so that rules read what
// they read the first time; else from its canonical JSON. done is to be
// called once done with the event.
func (rb *rebuilder) parse(st *event.Stored) (ev *event.Event, done func(), err error) {
	ev, done, err = st.Reread()
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("its stored event (%s) cannot be read back: %w", st.Origin, err)
	case ev != nil:
		ev.Kind, ev.Format, ev.Subtype, ev.Time, ev.ID, ev.Origin = st.Kind, st.Format, st.Subtype, st.Time, st.ID, st.Where()
		return ev, done, nil
	}
	js := st.JSON()
	if js == nil {
		return nil, nil, fmt.Errorf("its stored event (%s) cannot be read back", st.Origin)
	}
	doc, err := rb.p.ParseBytes(js)
	if err != nil {
		return nil, nil, fmt.Errorf("its stored event (%s): %w", st.Origin, err)
	}
	return &event.Event{Kind: st.Kind, Format: st.Format, Subtype: st.Subtype, Time: st.Time, ID: st.ID,
		Doc: doc, Origin: st.Where()}, func() {}, nil
}

// rematch is the whole match of rule r on ev, read back from its stored
// copy st (nil if r does not match): Worker.Match for one rule, with the
// event's identity and time. Its first-seen feeds go on only for the keys
// Finish kept: the correlator sees every input of those keys and none of
// the others (firstseen.go).
func (rb *rebuilder) rematch(ev *event.Event, st *event.Stored, ident string, t time.Time, r *compile.Rule) *Match {
	if rb.w == nil {
		rb.w = rb.b.e.NewWorker()
	}
	w := rb.w
	var got *Match
	w.ev, w.stored, w.ident, w.emit = ev, st, ident, func(x *Match) { got = x }
	w.epoch++
	w.m.MatchRule(ev, r, w.onHit)
	w.ev, w.stored, w.emit, w.ident = nil, nil, nil, ""
	if got == nil {
		return nil
	}
	got.Time = t
	if sf := rb.b.sift; sf != nil {
		got.feeds = slices.DeleteFunc(got.feeds, func(f feed) bool {
			return f.ok && rb.b.e.sifted[f.corr] && !sf.kept(f.corr, maphash.String(rb.b.e.seed, f.key))
		})
	}
	return got
}
