package alert

import (
	"cmp"
	"container/heap"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"
)

// Options configure a Builder.
type Options struct {
	// Hours are the business hours for outside_hours and
	// `outside-hours: raise`.
	Hours BusinessHours
	// MaxEvidence is the number of evidence events kept per alert when the
	// rule does not say (default DefaultMaxEvidence).
	MaxEvidence int
	// Enricher, when set, attaches identity and IP context to alerts with
	// account and IP entities before having and tiers are evaluated.
	Enricher *Enricher
	// MaxOpen caps, per rule, the group-by keys with matches not yet in
	// an alert (open windows), so that a group-by on a field with a new
	// value in nearly every record (a per-request id) cannot hold memory
	// in proportion to the input. When a new key would pass its rule's
	// cap, that rule's windows close in the order they are due, one at a
	// time, until a key has none left. Each is closed early: its alert is
	// built from the matches it has, and a later match of that key opens a
	// new window; one whose end the watermark (Advance) had not reached is
	// counted in Stats.ClosedEarly (it might have had more matches; in a
	// scan the watermark trails the newest match by the longest
	// correlation lag, so nearly every window closed at the cap counts).
	// Other rules are not touched. Default DefaultMaxOpen; negative: no
	// cap.
	MaxOpen int
}

// DefaultMaxOpen is the default Options.MaxOpen, the same as the
// correlations' cap on live keys per rule. A key with one match held
// about 4.5 KB of peak RSS in the bench (the old dataset, one window per
// sign-in), so a flooding rule holds at most a few hundred MB.
const DefaultMaxOpen = 100000

// Stats counts what a Builder did with its matches.
type Stats struct {
	Matches     int // matches added
	Allowlisted int // matches dropped by an allowlist
	Late        int // matches older than the watermark when added
	Alerts      int // alerts raised
	NotHaving   int // groups whose having expression was false
	BelowCutoff int // alerts hidden by min-ip-priority
	EvalErrors  int // having/tier evaluations that failed (taken as false)
	Sealed      int // matches folded into their window's aggregate before it closed
	ClosedEarly int // windows closed at the Options.MaxOpen cap before the watermark reached their end
	PeakOpen    int // most keys open at once, all rules together
	// ClosedEarlyBy counts ClosedEarly by rule ("title (id)").
	ClosedEarlyBy map[string]int
}

// Builder groups matches into alerts (docs/rule-attribute.md). In a scan,
// Add every match and call Finish once: the result does not depend on the
// order of Add calls. In serve, call Advance with the watermark (every
// match older than it has been added) to close the windows that ended
// before it; Advance(t) for increasing t followed by Finish yields the same
// alerts as Finish alone, as long as no match arrives older than the
// watermark. Both hold while no rule reaches the Options.MaxOpen cap;
// past it, which windows close early depends on what is open when (a
// scan adds in its total order of hits, so its result is still
// reproducible). A Builder is safe for concurrent use.
type Builder struct {
	mu        sync.Mutex
	opt       Options
	keys      map[keyID]*keyState
	due       dueHeap // when each key's next window can close
	watermark time.Time
	stats     Stats
	errs      []error
	// dueCompact is the length of due at which its stale entries are
	// dropped (with the MaxOpen cap, see pushDue).
	dueCompact int
	// rules holds, with the MaxOpen cap, each rule's open keys.
	rules map[*Spec]*ruleKeys
	// early holds the alerts of windows closed at the MaxOpen cap until
	// the next Advance or Finish returns them.
	early []Alert
}

// ruleKeys counts one rule's open keys and orders them by due time (its
// entries go stale as due's do).
type ruleKeys struct {
	open    int
	due     dueHeap
	compact int // len(due) at which stale entries are dropped
}

type keyID struct {
	spec *Spec
	key  string
}

// keyState holds one alert key's matches not yet in a finished alert.
type keyState struct {
	spec    *Spec
	pending []*Match
	sorted  bool
	// earliest is the anchor of the next window: the earliest Time among
	// pending, or agg's anchor.
	earliest time.Time
	// agg holds the matches of the open window that are older than the
	// watermark, folded in order (seal), when there are many.
	agg *window
	// sealAt is the number of pending matches at which Add seals next.
	sealAt int
	// rule is the spec's open keys under the MaxOpen cap (nil: no cap).
	rule *ruleKeys
}

// sealMin is the number of pending matches of a key below which Add does
// not seal: a window of a few matches is kept as is.
const sealMin = 8

// seal folds the pending matches of the open window that are older than
// the watermark wm into the window's aggregate, in compareMatches order.
// Every match older than the watermark has been added (the Advance
// contract), so they are the window's first matches and no later match
// sorts before them: the alert is the one the whole window would make.
// It returns the number of matches folded.
func (ks *keyState) seal(wm time.Time, maxEvidence int) int {
	if !ks.sorted {
		slices.SortFunc(ks.pending, compareMatches)
		ks.sorted = true
	}
	anchor := ks.earliest
	if ks.agg == nil {
		anchor = ks.pending[0].Time
	}
	cut := anchor.Add(ks.spec.Window) // the window's end, or the watermark
	if wm.Before(cut) {
		cut = wm
	}
	n := before(ks.pending, cut)
	if n == 0 {
		return 0
	}
	if ks.agg == nil {
		ks.agg = newWindow(ks.spec, maxEvidence)
	}
	for _, m := range ks.pending[:n] {
		ks.agg.add(m)
	}
	rest := copy(ks.pending, ks.pending[n:])
	clear(ks.pending[rest:])
	ks.pending = ks.pending[:rest]
	return n
}

// NewBuilder returns a Builder.
func NewBuilder(opt Options) *Builder {
	if opt.MaxEvidence <= 0 {
		opt.MaxEvidence = DefaultMaxEvidence
	}
	if opt.MaxOpen == 0 {
		opt.MaxOpen = DefaultMaxOpen
	}
	return &Builder{opt: opt, keys: map[keyID]*keyState{}, rules: map[*Spec]*ruleKeys{}}
}

// Add takes one match. Matches of allowlisted values are dropped here; a
// match without a Spec or a time is refused with an error.
func (b *Builder) Add(m Match) error {
	if m.Spec == nil {
		return errors.New("add match: no spec")
	}
	if m.Time.IsZero() {
		return errors.New("add match: no event time")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stats.Matches++
	if len(m.Spec.allowlist) > 0 {
		drop := false
		m.records(func(f map[string][]string) { drop = drop || allowed(m.Spec.allowlist, f) })
		if drop {
			b.stats.Allowlisted++
			return nil
		}
	}
	if !b.watermark.IsZero() && m.Time.Before(b.watermark) {
		b.stats.Late++
	}
	id := keyID{spec: m.Spec, key: groupKey(m.Spec, m.Fields)}
	ks := b.keys[id]
	if ks == nil {
		rk := b.ruleKeys(m.Spec)
		if rk != nil {
			if rk.open >= b.opt.MaxOpen {
				b.makeRoom(rk)
			}
			rk.open++
		}
		ks = &keyState{spec: m.Spec, rule: rk}
		b.keys[id] = ks
		b.stats.PeakOpen = max(b.stats.PeakOpen, len(b.keys))
	}
	// A window that has folded matches keeps its anchor; a late match
	// older than it joins it (the watermark was passed: see Advance).
	if ks.agg == nil && (len(ks.pending) == 0 || m.Time.Before(ks.earliest)) {
		ks.earliest = m.Time
		b.pushDue(dueEntry{ks.dueAt(), id}, ks)
	}
	ks.pending = append(ks.pending, &m)
	ks.sorted = false
	// A window with many matches folds those older than the watermark
	// into its aggregate: memory per key then grows with what the alert
	// shows, not with the matches.
	if !ks.spec.perEvent() && !b.watermark.IsZero() && len(ks.pending) >= max(ks.sealAt, sealMin) {
		b.stats.Sealed += ks.seal(b.watermark, b.maxEvidence(ks.spec))
		ks.sealAt = 2 * len(ks.pending)
	}
	return nil
}

// Advance closes every window that ends at or before watermark t and
// returns their alerts, ordered by first_seen, rule id and alert id. A
// window [first, first+window) ends at first+window; a per-match alert
// closes once its time is before t.
func (b *Builder) Advance(t time.Time) []Alert {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t.After(b.watermark) {
		b.watermark = t
	}
	return b.close(t, false)
}

// Finish closes every window, whatever its end, and returns the alerts in
// the order Advance uses. The Builder is empty afterwards.
func (b *Builder) Finish() []Alert {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.close(time.Time{}, true)
}

// Stats returns the counts so far.
func (b *Builder) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.stats
	st.ClosedEarlyBy = maps.Clone(st.ClosedEarlyBy)
	return st
}

// Errors returns the expression evaluation errors met so far (at most 100;
// Stats().EvalErrors counts them all).
func (b *Builder) Errors() []error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]error(nil), b.errs...)
}

// ruleKeys returns the open keys of s, nil without a MaxOpen cap.
func (b *Builder) ruleKeys(s *Spec) *ruleKeys {
	if b.opt.MaxOpen <= 0 {
		return nil
	}
	rk := b.rules[s]
	if rk == nil {
		rk = &ruleKeys{}
		b.rules[s] = rk
	}
	return rk
}

// pushDue records when the next window of key ks can close, in the
// Builder's heap and (with the cap) its rule's.
func (b *Builder) pushDue(e dueEntry, ks *keyState) {
	heap.Push(&b.due, e)
	rk := ks.rule
	if rk == nil {
		return
	}
	heap.Push(&rk.due, e)
	// Windows closed in Advance leave their entries in the rule's heap,
	// and windows closed at the cap theirs in the Builder's, until the
	// watermark passes them: drop the stale ones from time to time, so
	// that both stay in proportion to the open keys.
	b.dueCompact = b.compact(&b.due, b.dueCompact)
	rk.compact = b.compact(&rk.due, rk.compact)
}

// compact drops the stale entries of h once it reaches at entries and
// returns the length at which to do it again.
func (b *Builder) compact(h *dueHeap, at int) int {
	if len(*h) < at {
		return at
	}
	live := (*h)[:0]
	for _, e := range *h {
		if b.live(e) {
			live = append(live, e)
		}
	}
	clear((*h)[len(live):])
	*h = live
	heap.Init(h)
	return 2*len(live) + 64
}

// live reports whether e is a key's current due entry (not stale: the key
// is open and its anchor has not moved).
func (b *Builder) live(e dueEntry) bool {
	ks := b.keys[e.id]
	return ks != nil && ks.dueAt().Equal(e.at)
}

// makeRoom closes, at the MaxOpen cap, the rule's windows in the order
// they are due, one at a time, until one of its keys has none left; those
// whose end the watermark had not reached are counted as closed early.
func (b *Builder) makeRoom(rk *ruleKeys) {
	for rk.open >= b.opt.MaxOpen && len(rk.due) > 0 {
		e := heap.Pop(&rk.due).(dueEntry)
		if !b.live(e) {
			continue
		}
		ks := b.keys[e.id]
		if e.at.After(b.watermark) {
			b.stats.ClosedEarly++
			if b.stats.ClosedEarlyBy == nil {
				b.stats.ClosedEarlyBy = map[string]int{}
			}
			b.stats.ClosedEarlyBy[ruleLabel(e.id.spec.Rule)]++
		}
		// The key's first window: the one ending at its due time.
		b.early = b.closeKey(e.id, ks, e.at, false, b.early)
		if b.keys[e.id] == nil {
			continue // the key closed: the loop ends
		}
		if at := ks.dueAt(); at.After(e.at) {
			b.pushDue(dueEntry{at, e.id}, ks)
		} else {
			// Nothing closed (a per-match alert due at its own time):
			// close the key whole.
			b.early = b.closeKey(e.id, ks, time.Time{}, true, b.early)
		}
	}
}

// ruleLabel names a rule in Stats.ClosedEarlyBy: its title and id.
func ruleLabel(r RuleRef) string {
	if r.ID == "" {
		return r.Title
	}
	return r.Title + " (" + r.ID + ")"
}

// close builds the alerts of every window ending at or before wm (all
// windows when final), after those of windows closed at the MaxOpen cap.
func (b *Builder) close(wm time.Time, final bool) []Alert {
	out := b.early
	b.early = nil
	if final {
		for id, ks := range b.keys {
			out = b.closeKey(id, ks, wm, true, out)
		}
		b.due = b.due[:0]
		clear(b.rules)
	} else {
		// Only the keys whose next window is due: a heap of due times
		// (stale entries, left by a key whose anchor moved, are skipped).
		var later []dueEntry
		for len(b.due) > 0 && !b.due[0].at.After(wm) {
			e := heap.Pop(&b.due).(dueEntry)
			if !b.live(e) {
				continue
			}
			ks := b.keys[e.id]
			if ks.spec.perEvent() && !e.at.Before(wm) {
				// A per-match alert closes once its time is before the
				// watermark, not at it.
				later = append(later, e)
				continue
			}
			out = b.closeKey(e.id, ks, wm, false, out)
			if len(ks.pending) > 0 || ks.agg != nil {
				if at := ks.dueAt(); at.After(e.at) {
					b.pushDue(dueEntry{at, e.id}, ks)
				} else {
					later = append(later, dueEntry{at, e.id})
				}
			}
		}
		for _, e := range later {
			heap.Push(&b.due, e)
		}
	}
	b.stats.Alerts += len(out)
	SortAlerts(out)
	return out
}

// closeKey builds the alerts of the windows of one key that end at or
// before wm (all of them when final).
func (b *Builder) closeKey(id keyID, ks *keyState, wm time.Time, final bool, out []Alert) []Alert {
	if !ks.sorted {
		slices.SortFunc(ks.pending, compareMatches)
		ks.sorted = true
	}
	for len(ks.pending) > 0 || ks.agg != nil {
		if ks.agg != nil {
			// The open window has an aggregate: the rest of its matches
			// join it.
			end := ks.earliest.Add(ks.spec.Window)
			if !final && wm.Before(end) {
				break
			}
			n := before(ks.pending, end)
			w := ks.agg
			for _, m := range ks.pending[:n] {
				w.add(m)
			}
			ks.pending, ks.agg, ks.sealAt = ks.pending[n:], nil, 0
			if len(ks.pending) > 0 {
				ks.earliest = ks.pending[0].Time
			}
			if a, ok := b.finish(id.key, w, false); ok {
				out = append(out, a)
			}
			continue
		}
		first := ks.pending[0]
		if !final && !first.Time.Before(wm) {
			break
		}
		n := 1
		if !ks.spec.perEvent() {
			end := first.Time.Add(ks.spec.Window)
			if !final && wm.Before(end) {
				break
			}
			n = before(ks.pending, end)
		}
		win := ks.pending[:n:n]
		ks.pending = ks.pending[n:]
		ks.sealAt = 0
		if len(ks.pending) > 0 {
			ks.earliest = ks.pending[0].Time
		}
		if a, ok := b.build(ks.spec, id.key, win); ok {
			out = append(out, a)
		}
	}
	if len(ks.pending) == 0 && ks.agg == nil {
		delete(b.keys, id)
		if ks.rule != nil {
			ks.rule.open--
		}
	}
	return out
}

// before returns the number of the sorted matches ms that are before t.
func before(ms []*Match, t time.Time) int {
	n := 0
	for n < len(ms) && ms[n].Time.Before(t) {
		n++
	}
	return n
}

// dueAt is when the key's next window can close: its anchor's time for a
// per-match alert, the anchor plus the window otherwise.
func (ks *keyState) dueAt() time.Time {
	if ks.spec.perEvent() {
		return ks.earliest
	}
	return ks.earliest.Add(ks.spec.Window)
}

// dueEntry is a key's due time in the Builder's heap.
type dueEntry struct {
	at time.Time
	id keyID
}

type dueHeap []dueEntry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueEntry)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// SortAlerts puts alerts in the order Advance and Finish return them:
// first_seen, rule id, alert id, then the origins of their evidence (alerts
// equal in all else — the same records read from two files with
// --no-dedup — would otherwise come in the order the windows closed, which
// the workers' timing sets).
func SortAlerts(out []Alert) {
	slices.SortFunc(out, func(x, y Alert) int {
		if c := x.FirstSeen.Compare(y.FirstSeen); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Rule.ID, y.Rule.ID); c != 0 {
			return c
		}
		if c := cmp.Compare(x.ID, y.ID); c != 0 {
			return c
		}
		return slices.CompareFunc(x.Evidence, y.Evidence, func(a, b Evidence) int { return cmp.Compare(a.Origin, b.Origin) })
	})
}

func (b *Builder) evalError(err error) {
	b.stats.EvalErrors++
	if len(b.errs) < 100 {
		b.errs = append(b.errs, err)
	}
}
