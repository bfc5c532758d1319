package demo

import (
	"container/heap"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// rec is one rendered record waiting to be written.
type rec struct {
	t     time.Time
	fam   *family
	data  []byte     // JSON object for JSON layouts
	row   []string   // cells for CSV layouts
	id    string     // the record's own ID (sign-in id, audit id, UAL Id, eventID…)
	story string     // story or trap ID; empty for background
	note  string     // what the record is, for the ground truth
	dup   bool       // a deliberate copy of a record already exported elsewhere
	kind  event.Kind // log kind when it differs from the family's (UAL sign-ins and directory audits)
	seq   uint64
}

// generator holds one run's state. It is single-threaded: records are
// produced in time order and written as they are produced.
type generator struct {
	opt        Options
	t          *tenant
	start, end time.Time
	out        *outputs
	fam        *families
	truth      *truth
	bg         rng // background stream
	w          jw  // scratch writer
	scale      float64
	sigScale   float64
	seq        uint64
	pending    recHeap
	streams    streamHeap
	ualOffAt   time.Time // unified audit logging disabled (S7f) at this time
	caPolicy   string
	records    int64
	meter      *measure // set while calibrating: records are measured, not written
}

func newGenerator(opt Options) *generator {
	start := opt.Start
	end := start.Add(time.Duration(opt.Days) * 24 * time.Hour)
	g := &generator{
		opt:      opt,
		start:    start,
		end:      end,
		bg:       newRNG(opt.Seed, 3),
		scale:    1,
		sigScale: 1,
		out:      &outputs{dir: opt.Dir},
	}
	tr := newRNG(opt.Seed, 1)
	g.t = newTenant(tr, opt.Users, start)
	g.caPolicy = tr.guid()
	g.fam = newFamilies(g.t, start, end)
	g.truth = newTruth()
	return g
}

// run generates everything.
func (g *generator) run() error {
	sr := newRNG(g.opt.Seed, 2)
	for _, r := range g.buildStories(sr) {
		g.defer1(r)
	}
	g.calibrate()
	g.buildStreams()
	for {
		var pt, st time.Time
		havePending, haveStream := g.pending.Len() > 0, g.streams.Len() > 0
		if havePending {
			pt = g.pending[0].t
		}
		if haveStream {
			st = g.streams[0].next
		}
		switch {
		case havePending && (!haveStream || !st.Before(pt)):
			r := heap.Pop(&g.pending).(*rec)
			if r.story == "" && !r.t.Before(g.end) {
				continue
			}
			g.put(r)
		case haveStream:
			s := g.streams[0]
			s.fire(g, s.next)
			if s.advance(g); s.next.Before(g.end) {
				heap.Fix(&g.streams, 0)
			} else {
				heap.Pop(&g.streams)
			}
		default:
			return g.finish()
		}
		if g.out.err != nil {
			return g.out.err
		}
	}
}

// put writes a record and notes it in the ground truth.
func (g *generator) put(r *rec) {
	if g.meter != nil {
		g.meter.add(r.fam, r.data, r.row)
		return
	}
	pos := g.out.write(r.fam, r.t, r.kindOf(), r.data, r.row)
	g.records++
	if r.story != "" {
		g.truth.add(r, pos)
	}
}

// emit writes a background record now (the caller fires in time order).
func (g *generator) emit(r rec) {
	g.seq++
	r.seq = g.seq
	g.put(&r)
}

// defer1 queues a record for its time: story records, and background
// records that follow another one (a retry after a failed sign-in).
func (g *generator) defer1(r rec) {
	if g.meter != nil {
		g.put(&r)
		return
	}
	r = r.own()
	g.seq++
	r.seq = g.seq
	heap.Push(&g.pending, &r)
}

// kindOf returns the record's log kind.
func (r *rec) kindOf() event.Kind {
	if r.kind != event.KindUnknown {
		return r.kind
	}
	return r.fam.kind
}

type recHeap []*rec

func (h recHeap) Len() int { return len(h) }
func (h recHeap) Less(i, j int) bool {
	if !h[i].t.Equal(h[j].t) {
		return h[i].t.Before(h[j].t)
	}
	return h[i].seq < h[j].seq
}
func (h recHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *recHeap) Push(x any)   { *h = append(*h, x.(*rec)) }
func (h *recHeap) Pop() any {
	old := *h
	n := len(old)
	x := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return x
}
