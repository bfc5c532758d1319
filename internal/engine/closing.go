package engine

import (
	"container/heap"
	"time"
)

// schedule arranges for b's window to close at t.
func (c *correlator) schedule(cs *corrState, b *bucket, t time.Time) {
	b.closeAt, b.scheduled = t, true
	heap.Push(&c.closes, closeEntry{at: t, corr: cs.idx, key: b.key})
}

// closeBefore closes every window whose end is before t (all of them with
// all), in order of end time, then correlation, then key.
func (c *correlator) closeBefore(t time.Time, all bool) {
	for c.closes.Len() > 0 {
		top := c.closes[0]
		if !all && !top.at.Before(t) {
			return
		}
		heap.Pop(&c.closes)
		cs := c.states[top.corr]
		b := cs.buckets[top.key]
		if b == nil || !b.scheduled || !b.closeAt.Equal(top.at) {
			continue // stale
		}
		c.close(cs, b, top.at)
	}
}

// close evaluates the complete window of b ending at at.
func (c *correlator) close(cs *corrState, b *bucket, at time.Time) {
	b.scheduled = false
	for {
		if v, subj, ok := b.agg.eval(cs.c, b.window()); ok {
			c.fire(cs, b, at, v, subj, b.window())
			b.reset()
			delete(cs.buckets, b.key)
			return
		}
		b.agg.remove(cs.c.Type, b.pop())
		if b.head == len(b.win) {
			delete(cs.buckets, b.key)
			return
		}
		next := b.win[b.head].t.Add(cs.c.Timespan)
		if next.After(at) {
			c.schedule(cs, b, next)
			return
		}
	}
}

// expire drops state no match at or after h can reach (Stream).
func (c *correlator) expire(h time.Time) {
	for _, cs := range c.states {
		cut := h.Add(-cs.c.Timespan)
		for key, b := range cs.buckets {
			switch cs.mode {
			case modeArrival:
				c.evict(cs, b, h)
				if b.head == len(b.win) {
					delete(cs.buckets, key)
				}
			case modeOrdered:
				live := false
				for _, ch := range b.chain {
					if ch != nil && !ch[0].t.Before(cut) {
						live = true
					}
				}
				if !live {
					delete(cs.buckets, key)
				}
			case modeNewValue:
				c.expireSeen(cs, b, h)
				if len(b.seen) == 0 {
					delete(cs.buckets, key)
				}
			}
		}
	}
}

// closeEntry is a pending window close.
type closeEntry struct {
	at   time.Time
	corr int
	key  string
}

// closeQueue orders closes by time, correlation and key.
type closeQueue []closeEntry

func (q closeQueue) Len() int { return len(q) }

func (q closeQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	if a.corr != b.corr {
		return a.corr < b.corr
	}
	return a.key < b.key
}

func (q closeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

func (q *closeQueue) Push(x any) { *q = append(*q, x.(closeEntry)) }

func (q *closeQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
