package engine

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Batch correlates the matches of a whole scan. Add is safe for concurrent
// use by many workers; Finish orders every match and evaluates, so the
// result does not depend on the order matches were added in.
type Batch struct {
	e       *Engine
	mu      sync.Mutex
	matches []*Match
	stats   Stats
	done    bool
}

// NewBatch returns an empty batch.
func (e *Engine) NewBatch() *Batch { return &Batch{e: e} }

// Add records a match.
func (b *Batch) Add(m *Match) {
	b.mu.Lock()
	b.matches = append(b.matches, m)
	b.mu.Unlock()
}

// Finish evaluates every match added and returns the hits, in event-time
// order (detection hits and correlation firings interleaved as they occur).
// It may be called once.
func (b *Batch) Finish() []Hit {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return nil
	}
	b.done = true
	sortMatches(b.matches)
	c := newCorrelator(b.e, &b.stats, false)
	for _, m := range b.matches {
		c.consume(m)
	}
	c.closeBefore(time.Time{}, true)
	b.matches = nil
	return hitValues(c.out)
}

// Stats returns the batch's counters (complete after Finish).
func (b *Batch) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats.clone()
}

// sortMatches puts matches in the engine's total order: event time, event
// identity, rule, origin.
func sortMatches(ms []*Match) {
	slices.SortStableFunc(ms, compareMatches)
}

func compareMatches(a, b *Match) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ident, b.ident); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Rule.Index, b.Rule.Index); c != 0 {
		return c
	}
	return cmp.Compare(origin(a), origin(b))
}

func origin(m *Match) string {
	if m.Event == nil {
		return ""
	}
	return m.Event.Origin
}

func hitValues(hs []*Hit) []Hit {
	out := make([]Hit, len(hs))
	for i, h := range hs {
		out[i] = *h
	}
	return out
}
