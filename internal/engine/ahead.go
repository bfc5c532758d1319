package engine

import (
	"bufio"
	"io"
	"runtime"
	"sync"

	"github.com/idsentry/idsentry/internal/binenc"
	"github.com/idsentry/idsentry/internal/event"
)

// Decoding runs ahead. Decoding the records of the runs is most of a
// merge's work and, done by the merging goroutine alone, left Finish on one
// core (the correlation beside it takes a third as long). Runs are cut into
// segments that decode on their own (run.segs), so a pool of goroutines can
// decode the segments a cursor will need next while the merge takes the
// current one. A run's first segment, and every segment when the pool has
// no room, is decoded by the merge itself as it goes, one record at a
// time; a cursor asks for segments ahead only once it has taken a whole
// segment (its run is being merged, not waiting), and the matches decoded
// but not yet taken are bounded by aheadBudget, so the merge's memory does
// not grow with the number of runs. When input files are in time order
// (the usual export) the runs follow one another in time and the merge
// takes one run at a time: the pool then decodes that run's next segments
// on the other cores. BenchmarkMergeSpilled (sign-ins in time order, runs
// of 16,384), five alternating rounds of three iterations on 2 cores:
// 1.28 → 0.97 s per merge (−24 %, p=0.008); one core decodes in turn as
// before.

// aheadRuns reports whether merges decode ahead (more than one core); a
// variable for the tests.
var aheadRuns = func() bool { return runtime.GOMAXPROCS(0) > 1 }

const (
	// aheadBudget is the most matches decoded ahead and not yet taken,
	// all cursors together, in segments (24 × 512 matches).
	aheadBudget = 24
	// aheadSegments is how many segments past its current a cursor asks
	// for.
	aheadSegments = 6
)

// ahead is the pool of a merge's decoding goroutines and its budget.
type ahead struct {
	jobs chan *segFuture
	wg   sync.WaitGroup
	mu   sync.Mutex
	room int // matches that may still be decoded ahead
}

// segFuture is one segment being decoded by the pool.
type segFuture struct {
	r     run
	sec   func(off, n int64) (io.Reader, error)
	i     int
	count int
	done  chan struct{}
	ms    []*Match
	err   error
}

// startAhead starts workers decoding goroutines over sp's events.
func (e *Engine) startAhead(sp *event.Spill, workers int) *ahead {
	a := &ahead{jobs: make(chan *segFuture, aheadBudget), room: aheadBudget * segRecords}
	for range workers {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			rd := e.newRunDecoder(sp)
			c := &cursor{}
			for f := range a.jobs {
				f.ms, f.err = c.decodeSegment(rd, f)
				close(f.done)
			}
		}()
	}
	return a
}

// stop ends the pool once its queued segments are decoded.
func (a *ahead) stop() {
	close(a.jobs)
	a.wg.Wait()
}

// reserve takes room for n matches, reporting whether there was.
func (a *ahead) reserve(n int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.room < n {
		return false
	}
	a.room -= n
	return true
}

func (a *ahead) release(n int) {
	a.mu.Lock()
	a.room += n
	a.mu.Unlock()
}

// decodeSegment decodes segment f.i of run f.r with c's scratch.
func (c *cursor) decodeSegment(rd *runDecoder, f *segFuture) ([]*Match, error) {
	off, n, count := f.r.segment(f.i)
	sec, err := f.sec(f.r.off+off, n)
	if err != nil {
		return nil, err
	}
	if c.r == nil {
		c.r = bufio.NewReaderSize(sec, minMergeBuffer)
	} else {
		c.r.Reset(sec)
	}
	c.dict, c.prev = binenc.NewDictReader(rd.in), nil
	ms := make([]*Match, 0, count)
	for range count {
		m, err := c.decode(rd)
		if err != nil {
			return ms, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// enter starts c's segment c.seg: the pool's decoding of it when asked
// for, else a reader over it; past the first segment, it asks the pool for
// the segments after it.
func (c *cursor) enter(rd *runDecoder, bufSize int) error {
	if f := c.fut[c.seg]; f != nil {
		c.fut[c.seg] = nil
		<-f.done
		if f.err != nil {
			c.ah.release(f.count)
			return f.err
		}
		c.dec, c.at, c.held = f.ms, 0, f.count
	} else {
		off, n, count := c.run.segment(c.seg)
		sec, err := c.sec(c.run.off+off, n)
		if err != nil {
			return err
		}
		if c.r == nil {
			c.r = bufio.NewReaderSize(sec, bufSize)
		} else {
			c.r.Reset(sec)
		}
		c.dict, c.prev, c.left = binenc.NewDictReader(rd.in), nil, count
	}
	if c.seg == 0 {
		return nil
	}
	for j := c.seg + 1; j <= c.seg+aheadSegments && j < len(c.fut); j++ {
		if c.fut[j] != nil {
			continue
		}
		_, _, count := c.run.segment(j)
		if !c.ah.reserve(count) {
			break
		}
		f := &segFuture{r: c.run, sec: c.sec, i: j, count: count, done: make(chan struct{})}
		c.fut[j] = f
		c.ah.jobs <- f
	}
	return nil
}

// nextAhead is next for a cursor decoding ahead.
func (c *cursor) nextAhead(rd *runDecoder) error {
	for {
		switch {
		case c.at < len(c.dec):
			c.cur, c.dec[c.at] = c.dec[c.at], nil
			c.at++
			return nil
		case c.dec != nil:
			c.ah.release(c.held)
			c.dec, c.at, c.held = nil, 0, 0
		case c.left > 0:
			m, err := c.decode(rd)
			if err != nil {
				return err
			}
			c.left--
			c.cur = m
			return nil
		}
		// The segment is done.
		c.seg++
		if c.seg >= len(c.fut) {
			c.cur = nil
			return nil
		}
		size := minMergeBuffer
		if c.r != nil {
			size = c.r.Size()
		}
		if err := c.enter(rd, size); err != nil {
			return err
		}
	}
}
