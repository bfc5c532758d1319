// Package scan is the batch driver shared by `idsentry inspect` and
// `idsentry scan`: it expands paths, reads every file with package ingest,
// normalises records on all cores, drops duplicates, and hands each canonical
// event to a per-worker handler. It accounts for every record read, skipped
// or dropped, per file.
package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/idsentry/idsentry/internal/normalize"
)

// Handler receives the events of one worker. Each worker gets its own
// Handler (from Options.NewHandler) and calls it from one goroutine; the
// event is borrowed for the duration of the call.
type Handler interface {
	Event(ev *event.Event)
}

// Options configure a run.
type Options struct {
	// Format forces a reader layout for every file ("" = detect per file).
	Format string
	// Workers is the number of normalise/match workers (default GOMAXPROCS).
	Workers int
	// From and To, when set, drop events outside [From, To) (counted).
	From, To time.Time
	// NewHandler makes one handler per worker; nil handles nothing.
	NewHandler func(worker int) Handler
	// Progress, when set, is called about every 250 ms with the running
	// totals, from a separate goroutine.
	Progress func(p Progress)
	// Stdin is read for the path "-" (default os.Stdin).
	Stdin io.Reader
	// NoDedup keeps records whose (kind, ID) was already seen. By default
	// they are dropped and counted as duplicates: overlapping exports (two
	// Graph pulls, an Event Hub redelivery, the same sign-in exported from
	// Graph and from diagnostic settings) repeat records.
	NoDedup bool
}

// Progress is a snapshot of a running scan.
type Progress struct {
	BytesRead  int64 // decoded bytes read so far
	BytesTotal int64 // total size of the input files on disk (0 if unknown)
	Records    int64
	Elapsed    time.Duration
}

// Result is the accounting of a run.
type Result struct {
	Files      []*FileStats
	Records    int64 // records normalised and handed on
	Skipped    int64
	Duplicates int64
	OutOfRange int64
	Bytes      int64 // decoded bytes read
	Elapsed    time.Duration
}

// Unrecognised returns the files that could not be read at all.
func (r *Result) Unrecognised() []*FileStats {
	var out []*FileStats
	for _, f := range r.Files {
		if f.Err != "" {
			out = append(out, f)
		}
	}
	return out
}

// FileStats is the accounting of one input file.
type FileStats struct {
	Path        string                `json:"path"`
	Layout      string                `json:"layout"`
	Compression string                `json:"compression,omitempty"`
	Encoding    string                `json:"encoding,omitempty"`
	Size        int64                 `json:"size"`
	Records     int64                 `json:"records"`
	Kinds       map[string]int64      `json:"kinds"`
	Formats     map[string]int64      `json:"formats"`
	Skipped     int64                 `json:"skipped"`
	SkipReasons map[string]*SkipCount `json:"skip_reasons,omitempty"`
	Duplicates  int64                 `json:"duplicates"`
	OutOfRange  int64                 `json:"out_of_range,omitempty"`
	First       time.Time             `json:"first,omitzero"`
	Last        time.Time             `json:"last,omitzero"`
	// Err is set when the file could not be read or recognised at all.
	Err string `json:"error,omitempty"`
	// FromDir is set when the file was found by walking a directory rather
	// than named on the command line.
	FromDir bool `json:"from_dir,omitempty"`

	mu sync.Mutex
}

// SkipCount counts skipped records of one reason and keeps the first few
// origins (file:line).
type SkipCount struct {
	Count   int64    `json:"count"`
	Samples []string `json:"first"`
	// Example is the first full error message of this reason.
	Example string `json:"example"`
}

const maxSkipSamples = 5

func (f *FileStats) skip(reason, origin, full string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Skipped++
	if f.SkipReasons == nil {
		f.SkipReasons = map[string]*SkipCount{}
	}
	s := f.SkipReasons[reason]
	if s == nil {
		s = &SkipCount{Example: full}
		f.SkipReasons[reason] = s
	}
	s.Count++
	if len(s.Samples) < maxSkipSamples {
		s.Samples = append(s.Samples, origin)
	}
}

// batch is a group of records copied out of a reader's buffer, handed to a
// worker.
type batch struct {
	file *FileStats
	data []byte
	recs []batchRec
}

type batchRec struct {
	start, end int
	origin     event.Origin
	container  ingest.Container
	verbatim   bool
}

const batchBytes = 1 << 20

// batchPool recycles batches: a worker returns each batch once every event
// of it has been handled (events are borrowed for the handler call only),
// and readers fill recycled batches instead of growing fresh 1 MB buffers,
// which was a third of a one-core scan's CPU (growslice, zeroing, GC).
type batchPool struct{ free chan *batch }

func newBatchPool(n int) *batchPool { return &batchPool{free: make(chan *batch, n)} }

// get returns an empty batch for file st.
func (p *batchPool) get(st *FileStats) *batch {
	select {
	case b := <-p.free:
		b.file, b.data, b.recs = st, b.data[:0], b.recs[:0]
		return b
	default:
		return &batch{file: st, data: make([]byte, 0, batchBytes+batchBytes/8), recs: make([]batchRec, 0, 512)}
	}
}

// put recycles a handled batch (or drops it when the pool is full).
func (p *batchPool) put(b *batch) {
	b.file = nil
	select {
	case p.free <- b:
	default:
	}
}

// Run reads every file under paths and hands normalised events to the
// workers' handlers. It returns an error only when a path cannot be
// expanded; per-file failures are recorded in the result.
func Run(ctx context.Context, paths []string, opts Options) (*Result, error) {
	start := time.Now()
	files, err := Expand(paths)
	if err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	res := &Result{}
	var total int64
	for _, f := range files {
		st := &FileStats{Path: f.Path, Size: f.Size, FromDir: f.FromDir, Kinds: map[string]int64{}, Formats: map[string]int64{}}
		res.Files = append(res.Files, st)
		total += f.Size
	}

	var (
		bytesRead atomic.Int64
		records   atomic.Int64
		skipped   atomic.Int64
		dups      atomic.Int64
		outRange  atomic.Int64
		dedup     = newIDSet("")
		batches   = make(chan *batch, workers*2)
		pool      = newBatchPool(workers * 4)
		wg        sync.WaitGroup
	)

	// Workers: normalise and hand on (or only count, with NoDedup unset,
	// records whose ID was seen before).
	for w := 0; w < workers; w++ {
		var h Handler
		if opts.NewHandler != nil {
			h = opts.NewHandler(w)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := normalize.New()
			t := newTally()
			for b := range batches {
				for _, r := range b.recs {
					rec := ingest.Record{Data: b.data[r.start:r.end], Origin: r.origin, Container: r.container, Verbatim: r.verbatim}
					ev, err := n.Normalize(rec)
					if err != nil {
						skipped.Add(1)
						b.file.skip(reasonOf(err), r.origin.String(), err.Error())
						continue
					}
					if !opts.NoDedup && ev.ID != "" && !dedup.add(ev.Kind, ev.ID) {
						dups.Add(1)
						b.file.mu.Lock()
						b.file.Duplicates++
						b.file.mu.Unlock()
						continue
					}
					if (!opts.From.IsZero() && ev.Time.Before(opts.From)) || (!opts.To.IsZero() && !ev.Time.Before(opts.To)) {
						outRange.Add(1)
						b.file.mu.Lock()
						b.file.OutOfRange++
						b.file.mu.Unlock()
						continue
					}
					t.add(ev)
					if h != nil {
						h.Event(ev)
					}
				}
				records.Add(t.records)
				b.file.flush(t)
				pool.put(b)
			}
		}()
	}

	// Progress reporter.
	stopProgress := make(chan struct{})
	var progWG sync.WaitGroup
	if opts.Progress != nil {
		progWG.Add(1)
		go func() {
			defer progWG.Done()
			t := time.NewTicker(250 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stopProgress:
					return
				case <-t.C:
					opts.Progress(Progress{BytesRead: bytesRead.Load(), BytesTotal: total, Records: records.Load(), Elapsed: time.Since(start)})
				}
			}
		}()
	}

	// Readers: one goroutine per file, at most `workers` at once, so
	// decompression of several files runs in parallel.
	sem := make(chan struct{}, workers)
	var rwg sync.WaitGroup
	for i, f := range files {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		rwg.Add(1)
		go func(f Input, st *FileStats) {
			defer rwg.Done()
			defer func() { <-sem }()
			readFile(ctx, f, st, opts, batches, pool, &bytesRead, &skipped)
		}(f, res.Files[i])
	}
	rwg.Wait()
	close(batches)
	wg.Wait()
	dedup.free()
	close(stopProgress)
	progWG.Wait()

	res.Skipped = skipped.Load()
	for _, st := range res.Files {
		st.classify()
		if st.Err != "" {
			// Not a log file: its lines are not skipped records.
			res.Skipped -= st.Skipped
		}
	}
	res.Records = records.Load()
	res.Duplicates = dups.Load()
	res.OutOfRange = outRange.Load()
	res.Bytes = bytesRead.Load()
	res.Elapsed = time.Since(start)
	if opts.Progress != nil {
		opts.Progress(Progress{BytesRead: res.Bytes, BytesTotal: total, Records: res.Records, Elapsed: res.Elapsed})
	}
	return res, ctx.Err()
}

// readFile streams one file into batches.
func readFile(ctx context.Context, f Input, st *FileStats, opts Options, out chan<- *batch, pool *batchPool, bytesRead, skipped *atomic.Int64) {
	var (
		file *ingest.File
		err  error
	)
	iopts := ingest.Options{Format: opts.Format}
	if f.Path == "-" {
		in := opts.Stdin
		if in == nil {
			in = os.Stdin
		}
		file, err = ingest.NewFile("-", in, iopts)
	} else {
		file, err = ingest.Open(f.Path, iopts)
	}
	if err != nil {
		st.Err = err.Error()
		return
	}
	defer file.Close()
	b := pool.get(st)
	var lastBytes int64
	flush := func(more bool) {
		switch {
		case len(b.recs) > 0:
			out <- b
			if more {
				b = pool.get(st)
			}
		case !more:
			pool.put(b)
		}
	}
	for {
		if ctx.Err() != nil {
			break
		}
		rec, err := file.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *ingest.RecordError
			if errors.As(err, &re) {
				skipped.Add(1)
				o := event.Origin{File: re.File, Line: re.Line, Index: re.Index}
				st.skip(reasonOf(re.Err), o.String(), re.Err.Error())
				continue
			}
			st.Err = err.Error()
			break
		}
		startAt := len(b.data)
		b.data = append(b.data, rec.Data...)
		b.recs = append(b.recs, batchRec{start: startAt, end: len(b.data), origin: rec.Origin, container: rec.Container, verbatim: rec.Verbatim})
		if len(b.data) >= batchBytes || len(b.recs) >= 4096 {
			info := file.Info()
			bytesRead.Add(info.DecodedBytes - lastBytes)
			lastBytes = info.DecodedBytes
			flush(true)
		}
	}
	flush(false)
	info := file.Info()
	bytesRead.Add(info.DecodedBytes - lastBytes)
	st.Layout = info.Layout
	st.Compression = info.Compression
	st.Encoding = info.Encoding
}

// classify marks a file that yielded records of no known log shape at all
// as unrecognised, with a message saying what it looked like, instead of
// reporting every line as a skipped record.
func (f *FileStats) classify() {
	if f.Err != "" || f.Records > 0 || f.Duplicates > 0 || f.OutOfRange > 0 || f.Skipped == 0 {
		return
	}
	shape := f.SkipReasons[normalizeUnrecognised]
	if shape == nil {
		return
	}
	what := f.Layout
	if what == "" {
		what = "input"
	}
	f.Err = fmt.Sprintf("not a log file idsentry knows: %s whose %d records match no known log shape (first: %s at %s)",
		what, f.Skipped, strings.TrimPrefix(shape.Example, normalizeUnrecognised+" "), shape.Samples[0])
}

// normalizeUnrecognised is the reason text of normalize.ErrUnrecognised.
var normalizeUnrecognised = normalize.ErrUnrecognised.Error()

// tally counts the events of one batch in a worker, so that the file's
// statistics are updated under one lock per batch rather than one per
// record (per-record locking of the shared FileStats cost two-core scans
// about 5% of their CPU in contention).
type tally struct {
	records     int64
	kinds       map[event.Kind]int64
	formats     map[string]int64
	first, last time.Time
}

func newTally() *tally {
	return &tally{kinds: map[event.Kind]int64{}, formats: map[string]int64{}}
}

// add counts a normalised event.
func (t *tally) add(ev *event.Event) {
	t.records++
	t.kinds[ev.Kind]++
	t.formats[ev.Format]++
	if !ev.Time.IsZero() {
		if t.first.IsZero() || ev.Time.Before(t.first) {
			t.first = ev.Time
		}
		if ev.Time.After(t.last) {
			t.last = ev.Time
		}
	}
}

// flush adds t to the file's statistics and empties t.
func (f *FileStats) flush(t *tally) {
	if t.records == 0 {
		return
	}
	f.mu.Lock()
	f.Records += t.records
	for k, n := range t.kinds {
		f.Kinds[k.String()] += n
	}
	for fm, n := range t.formats {
		f.Formats[fm] += n
	}
	if !t.first.IsZero() && (f.First.IsZero() || t.first.Before(f.First)) {
		f.First = t.first
	}
	if t.last.After(f.Last) {
		f.Last = t.last
	}
	f.mu.Unlock()
	t.records, t.first, t.last = 0, time.Time{}, time.Time{}
	clear(t.kinds)
	clear(t.formats)
}

// reasonOf reduces an error to a short, stable reason for grouping: its
// text up to the first position-specific detail.
func reasonOf(err error) string {
	s := err.Error()
	if i := strings.Index(s, " (keys:"); i > 0 {
		return s[:i]
	}
	for _, sep := range []string{": ", " at ", " near "} {
		if i := strings.Index(s, sep); i > 0 && i < 80 {
			// Keep the first clause of wrapped errors such as
			// "invalid JSON: cannot parse …" as "invalid JSON".
			return s[:i]
		}
	}
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

// Input is one file to read ("-" is standard input).
type Input struct {
	Path    string
	Size    int64
	FromDir bool
}

// Expand turns paths (files, directories walked recursively, "-" for
// standard input) into a sorted list of regular files. Hidden files and
// directories inside a walked directory are skipped.
func Expand(paths []string) ([]Input, error) {
	var out []Input
	for _, p := range paths {
		if p == "-" {
			out = append(out, Input{Path: "-"})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if !info.IsDir() {
			out = append(out, Input{Path: p, Size: info.Size()})
			continue
		}
		var found []Input
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path != p && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			found = append(found, Input{Path: path, Size: fi.Size(), FromDir: true})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", p, err)
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Path < found[j].Path })
		out = append(out, found...)
	}
	return out, nil
}
