package engine

import (
	"sync"
	"time"
)

// Stream correlates matches incrementally, for the continuous service. Add
// buffers matches; Advance evaluates, in the engine's total order, every
// buffered match older than the watermark minus Options.Lateness, and
// closes the windows that end before that horizon. A match that arrives
// with a time before the horizon already evaluated is late: it is dropped
// from correlation and counted (Stats.Late); its own detection hit is still
// reported. Fed in order, a Stream produces exactly the hits of a Batch.
// Add and Advance are safe for concurrent use.
type Stream struct {
	e       *Engine
	mu      sync.Mutex
	pending []*Match
	late    []*Hit
	horizon time.Time
	started bool
	stats   Stats
	c       *correlator
}

// NewStream returns an empty stream.
func (e *Engine) NewStream() *Stream {
	s := &Stream{e: e}
	s.c = newCorrelator(e, &s.stats, true)
	return s
}

// Add buffers a match.
func (s *Stream) Add(m *Match) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started && m.Time.Before(s.horizon) {
		s.stats.Late++
		if m.Rule.Correlation == nil && m.Rule.Generate {
			s.stats.Matches++
			s.stats.Hits++
			s.late = append(s.late, &Hit{Rule: m.Rule, Time: m.Time, Event: m.Event, Why: m.Why, Data: m.Data})
		}
		return
	}
	s.pending = append(s.pending, m)
}

// Advance moves the stream to watermark: matches before watermark −
// Lateness are evaluated and the hits they raise returned (followed by the
// detection hits of late matches since the last call). The horizon never
// moves back.
func (s *Stream) Advance(watermark time.Time) []Hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := watermark.Add(-s.e.opts.Lateness)
	if s.started && !h.After(s.horizon) {
		return s.take()
	}
	sortMatches(s.pending)
	n := 0
	for n < len(s.pending) && s.pending[n].Time.Before(h) {
		s.c.consume(s.pending[n])
		n++
	}
	rest := copy(s.pending, s.pending[n:])
	clear(s.pending[rest:])
	s.pending = s.pending[:rest]
	s.c.closeBefore(h, false)
	s.c.expire(h)
	s.horizon, s.started = h, true
	return s.take()
}

// Flush evaluates every buffered match and closes every window, as at the
// end of input. The stream can go on afterwards.
func (s *Stream) Flush() []Hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	sortMatches(s.pending)
	for _, m := range s.pending {
		s.c.consume(m)
	}
	if n := len(s.pending); n > 0 {
		last := s.pending[n-1].Time
		if !s.started || last.After(s.horizon) {
			s.horizon, s.started = last, true
		}
	}
	clear(s.pending)
	s.pending = s.pending[:0]
	s.c.closeBefore(time.Time{}, true)
	return s.take()
}

// take returns and clears the hits produced so far.
func (s *Stream) take() []Hit {
	out := hitValues(s.c.out)
	for _, h := range s.late {
		out = append(out, *h)
	}
	s.c.out = s.c.out[:0]
	s.late = s.late[:0]
	return out
}

// Stats returns the stream's counters.
func (s *Stream) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats.clone()
	for _, cs := range s.c.states {
		st.Keys += len(cs.buckets)
	}
	return st
}
