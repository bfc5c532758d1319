package engine

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"

	"github.com/idsentry/idsentry/internal/binenc"
	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/event"
)

// A Batch with a spill file sorts its matches in runs of
// Options.RunMatches and writes each run to the spill; Finish merges the
// runs (and the unsorted rest, sorted) into the engine's total order. Each
// record of a run is its length and the match's encoding.

// run is one sorted run in the spill file. Its records are cut into
// segments of segRecords, each decodable on its own (the writer starts its
// dictionary and previous match afresh at each): segs holds the byte
// offsets, in the run, of the segments after the first.
type run struct {
	off, n int64
	count  int
	segs   []int64
}

// segRecords is the number of records of a run segment: the unit a merge
// decodes ahead on other cores (Batch.merged). Each segment restarts the
// run's dictionary, so a smaller one writes more string definitions. A
// variable for the tests (writers and readers must agree).
var segRecords = 512

// segment returns the byte offset and length, in r, and the record count
// of segment i.
func (r run) segment(i int) (off, n int64, count int) {
	if i > 0 {
		off = r.segs[i-1]
	}
	end := r.n
	if i < len(r.segs) {
		end = r.segs[i]
	}
	return off, end - off, min(segRecords, r.count-i*segRecords)
}

// How a run record holds its match's event.
const (
	eventNone     = 0 // none
	eventHere     = 1 // encoded here
	eventPrevious = 2 // the previous record's of the run (the matches of one event sort together)
)

// appendMatch encodes m (its Rule by index in the set); prev is the match
// before it in the run, if any; dict is the run's string dictionary (the
// values of Why, Data and the feeds go through it); scratch is a buffer
// the caller reuses.
func appendMatch(dst []byte, m, prev *Match, dict *binenc.DictWriter, scratch *[]byte) []byte {
	dst = binenc.AppendUvarint(dst, uint64(m.Rule.Index))
	dst = binenc.AppendTime(dst, m.Time)
	// The identity: 0 for the previous record's (the matches of one
	// event sort together), else its length + 1 and its bytes.
	if prev != nil && prev.ident == m.ident {
		dst = binenc.AppendUvarint(dst, 0)
	} else {
		dst = binenc.AppendUvarint(dst, uint64(len(m.ident))+1)
		dst = append(dst, m.ident...)
	}
	switch {
	case m.Event == nil:
		dst = binenc.AppendUvarint(dst, eventNone)
	case prev != nil && prev.Event == m.Event:
		dst = binenc.AppendUvarint(dst, eventPrevious)
	default:
		dst = binenc.AppendUvarint(dst, eventHere)
		// Length-prefixed: the decoder shares one Stored among the
		// matches of an event without decoding it again.
		*scratch = m.Event.AppendBinary((*scratch)[:0])
		dst = binenc.AppendBytes(dst, *scratch)
	}
	dst = binenc.AppendUvarint(dst, uint64(len(m.Why)))
	for _, w := range m.Why {
		dst = dict.Append(dst, w.Field)
		dst = dict.Append(dst, w.Value)
	}
	dst = binenc.AppendUvarint(dst, uint64(len(m.Data)))
	// In map order: the decoder fills a map, and the dictionary's two
	// sides agree whatever the order.
	for k, vs := range m.Data {
		dst = dict.Append(dst, k)
		dst = dict.AppendList(dst, vs)
	}
	dst = binenc.AppendUvarint(dst, uint64(len(m.feeds)))
	for i := range m.feeds {
		f := &m.feeds[i]
		dst = binenc.AppendUvarint(dst, uint64(f.corr))
		// The key is not written: it is the group values folded.
		dst = dict.AppendList(dst, f.group)
		dst = dict.AppendList(dst, f.values)
		dst = binenc.AppendFloat(dst, f.num)
		dst = binenc.AppendBool(dst, f.numOK)
		dst = binenc.AppendUvarint(dst, uint64(f.pos))
		dst = binenc.AppendBool(dst, f.ok)
	}
	return dst
}

// groupKey is the correlation key of group values, as Worker.feed makes
// it (from the values it found, also when one is missing): the values
// lower-cased, joined with 0x1f.
func groupKey(group []string) string {
	if len(group) == 1 {
		return strings.ToLower(group[0])
	}
	var b strings.Builder
	for i, g := range group {
		if i > 0 {
			b.WriteByte(0x1f)
		}
		b.WriteString(strings.ToLower(g))
	}
	return b.String()
}

// runDecoder decodes the records of runs, sharing what repeats between
// them: the strings of events through an Interner, the event of
// consecutive matches of one event, and (per run, through the run's
// dictionary) the strings of the matches. Not safe for concurrent use.
type runDecoder struct {
	e     *Engine
	sp    *event.Spill
	in    *binenc.Interner
	ident string        // the last match's record identity
	evBin []byte        // the last event's encoding
	ev    *event.Stored // and the event
	// Scratch of decodeMatch: a match's lists and the keys of its Data.
	lists binenc.Lists
	keys  []string
}

func (e *Engine) newRunDecoder(sp *event.Spill) *runDecoder {
	return &runDecoder{e: e, sp: sp, in: binenc.NewInterner()}
}

// decodeMatch reads what appendMatch wrote; prev is the match decoded
// before it from the same run, dict the run's dictionary (which has read
// every record of the run before this one).
func (rd *runDecoder) decodeMatch(b []byte, prev *Match, dict *binenc.DictReader) (*Match, error) {
	e := rd.e
	d := binenc.NewDecoder(b)
	idx := d.Int()
	if d.Err() != nil || idx >= len(e.set.Rules) {
		return nil, fmt.Errorf("match run: bad rule index %d", idx)
	}
	m := &Match{Rule: e.set.Rules[idx]}
	m.Time = d.Time()
	switch n := d.Int(); {
	case d.Err() != nil:
	case n == 0:
		if prev == nil {
			return nil, fmt.Errorf("match run: a record refers to a previous identity that is not there")
		}
		m.ident = prev.ident
	default:
		if id := d.Raw(n - 1); string(id) == rd.ident {
			m.ident = rd.ident
		} else {
			m.ident = string(id)
			rd.ident = m.ident
		}
	}
	switch d.Uvarint() {
	case eventNone:
	case eventPrevious:
		if prev == nil || prev.Event == nil {
			return nil, fmt.Errorf("match run: a record refers to a previous event that is not there")
		}
		m.Event = prev.Event
	case eventHere:
		bin := d.View()
		if rd.ev == nil || !bytes.Equal(bin, rd.evBin) {
			sd := binenc.NewDecoderInterning(bin, rd.in)
			rd.ev = event.DecodeStored(sd, rd.sp)
			if err := sd.Err(); err != nil || sd.Len() != 0 {
				rd.ev = nil
				return nil, fmt.Errorf("match run: bad event (%v)", err)
			}
			rd.evBin = append(rd.evBin[:0], bin...)
		}
		m.Event = rd.ev
	default:
		return nil, fmt.Errorf("match run: bad event flag")
	}
	if n := d.Int(); n > 0 && n <= d.Len() {
		m.Why = make([]compile.FieldValue, n)
		for i := range m.Why {
			m.Why[i] = compile.FieldValue{Field: d.Ref(dict), Value: d.Ref(dict)}
		}
	}
	// The string lists of the match (its Data and its feeds' groups and
	// values) share one array (binenc.Lists).
	ls := &rd.lists
	ls.Reset()
	list := func() { ls.Next(func(dst []string) []string { return d.AppendRefList(dst, dict) }) }
	nData := 0
	if n := d.Int(); n > 0 && n <= d.Len() {
		nData = n
		rd.keys = rd.keys[:0]
		for range n {
			rd.keys = append(rd.keys, d.Ref(dict))
			list()
		}
	}
	if n := d.Int(); n > 0 && n <= d.Len() {
		m.feeds = make([]feed, n)
		for i := range m.feeds {
			f := &m.feeds[i]
			f.corr = d.Int()
			list()
			list()
			f.num = d.Float()
			f.numOK = d.Bool()
			f.pos = d.Int()
			f.ok = d.Bool()
			if f.corr >= len(e.corrs) {
				return nil, fmt.Errorf("match run: bad correlation index %d", f.corr)
			}
		}
	}
	if d.Err() == nil {
		ls.Pack()
		if nData > 0 {
			m.Data = make(map[string][]string, nData)
			for i, k := range rd.keys {
				m.Data[k] = ls.List(i)
			}
			clear(rd.keys)
		}
		for i := range m.feeds {
			f := &m.feeds[i]
			f.group = ls.List(nData + 2*i)
			f.values = ls.List(nData + 2*i + 1)
			f.key = groupKey(f.group)
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("match run: %w", err)
	}
	if d.Len() != 0 {
		return nil, fmt.Errorf("match run: %d bytes after a record", d.Len())
	}
	return m, nil
}

// spillRun sorts ms and writes them as one run to rf, streaming (runs
// have a file of their own, so the workers storing evidence never wait for
// one); ok is false when it cannot be written (the caller keeps the
// matches in memory).
func (e *Engine) spillRun(rf *event.Spill, ms []*Match) (r run, ok bool) {
	sortMatches(ms)
	var rw *runWriter
	off, n, err := rf.AppendFunc(func(w io.Writer) error {
		rw = newRunWriter(w)
		for _, m := range ms {
			if err := rw.write(m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return run{}, false
	}
	return run{off: off, n: n, count: len(ms), segs: rw.segs}, true
}

// runWriter writes the records of one run: each its length and the
// match's encoding, the strings through the run's dictionary.
type runWriter struct {
	w                    io.Writer
	dict                 *binenc.DictWriter
	prev                 *Match
	rec, lenBuf, scratch []byte
	count                int
	n                    int64   // bytes written
	segs                 []int64 // run.segs
}

func newRunWriter(w io.Writer) *runWriter {
	return &runWriter{w: w, dict: binenc.NewDictWriter()}
}

// write appends m, the run's next match in order.
func (rw *runWriter) write(m *Match) error {
	if rw.count > 0 && rw.count%segRecords == 0 {
		// A new segment: decodable without the records before it.
		rw.dict, rw.prev = binenc.NewDictWriter(), nil
		rw.segs = append(rw.segs, rw.n)
	}
	rw.rec = appendMatch(rw.rec[:0], m, rw.prev, rw.dict, &rw.scratch)
	rw.prev = m
	rw.lenBuf = binary.AppendUvarint(rw.lenBuf[:0], uint64(len(rw.rec)))
	if _, err := rw.w.Write(rw.lenBuf); err != nil {
		return err
	}
	if _, err := rw.w.Write(rw.rec); err != nil {
		return err
	}
	rw.n += int64(len(rw.lenBuf) + len(rw.rec))
	rw.count++
	return nil
}

// cursor reads one sorted source: a run, or the in-memory rest.
type cursor struct {
	src  int // runs first, in order, then memory: the tie-break
	cur  *Match
	r    *bufio.Reader
	left int // records of the run (sequential) or segment (ahead) left
	mem  []*Match
	rec  []byte
	dict *binenc.DictReader // the segment's strings
	prev *Match             // the segment's previous match
	read int                // records read (sequential)
	// Decoding ahead (ahead.go): the run, its sections, the segment being
	// read, the segments decoded or being decoded by the pool, and the
	// matches of a decoded one being taken.
	ah   *ahead
	run  run
	sec  func(off, n int64) (io.Reader, error)
	seg  int
	fut  []*segFuture
	dec  []*Match
	at   int
	held int // matches of dec counted against the budget
}

func (c *cursor) next(rd *runDecoder) error {
	if c.r == nil {
		if len(c.mem) == 0 {
			c.cur = nil
			return nil
		}
		// Drop the slot: a consumed match lives only as long as the
		// correlation windows hold it.
		c.cur, c.mem[0], c.mem = c.mem[0], nil, c.mem[1:]
		return nil
	}
	if c.ah != nil {
		return c.nextAhead(rd)
	}
	if c.left == 0 {
		c.cur = nil
		return nil
	}
	if c.read > 0 && c.read%segRecords == 0 {
		c.dict, c.prev = binenc.NewDictReader(rd.in), nil
	}
	m, err := c.decode(rd)
	if err != nil {
		return err
	}
	c.read++
	c.left--
	c.cur = m
	return nil
}

// decode reads and decodes the next record of c.r.
func (c *cursor) decode(rd *runDecoder) (*Match, error) {
	n, err := binary.ReadUvarint(c.r)
	if err != nil || n > 1<<30 {
		return nil, fmt.Errorf("match run: reading a record length: %v", err)
	}
	c.rec = slices.Grow(c.rec[:0], int(n))[:n]
	if _, err := io.ReadFull(c.r, c.rec); err != nil {
		return nil, fmt.Errorf("match run: %w", err)
	}
	m, err := rd.decodeMatch(c.rec, c.prev, c.dict)
	if err != nil {
		return nil, err
	}
	c.prev = m
	return m, nil
}

// mergeHeap orders cursors by their current match.
type mergeHeap []*cursor

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if c := compareMatches(h[i].cur, h[j].cur); c != 0 {
		return c < 0
	}
	return h[i].src < h[j].src
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// advance moves the cursor of the least match on to its next, keeping the
// heap in order (a finished cursor leaves it).
func (h *mergeHeap) advance(rd *runDecoder) error {
	c := (*h)[0]
	if err := c.next(rd); err != nil {
		return err
	}
	if c.cur == nil {
		heap.Pop(h)
	} else {
		heap.Fix(h, 0)
	}
	return nil
}
func (h *mergeHeap) Push(x any) { *h = append(*h, x.(*cursor)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeBuffers is the memory the read buffers of a merge share;
// minMergeBuffer the least one run gets (a merge reads at most
// Options.MaxFanIn runs at once, 1024 by default: 4 MiB in all). Small
// on purpose: in stop 12 the
// buffers and dictionaries of 2,150 runs (the 1 GB bench set in runs of
// 512 matches) cost 176 MiB of peak RSS with a 16 KiB floor, 130–135 MiB
// with 4 KiB, at the same speed.
const (
	mergeBuffers   = 4 << 20
	minMergeBuffer = 4 << 10
)

// openRuns returns a merge heap over runs, each cursor on its first match.
// The read buffers share a fixed budget, so that the memory of the merge
// does not grow with the number of runs. Each run's dictionary adds up to
// dictMax strings of at most 128 bytes (binenc), shared with the other
// runs' through the Interner while it holds them: bounded per run, and
// the number of runs is bounded by Options.MaxFanIn. With a, the cursors
// take their segments from a's pool when they can (ahead.go).
func openRuns(rd *runDecoder, rf *event.Spill, runs []run, a *ahead) (mergeHeap, error) {
	var h mergeHeap
	bufSize := max(mergeBuffers/max(len(runs), 1), minMergeBuffer)
	for i, r := range runs {
		c := &cursor{src: i}
		if a != nil {
			c.ah, c.run, c.sec, c.fut = a, r, rf.Section, make([]*segFuture, len(r.segs)+1)
			if err := c.enter(rd, bufSize); err != nil {
				return nil, err
			}
		} else {
			sec, err := rf.Section(r.off, r.n)
			if err != nil {
				return nil, err
			}
			c.r, c.left, c.dict = bufio.NewReaderSize(sec, bufSize), r.count, binenc.NewDictReader(rd.in)
		}
		if err := c.next(rd); err != nil {
			return nil, err
		}
		if c.cur != nil {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	return h, nil
}

// premerge merges each group of Options.MaxFanIn consecutive runs into one
// run, appended to rf, and returns the new runs. Groups of consecutive
// runs keep the merge's tie-break (runs in order): merging the new runs
// gives the order merging the old ones would. The old runs' bytes stay in
// rf until the batch ends (the file only grows): the temporary disk
// doubles while the input has more than MaxFanIn runs.
func (e *Engine) premerge(rd *runDecoder, rf *event.Spill, runs []run) ([]run, error) {
	var out []run
	for len(runs) > 0 {
		group := runs[:min(e.opts.MaxFanIn, len(runs))]
		runs = runs[len(group):]
		if len(group) == 1 {
			out = append(out, group[0])
			continue
		}
		h, err := openRuns(rd, rf, group, nil)
		if err != nil {
			return nil, err
		}
		var rw *runWriter
		var readErr error
		off, n, err := rf.AppendFunc(func(w io.Writer) error {
			rw = newRunWriter(w)
			for len(h) > 0 {
				if err := rw.write(h[0].cur); err != nil {
					return err
				}
				if readErr = h.advance(rd); readErr != nil {
					return nil
				}
			}
			return nil
		})
		if readErr != nil {
			return nil, readErr
		}
		if err != nil {
			return nil, err
		}
		out = append(out, run{off: off, n: n, count: rw.count, segs: rw.segs})
	}
	return out, nil
}

// merged calls fn with every match of the runs and of mem (sorted) in the
// engine's total order.
func (b *Batch) merged(fn func(*Match)) error {
	if len(b.runs) == 0 {
		sortMatches(b.matches)
		for i, m := range b.matches {
			fn(m)
			b.matches[i] = nil
		}
		return nil
	}
	// The rest in memory is spilled too, as the last run (the same place in
	// the tie-break): the merge then holds no run's worth of matches, so
	// its memory does not depend on how many matches the input's last run
	// happens to have. spillRun sorts them first, so when the write fails
	// they stay in memory sorted, the merge's last source.
	if len(b.matches) > 0 {
		if r, ok := b.e.spillRun(b.runFile, b.matches); ok {
			b.runs = append(b.runs, r)
			b.matches = nil
		}
	}
	rd, rf := b.e.newRunDecoder(b.e.opts.Spill), b.runFile
	for len(b.runs) > b.e.opts.MaxFanIn {
		runs, err := b.e.premerge(rd, rf, b.runs)
		if err != nil {
			// The runs written so far are intact (the file only
			// grows): merge them all at once, as without a bound.
			b.premergeErr = err
			break
		}
		b.premerged++
		b.runs = runs
	}
	var ah *ahead
	if aheadRuns() && len(b.runs) > 1 {
		ah = b.e.startAhead(b.e.opts.Spill, runtime.GOMAXPROCS(0))
	}
	h, err := openRuns(rd, rf, b.runs, ah)
	if err != nil {
		if ah != nil {
			ah.stop()
		}
		return err
	}
	if len(b.matches) > 0 {
		c := &cursor{src: len(b.runs), mem: b.matches}
		_ = c.next(rd)
		heap.Push(&h, c)
	}
	// Reading and decoding the runs runs beside the correlation: batches
	// of merged matches go over a channel (a second core's worth of work
	// in Finish, which is otherwise sequential).
	type chunk struct {
		ms  []*Match
		err error
	}
	const chunkSize = 128
	ch := make(chan chunk, 2)
	stop := make(chan struct{})
	go func() {
		defer close(ch)
		if ah != nil {
			defer ah.stop() // after the last segment is asked for
		}
		ms := make([]*Match, 0, chunkSize)
		send := func(c chunk) bool {
			select {
			case ch <- c:
				return true
			case <-stop:
				return false
			}
		}
		for len(h) > 0 {
			ms = append(ms, h[0].cur)
			if err := h.advance(rd); err != nil {
				send(chunk{ms: ms, err: err})
				return
			}
			if len(ms) == chunkSize {
				if !send(chunk{ms: ms}) {
					return
				}
				ms = make([]*Match, 0, chunkSize)
			}
		}
		if len(ms) > 0 {
			send(chunk{ms: ms})
		}
	}()
	defer func() {
		close(stop)
		for range ch { // let the reader finish
		}
	}()
	for c := range ch {
		for i, m := range c.ms {
			fn(m)
			c.ms[i] = nil
		}
		if c.err != nil {
			return c.err
		}
	}
	return nil
}
