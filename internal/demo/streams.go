package demo

import (
	"container/heap"
	"time"
)

// slot is the granularity of background rates: every rate is constant
// within a 30-minute slot (so half-hour time-zone offsets work).
const slot = 30 * time.Minute

// volume classes of background streams: which scale factor applies.
type volume uint8

const (
	volFixed  volume = iota // per-identity rates that rules threshold on
	volBulk                 // mailbox, file, Kubernetes and S3 traffic
	volSignIn               // non-interactive, service principal and managed identity sign-ins
)

// stream is one source of background events: a Poisson process whose rate
// (events per hour) is piecewise constant per slot. Events are drawn by
// exponential inter-arrival times, so all streams merge into one time-
// ordered sequence through a heap with constant memory.
type stream struct {
	name string
	next time.Time
	vol  volume
	rate func(t time.Time) float64
	fire func(g *generator, t time.Time)
	idx  int
}

func (s *stream) mult(g *generator) float64 {
	switch s.vol {
	case volBulk:
		return g.scale
	case volSignIn:
		return g.sigScale
	}
	return 1
}

// after returns the first event time after cur, or g.end.
func (s *stream) after(g *generator, cur time.Time) time.Time {
	m := s.mult(g)
	for cur.Before(g.end) {
		slotEnd := cur.Truncate(slot).Add(slot)
		if r := s.rate(cur) * m; r > 0 {
			n := cur.Add(time.Duration(g.bg.exp() / r * float64(time.Hour))).Truncate(100 * time.Nanosecond)
			if n.Before(slotEnd) {
				return n
			}
		}
		cur = slotEnd
	}
	return g.end
}

func (s *stream) advance(g *generator) { s.next = s.after(g, s.next) }

// expected returns the expected number of events over the window at
// multiplier 1.
func (s *stream) expected(start, end time.Time) float64 {
	n := 0.0
	for t := start; t.Before(end); t = t.Add(slot) {
		n += s.rate(t) * slot.Hours()
	}
	return n
}

type streamHeap []*stream

func (h streamHeap) Len() int { return len(h) }
func (h streamHeap) Less(i, j int) bool {
	if !h[i].next.Equal(h[j].next) {
		return h[i].next.Before(h[j].next)
	}
	return h[i].idx < h[j].idx
}
func (h streamHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *streamHeap) Push(x any)   { *h = append(*h, x.(*stream)) }
func (h *streamHeap) Pop() any {
	old := *h
	n := len(old)
	x := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return x
}

// startStreams seeds every stream's first event and builds the heap.
func (g *generator) startStreams(ss []*stream) {
	for i, s := range ss {
		s.idx = i
		if s.next = s.after(g, g.start); s.next.Before(g.end) {
			g.streams = append(g.streams, s)
		}
	}
	heap.Init(&g.streams)
}

// Rate shapes by local time at a site.

// workRate is hi during business hours, evening in the evening (18-22),
// weekend during weekend days (9-20) and night otherwise.
func workRate(s *site, t time.Time, hi, evening, weekend, night float64) float64 {
	h, wd := s.local(t)
	if wd == time.Saturday || wd == time.Sunday {
		if h >= 9 && h < 20 {
			return weekend
		}
		return night
	}
	switch {
	case h >= 8 && h < 18:
		return hi
	case h >= 18 && h < 22:
		return evening
	case h >= 7 && h < 8:
		return evening
	}
	return night
}

// businessRate is r during business hours at s and zero otherwise.
func businessRate(s *site, t time.Time, r float64) float64 {
	if s.businessHours(t) {
		return r
	}
	return 0
}

// constRate is r at all times.
func constRate(r float64) func(time.Time) float64 { return func(time.Time) float64 { return r } }
