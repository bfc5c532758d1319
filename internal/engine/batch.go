package engine

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/event"
)

// Batch correlates the matches of a whole scan. Add is safe for concurrent
// use by many workers; Finish orders every match and evaluates, so the
// result does not depend on the order matches were added in.
//
// With Options.Spill, matches are sorted and written to the spill in runs
// of Options.RunMatches, and Finish merges the runs: memory holds one run,
// the open windows and (with FinishFunc) no hit longer than the caller
// keeps it, however large the input.
type Batch struct {
	e       *Engine
	mu      sync.Mutex
	matches []*Match
	runs    []run
	writing sync.WaitGroup // runs being written
	runFile *event.Spill   // the runs, beside Options.Spill
	noSpill bool           // a spill write failed: keep everything in memory
	stats   Stats
	// premerged counts the rounds of pre-merging runs (Options.MaxFanIn);
	// premergeErr is why one failed (the merge then reads every run).
	premerged   int
	premergeErr error
	done        bool

	// Deferred later steps (deferred.go): by correlation index, the
	// hashes of the keys of its first steps by time slot (firstAll: too
	// many to track, every deferred match is kept); the workers that
	// defer; the deferred records, in later and in sections of runFile
	// (laterSecs); which deferred hits to keep (KeepHits); the survivors
	// by their event's time and identity, and how many are left. deferred
	// and rebuilt count the deferred matches and those rebuilt.
	firstKeys         []map[uint64]struct{}
	firstAll          []bool
	workers           []*Worker
	later             []byte
	laterSecs         [][2]int64
	keepHits          map[*compile.Rule]func(uint64) bool
	surv              map[int64]map[uint64][]survivor
	sift              *sifter        // first-seen inputs (firstseen.go)
	pairsMade         []atomic.Int64 // the workers' sifters' pairs, by correlation
	survivors         int
	deferred, rebuilt int
}

// NewBatch returns an empty batch.
func (e *Engine) NewBatch() *Batch { return &Batch{e: e} }

// Add records a match.
func (b *Batch) Add(m *Match) {
	b.mu.Lock()
	b.take(m)
	b.maybeSpill()
}

// AddAll records matches (one lock for many: workers buffer theirs). The
// slice is not retained.
func (b *Batch) AddAll(ms []*Match) {
	b.mu.Lock()
	for _, m := range ms {
		b.take(m)
	}
	b.maybeSpill()
}

// maybeSpill writes a run when the buffer is full, and unlocks b.mu.
func (b *Batch) maybeSpill() {
	sp := b.e.opts.Spill
	if sp == nil || b.noSpill || len(b.matches) < b.e.opts.RunMatches {
		b.mu.Unlock()
		return
	}
	// Sort and write the run outside the lock: the other workers go on
	// adding to a fresh buffer meanwhile.
	rf := b.openRunFile()
	if rf == nil {
		b.mu.Unlock()
		return
	}
	full := b.matches
	b.matches = make([]*Match, 0, b.e.opts.RunMatches)
	b.writing.Add(1)
	b.mu.Unlock()
	r, ok := b.e.spillRun(rf, full)
	b.mu.Lock()
	if ok {
		b.runs = append(b.runs, r)
	} else {
		b.noSpill = true
		b.matches = append(b.matches, full...)
	}
	b.mu.Unlock()
	b.writing.Done()
}

// openRunFile returns the run file, made beside Options.Spill on first
// use; nil (and b.noSpill set) when it cannot be made. b.mu is held.
func (b *Batch) openRunFile() *event.Spill {
	if b.runFile == nil && !b.noSpill {
		rf, err := event.NewSpillNamed(filepath.Dir(b.e.opts.Spill.Name()), "idsentry-runs-*.bin")
		if err != nil {
			b.noSpill = true
			return nil
		}
		b.runFile = rf
	}
	return b.runFile
}

// Finish evaluates every match added and returns the hits, in event-time
// order (detection hits and correlation firings interleaved as they occur).
// It may be called once. A spill that cannot be read back ends the
// evaluation early; FinishFunc reports that error.
func (b *Batch) Finish() []Hit {
	var out []Hit
	_ = b.FinishFunc(func(h Hit) { out = append(out, h) })
	return out
}

// expireEvery is how many matches Finish consumes between two sweeps of
// idle correlation state.
const expireEvery = 1 << 16

// FinishFunc is Finish calling fn with each hit as it is produced, in the
// order Finish returns them, so the hits need not all be held at once.
func (b *Batch) FinishFunc(fn func(Hit)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return nil
	}
	b.done = true
	b.mu.Unlock()
	b.writing.Wait() // Add has returned everywhere: no run is in flight
	b.mu.Lock()
	rb := &rebuilder{b: b}
	if err := b.resolveLater(rb); err != nil {
		b.release()
		return err
	}
	c := newCorrelator(b.e, &b.stats, false)
	b.sift.start(c)
	drain := func() {
		for i, h := range c.out {
			fn(*h)
			c.out[i] = nil
		}
		c.out = c.out[:0]
	}
	var last time.Time
	n := 0
	step := func(m *Match) {
		// Every match consumed so far is at or before last and every one
		// to come at or after m.Time: state idle before m.Time can go, as
		// a Stream's horizon lets it.
		if n >= expireEvery && m.Time.After(last) {
			c.closeBefore(m.Time, false)
			c.expire(m.Time)
			n = 0
		}
		c.consume(m)
		last = m.Time
		n++
		drain()
	}
	// The matches of an event with rebuilt deferred ones are held until
	// the event's last, then consumed in order with them.
	var group []*Match
	flush := func() {
		sortMatches(group)
		for i, g := range group {
			step(g)
			group[i] = nil
		}
		group = group[:0]
	}
	err := b.merged(func(m *Match) {
		if len(group) > 0 && !(m.Time.Equal(group[0].Time) && m.ident == group[0].ident) {
			flush()
		}
		var extra []*Match
		if b.survivors > 0 {
			extra = rb.host(m)
		}
		// A group starts at the first match of an event (time and
		// identity: several records may share them) with survivors, and
		// goes on to the event's last match.
		if len(group) == 0 && extra == nil && !rb.waiting(m) {
			step(m)
			return
		}
		group = append(group, m)
		group = append(group, extra...)
	})
	flush()
	if err == nil {
		err = rb.err()
	}
	if err == nil && b.survivors > 0 {
		err = fmt.Errorf("%d deferred matches: their events were not found in the merge", b.survivors)
	}
	c.closeBefore(time.Time{}, true)
	drain()
	if cerr := b.release(); err == nil {
		err = cerr
	}
	return err
}

// release drops what the batch holds and removes its run file. b.mu is
// held.
func (b *Batch) release() error {
	b.matches, b.runs = nil, nil
	b.firstKeys, b.firstAll, b.workers, b.later, b.laterSecs, b.surv = nil, nil, nil, nil, nil, nil
	b.sift = nil
	var err error
	if b.runFile != nil {
		err = b.runFile.Close()
		b.runFile = nil
	}
	return err
}

// Discard drops what the batch holds and removes its run file, for a scan
// that ends without Finish (an error, an interrupt). After Finish it does
// nothing.
func (b *Batch) Discard() {
	b.writing.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	for _, w := range b.workers {
		w.later, w.sift = nil, nil
	}
	_ = b.release()
}

// Stats returns the batch's counters (complete after Finish).
func (b *Batch) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats.clone()
}

// sortMatches puts matches in the engine's total order: event time, event
// identity, rule, origin (file and line, then index in the line).
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
	if c := cmp.Compare(origin(a), origin(b)); c != 0 {
		return c
	}
	// Records of one line of a JSON array share the origin string.
	oa, ob := where(a), where(b)
	if c := cmp.Compare(oa.Index, ob.Index); c != 0 {
		return c
	}
	return cmp.Compare(oa.Offset, ob.Offset)
}

func origin(m *Match) string {
	if m.Event == nil {
		return ""
	}
	return m.Event.Origin
}

func where(m *Match) event.Origin {
	if m.Event == nil {
		return event.Origin{}
	}
	return m.Event.Where()
}

func hitValues(hs []*Hit) []Hit {
	out := make([]Hit, len(hs))
	for i, h := range hs {
		out[i] = *h
	}
	return out
}
