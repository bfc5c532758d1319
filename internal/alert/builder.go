package alert

import (
	"container/heap"
	"errors"
	"slices"
	"strings"
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
	// FoldRepeats lets a grouping window hold one entry for matches with
	// the same fields and explanation that arrive in time order (see
	// keyState.fold): the alerts are the same, the evidence is drawn from
	// the first match of each repeat. For a caller adding matches in time
	// order (a scan's hits stream so), memory per window then grows with
	// distinct content, not with the matches.
	FoldRepeats bool
}

// Stats counts what a Builder did with its matches.
type Stats struct {
	Matches     int // matches added
	Allowlisted int // matches dropped by an allowlist
	Late        int // matches older than the watermark when added
	Alerts      int // alerts raised
	NotHaving   int // groups whose having expression was false
	BelowCutoff int // alerts hidden by min-ip-priority
	EvalErrors  int // having/tier evaluations that failed (taken as false)
	Folded      int // matches folded into an identical one of their window
}

// Builder groups matches into alerts (docs/rule-attribute.md). In a scan,
// Add every match and call Finish once: the result does not depend on the
// order of Add calls. In serve, call Advance with the watermark (every
// match older than it has been added) to close the windows that ended
// before it; Advance(t) for increasing t followed by Finish yields the same
// alerts as Finish alone, as long as no match arrives older than the
// watermark. A Builder is safe for concurrent use.
type Builder struct {
	mu        sync.Mutex
	opt       Options
	keys      map[keyID]*keyState
	due       dueHeap // when each key's next window can close
	watermark time.Time
	stats     Stats
	errs      []error
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
	// earliest is the earliest Time among pending: the anchor of the next
	// window. same indexes the pending matches of that window by content
	// (contentKey) for folding repeats.
	earliest time.Time
	same     map[string]*Match
}

// fold merges m into an earlier pending match of the same window with the
// same fields and explanation, when there is one: a grouped alert counts
// repeats and reads distinct values, so one entry standing for n identical
// matches (Count n, First its first time) gives the same alert while the
// window holds one entry instead of n (a session's every sign-in, say).
// The window's anchor (its earliest match) is never merged into, and only
// matches arriving in time order fold. It returns the content key of a
// match that did not fold but may be folded into later ("" for none).
func (ks *keyState) fold(m *Match, maxEvidence int) (folded bool, key string) {
	if ks.spec.perEvent() || len(m.Parts) > 0 || m.Event == nil || len(ks.pending) == 0 {
		return false, ""
	}
	if !m.Time.After(ks.earliest) || !m.Time.Before(ks.earliest.Add(ks.spec.Window)) {
		return false, ""
	}
	key = contentKey(m)
	c := ks.same[key]
	if c == nil || m.Time.Before(c.Time) {
		return false, key
	}
	if c.First.IsZero() {
		c.First = c.Time
	}
	c.Count = c.weight() + m.weight()
	c.Time = m.Time
	if len(c.repeats) < maxEvidence {
		c.repeats = append(c.repeats, repeat{m.Event, m.Time})
	}
	return true, ""
}

// contentKey renders the fields and explanation of a match.
func contentKey(m *Match) string {
	var b strings.Builder
	for _, k := range sortedKeys(m.Fields) {
		b.WriteString(k)
		b.WriteByte('=')
		for _, v := range m.Fields[k] {
			b.WriteString(v)
			b.WriteByte('\x1e')
		}
		b.WriteByte('\x1f')
	}
	for _, w := range m.Why {
		b.WriteString(w.Field)
		b.WriteByte('=')
		b.WriteString(w.Value)
		b.WriteByte('\x1f')
	}
	return b.String()
}

// NewBuilder returns a Builder.
func NewBuilder(opt Options) *Builder {
	if opt.MaxEvidence <= 0 {
		opt.MaxEvidence = DefaultMaxEvidence
	}
	return &Builder{opt: opt, keys: map[keyID]*keyState{}}
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
		ks = &keyState{spec: m.Spec}
		b.keys[id] = ks
	}
	var folded bool
	var key string
	if b.opt.FoldRepeats {
		folded, key = ks.fold(&m, b.maxEvidence(ks.spec))
	}
	if folded {
		b.stats.Folded++
		return nil
	}
	if len(ks.pending) == 0 || m.Time.Before(ks.earliest) {
		ks.earliest = m.Time
		ks.same = nil // a new anchor: no fold target is known in its window
		heap.Push(&b.due, dueEntry{ks.dueAt(), id})
	}
	ks.pending = append(ks.pending, &m)
	ks.sorted = false
	if key != "" {
		if ks.same == nil {
			ks.same = map[string]*Match{}
		}
		if ks.same[key] == nil {
			ks.same[key] = &m
		}
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
	return b.stats
}

// Errors returns the expression evaluation errors met so far (at most 100;
// Stats().EvalErrors counts them all).
func (b *Builder) Errors() []error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]error(nil), b.errs...)
}

// close builds the alerts of every window ending at or before wm (all
// windows when final).
func (b *Builder) close(wm time.Time, final bool) []Alert {
	var out []Alert
	if final {
		for id, ks := range b.keys {
			out = b.closeKey(id, ks, wm, true, out)
		}
		b.due = b.due[:0]
	} else {
		// Only the keys whose next window is due: a heap of due times
		// (stale entries, left by a key whose anchor moved, are skipped).
		var later []dueEntry
		for len(b.due) > 0 && !b.due[0].at.After(wm) {
			e := heap.Pop(&b.due).(dueEntry)
			ks := b.keys[e.id]
			if ks == nil || !ks.dueAt().Equal(e.at) {
				continue
			}
			if ks.spec.perEvent() && !e.at.Before(wm) {
				// A per-match alert closes once its time is before the
				// watermark, not at it.
				later = append(later, e)
				continue
			}
			out = b.closeKey(e.id, ks, wm, false, out)
			if len(ks.pending) > 0 {
				if at := ks.dueAt(); at.After(e.at) {
					heap.Push(&b.due, dueEntry{at, e.id})
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
	for len(ks.pending) > 0 {
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
			for n < len(ks.pending) && ks.pending[n].Time.Before(end) {
				n++
			}
		}
		win := ks.pending[:n:n]
		ks.pending = ks.pending[n:]
		ks.same = nil
		if len(ks.pending) > 0 {
			ks.earliest = ks.pending[0].Time
		}
		if a, ok := b.build(ks.spec, id.key, win); ok {
			out = append(out, a)
		}
	}
	if len(ks.pending) == 0 {
		delete(b.keys, id)
	}
	return out
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
// first_seen, rule id, alert id.
func SortAlerts(out []Alert) {
	slices.SortFunc(out, func(x, y Alert) int {
		if c := x.FirstSeen.Compare(y.FirstSeen); c != 0 {
			return c
		}
		if x.Rule.ID != y.Rule.ID {
			if x.Rule.ID < y.Rule.ID {
				return -1
			}
			return 1
		}
		switch {
		case x.ID < y.ID:
			return -1
		case x.ID > y.ID:
			return 1
		}
		return 0
	})
}

func (b *Builder) evalError(err error) {
	b.stats.EvalErrors++
	if len(b.errs) < 100 {
		b.errs = append(b.errs, err)
	}
}
