package detect

import (
	"hash/maphash"
	"slices"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/binenc"
	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/engine"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/normalize"
	"github.com/valyala/fastjson"
)

// RunOptions configure a Detector.
type RunOptions struct {
	Engine     engine.Options
	Alert      alert.Options
	Risk       alert.RiskOptions
	Identities *alert.Identities
	// Geo, when set, adds country/city/ASN to the alerts' IP enrichment.
	Geo *alert.GeoDB
	// OnEvent, when set, is called by each worker for every event before
	// matching (sign-in profiles for the report, the timeline…); it must be
	// safe for concurrent use.
	OnEvent func(worker int, ev *event.Event)
	// Filter, when set, drops alerts (false) before risk is accumulated;
	// it may also adjust an alert (a level override).
	Filter func(a *alert.Alert) bool
	// KeepMatched fills Result.Matched (for the timeline): every event of
	// a reported hit, held until the end of the run.
	KeepMatched bool
}

// Detector runs a Pack over the events of one scan.
type Detector struct {
	pack  *Pack
	eng   *engine.Engine
	batch *engine.Batch
	opts  RunOptions

	mu      sync.Mutex
	ips     []*alert.IPStats
	workers []*Worker

	// fields[r] are the fields the alerts built from r's matches read:
	// those of r's own spec and of the correlations r feeds (transitively).
	fields map[*compile.Rule][]string
	// specOnly[r]: fields[r] are r's spec's alone (r feeds no correlation
	// that reads more), so the Data of r's matches is what an alert match
	// of r's spec holds.
	specOnly map[*compile.Rule]bool
	// prune[r] summarises the alert keys of detection rule r while the
	// workers match, so that Finish hands the alert builder only the hits
	// of keys that can alert (alert.Pruner). Not with KeepMatched: the
	// timeline shows every reported hit.
	prune map[*compile.Rule]*pruned
}

// pruned is a detection rule's alert.Pruner and how its matches carry
// their fields.
type pruned struct {
	p *alert.Pruner
	// keyOnly, when set, are the fields the Pruner reads: while it has
	// room, the rule's matches carry in Data only those (the rule feeds no
	// correlation, and its spec reads more); Finish reads the alert's
	// fields from the stored copy for the few hits that go on to the
	// builder.
	keyOnly []string
	// fields, when set, are the fields the Pruner reads, and the rule's
	// matches are deferred (engine.Worker.DeferHits): the workers observe
	// them from the live event and hand the engine the key's hash.
	fields []string
}

// NewDetector returns a detector for one batch run.
func (p *Pack) NewDetector(opts RunOptions) *Detector {
	eng := engine.New(p.Set, opts.Engine)
	d := &Detector{pack: p, eng: eng, batch: eng.NewBatch(), opts: opts, fields: map[*compile.Rule][]string{},
		specOnly: map[*compile.Rule]bool{}}
	for _, r := range p.Set.Rules {
		seen := map[string]bool{}
		var fs []string
		own := -1 // how many of fs are r's own spec's (the walk starts at r)
		var walk func(r *compile.Rule)
		visited := map[*compile.Rule]bool{}
		walk = func(r *compile.Rule) {
			if visited[r] {
				return
			}
			visited[r] = true
			if s := p.specs[r]; s != nil {
				for _, f := range s.Fields() {
					if !seen[f] {
						seen[f] = true
						fs = append(fs, f)
					}
				}
			}
			if own < 0 {
				own = len(fs)
			}
			for _, c := range r.In {
				walk(c)
			}
		}
		walk(r)
		d.fields[r] = fs
		d.specOnly[r] = len(fs) == own
	}
	if !opts.KeepMatched {
		seed := maphash.MakeSeed()
		for _, r := range p.Set.Rules {
			if r.Correlation != nil || !r.Generate {
				continue
			}
			if pr := alert.NewPruner(p.specs[r], seed); pr != nil {
				if d.prune == nil {
					d.prune = map[*compile.Rule]*pruned{}
				}
				x := &pruned{p: pr}
				// Only for a rule that feeds no correlation (a
				// correlation's contributing hits keep the Data of their
				// matches, and would lose the other fields), and whose
				// spec reads more than the Pruner does (else there is
				// nothing to leave out).
				if fs := pr.Fields(); d.specOnly[r] && len(r.In) == 0 && len(fs) < len(d.fields[r]) {
					x.keyOnly = fs
				}
				d.prune[r] = x
				if len(r.In) == 0 {
					// Its matches wait in the engine as key hashes
					// (Worker.DeferHits); those of keys that can alert
					// are rebuilt.
					x.fields = pr.Fields()
					d.batch.KeepHits(r, pr.MayFireKey)
				}
			}
		}
	}
	return d
}

// Worker is one goroutine's phase-1 state. It implements scan.Handler.
type Worker struct {
	d       *Detector
	id      int
	w       *engine.Worker
	ips     *alert.IPStats
	add     func(*engine.Match)
	cur     *event.Event
	paths   map[kindField]event.Path
	pending []*engine.Match
	lists   binenc.Lists // extract's scratch
	// keyMap and keyVals are keyFields's scratch.
	keyMap  map[string][]string
	keyVals []string
}

// flush hands the buffered matches to the batch.
func (w *Worker) flush() {
	if len(w.pending) > 0 {
		w.d.batch.AddAll(w.pending)
		clear(w.pending)
		w.pending = w.pending[:0]
	}
}

type kindField struct {
	kind  event.Kind
	field string
}

// NewWorker returns the handler of worker id.
func (d *Detector) NewWorker(id int) *Worker {
	w := &Worker{d: d, id: id, w: d.batch.NewWorker(), ips: alert.NewIPStats(0), paths: map[kindField]event.Path{}}
	w.add = func(m *engine.Match) {
		// A rule reported only through its correlations (most matches: the
		// base rules of sequences and first-seen rules) shows in an alert
		// only as one of a firing's few contributing events, which Finish
		// reads back from the stored copy.
		if m.Rule.Generate || m.Rule.Correlation != nil {
			x := d.prune[m.Rule]
			if x != nil && x.keyOnly != nil && !x.p.Full() {
				m.Data = w.extract(x.keyOnly, w.cur)
			} else {
				m.Data = w.extract(d.fields[m.Rule], w.cur)
			}
			switch {
			case x == nil:
			case m.Data == nil:
				// Finish will read the fields from the stored copy:
				// this match's key is unknown here.
				x.p.GiveUp()
			default:
				x.p.Observe(m.Data)
			}
		}
		// Matches go to the batch in bundles: one lock per bundle.
		w.pending = append(w.pending, m)
		if len(w.pending) == cap(w.pending) {
			w.flush()
		}
	}
	w.pending = make([]*engine.Match, 0, 256)
	for r, x := range d.prune {
		if x.fields != nil {
			w.w.DeferHits(r, func(ev *event.Event) (uint64, bool) {
				data := w.keyFields(x.fields, ev)
				if data == nil {
					return 0, false // the match goes whole: add gives up
				}
				return x.p.ObserveKey(data), true
			})
		}
	}
	d.mu.Lock()
	d.ips = append(d.ips, w.ips)
	d.workers = append(d.workers, w)
	d.mu.Unlock()
	return w
}

// Event matches one event (borrowed for the call).
func (w *Worker) Event(ev *event.Event) {
	if ev.Kind == event.KindEntraSignIn {
		w.ips.AddSignIn(ev)
	}
	if w.d.opts.OnEvent != nil {
		w.d.opts.OnEvent(w.id, ev)
	}
	w.cur = ev
	w.w.Match(ev, w.add)
	w.cur = nil
}

// onlyFields reports whether every field of data is one of fs.
func onlyFields(data map[string][]string, fs []string) bool {
	for f := range data {
		if !slices.Contains(fs, f) {
			return false
		}
	}
	return true
}

// extract reads fields fs (those the alerts of a rule's matches need)
// from the live event, so Finish need not parse the stored copy again.
// The values are those of the stored copy: invalid UTF-8 becomes U+FFFD
// byte by byte, as the canonical JSON writes it.
func (w *Worker) extract(fs []string, ev *event.Event) map[string][]string {
	if len(fs) == 0 || ev == nil || ev.Doc == nil {
		return nil
	}
	// All the lists of the map share one array (binenc.Lists).
	ls := &w.lists
	ls.Reset()
	for _, f := range fs {
		path := w.path(ev.Kind, f)
		ls.Next(func(dst []string) []string {
			event.Each(ev.Doc, path, func(v *fastjson.Value) bool {
				if s := storedText(v, false); s != "" {
					dst = append(dst, s)
				}
				return true
			})
			return dst
		})
	}
	ls.Pack()
	out := make(map[string][]string, len(fs))
	for i, f := range fs {
		if vs := ls.List(i); vs != nil {
			out[f] = vs
		}
	}
	return out
}

// keyFields is extract for a caller that only reads the values during the
// call (the Pruner hashes them): the map and its lists are the worker's
// scratch, and valid strings are views of the event's bytes.
func (w *Worker) keyFields(fs []string, ev *event.Event) map[string][]string {
	if len(fs) == 0 || ev == nil || ev.Doc == nil {
		return nil
	}
	if w.keyMap == nil {
		w.keyMap = map[string][]string{}
	}
	clear(w.keyMap)
	vals := w.keyVals[:0]
	type span struct {
		f        string
		from, to int
	}
	var spans [8]span
	sp := spans[:0]
	for _, f := range fs {
		from := len(vals)
		event.Each(ev.Doc, w.path(ev.Kind, f), func(v *fastjson.Value) bool {
			if s := storedText(v, true); s != "" {
				vals = append(vals, s)
			}
			return true
		})
		sp = append(sp, span{f, from, len(vals)})
	}
	for _, x := range sp {
		if x.to > x.from {
			w.keyMap[x.f] = vals[x.from:x.to:x.to]
		}
	}
	w.keyVals = vals
	return w.keyMap
}

// storedText is event.Text of v as the stored copy has it: invalid UTF-8
// becomes U+FFFD byte by byte, as the canonical JSON writes it. With view,
// a valid string is a view of the event's bytes, for the call only.
func storedText(v *fastjson.Value, view bool) string {
	var s string
	if view && v.Type() == fastjson.TypeString {
		b := v.GetStringBytes()
		s = unsafe.String(unsafe.SliceData(b), len(b))
	} else {
		s = event.Text(v)
	}
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	return s
}

// path returns field f's path in events of kind k, resolved once.
func (w *Worker) path(k event.Kind, f string) event.Path {
	kf := kindField{k, f}
	p, ok := w.paths[kf]
	if !ok {
		p, _ = normalize.Resolve(k, f)
		w.paths[kf] = p
	}
	return p
}

// Result is what a run found.
type Result struct {
	Alerts      []alert.Alert
	Incidents   []alert.Incident
	Hits        int
	EngineStats engine.Stats
	AlertStats  alert.Stats
	// Matched holds every event that made a reported rule match, with the
	// rule, for the timeline (with RunOptions.KeepMatched).
	Matched []MatchedEvent
	// Skipped counts the hits (in Hits) of alert keys that could never
	// raise an alert, which the alert builder was not given
	// (alert.Pruner).
	Skipped int
	// IPs are the per-IP sign-in statistics gathered during the run.
	IPs *alert.IPStats
	// Errors are expression evaluation errors met while building alerts.
	Errors []error
}

// MatchedEvent is one event that matched a reported rule.
type MatchedEvent struct {
	Rule  alert.RuleRef
	Level alert.Level
	Event *event.Stored
}

// Finish correlates, groups hits into alerts, enriches them and raises
// risk incidents. Call it once, after every worker is done.
//
// Hits stream from the engine in event time into the alert builder, whose
// windows close as the hits move on: memory holds the open windows, not
// every hit of the scan.
func (d *Detector) Finish() *Result {
	d.mu.Lock()
	for _, w := range d.workers {
		w.flush()
	}
	d.mu.Unlock()
	ips := alert.NewIPStats(0)
	for _, s := range d.ips {
		ips.Merge(s)
	}
	aopts := d.opts.Alert
	aopts.Enricher = &alert.Enricher{Identities: d.opts.Identities, IPs: ips, Geo: d.opts.Geo}
	b := alert.NewBuilder(aopts)
	res := &Result{IPs: ips}
	// A later hit's alert time (a correlation's last contributing match)
	// is at most MaxLag before an earlier hit's time: windows ending
	// before that can close.
	lag := d.eng.MaxLag() + time.Minute
	const advanceEvery = 1 << 13
	// The alerts are built beside the correlation: hits go in chunks to
	// a goroutine of their own (the run decoding is another), so that
	// Finish keeps more than one core busy.
	const chunk = 128
	chunks := make(chan []engine.Hit, 4)
	built := make(chan struct{})
	go func() {
		defer close(built)
		var x extractor
		n := 0
		for hs := range chunks {
			for i := range hs {
				h := &hs[i]
				res.Hits++
				spec := d.pack.specs[h.Rule]
				if spec == nil {
					continue
				}
				if err := b.Add(x.match(spec, h, d.specOnly[h.Rule])); err != nil {
					res.Errors = append(res.Errors, err)
				}
				if d.opts.KeepMatched {
					x.matched(spec, h, &res.Matched)
				}
				if n++; n%advanceEvery == 0 && !h.Time.IsZero() {
					res.Alerts = append(res.Alerts, b.Advance(h.Time.Add(-lag))...)
				}
			}
		}
	}()
	hs := make([]engine.Hit, 0, chunk)
	skipped := 0
	err := d.batch.FinishFunc(func(h engine.Hit) {
		if x := d.prune[h.Rule]; x != nil && h.Event != nil && h.Data != nil {
			if !x.p.MayFire(h.Data) {
				skipped++
				return
			}
			if x.keyOnly != nil && onlyFields(h.Data, x.keyOnly) {
				// Data holds the key's fields alone: the alert's are
				// read from the stored copy. (Once the Pruner is full
				// the workers extract every field: more of those hits
				// go on, and their fields, read back from the runs,
				// share strings. A full extraction that found only the
				// key's fields is read again, to the same result.)
				h.Data = nil
			}
		}
		hs = append(hs, h)
		if len(hs) == chunk {
			chunks <- hs
			hs = make([]engine.Hit, 0, chunk)
		}
	})
	if len(hs) > 0 {
		chunks <- hs
	}
	close(chunks)
	<-built
	// The deferred matches the engine dropped were not handed over.
	skipped += int(d.batch.Stats().DroppedHits)
	res.Hits += skipped
	res.Skipped = skipped
	if err != nil {
		res.Errors = append(res.Errors, err)
	}
	res.EngineStats = d.batch.Stats()
	res.Alerts = append(res.Alerts, b.Finish()...)
	alert.SortAlerts(res.Alerts)
	if d.opts.Filter != nil {
		kept := res.Alerts[:0]
		for i := range res.Alerts {
			if d.opts.Filter(&res.Alerts[i]) {
				kept = append(kept, res.Alerts[i])
			}
		}
		res.Alerts = kept
	}
	res.AlertStats = b.Stats()
	res.Errors = append(res.Errors, b.Errors()...)
	res.Incidents = alert.Incidents(res.Alerts, d.opts.Risk)
	return res
}

// Discard releases a detector whose run ends without Finish (its
// temporary run file is removed); after Finish it does nothing.
func (d *Detector) Discard() { d.batch.Discard() }

// extractor turns engine hits into alert matches, reading the spec's
// fields from each hit's stored canonical event.
type extractor struct {
	p fastjson.Parser
}

// match converts h. With own (h's Data holds the spec's fields alone), the
// match may take h's field values as they are (a hit's Data is its own,
// and alert building only reads it); the
// parts of a correlation hit get copies, which inherit group values.
func (x *extractor) match(spec *alert.Spec, h *engine.Hit, own bool) alert.Match {
	if h.Event != nil {
		return x.detection(spec, h, own)
	}
	m := alert.Match{Spec: spec, Time: h.Last, First: h.First, Count: h.Total}
	if m.Time.IsZero() {
		m.Time = h.Time
	}
	if m.Count == 0 {
		m.Count = 1
	}
	m.Fields = map[string][]string{}
	for _, g := range h.Group {
		m.Fields[g.Field] = append(m.Fields[g.Field], g.Value)
	}
	if h.Subject != "" && h.Rule.Correlation != nil && h.Rule.Correlation.Field != "" {
		f := h.Rule.Correlation.Field
		m.Fields[f] = appendNew(m.Fields[f], h.Subject)
	}
	for _, c := range h.Contributing {
		part := x.match(spec, c, false)
		// A part inherits the correlation's group values for fields its own
		// event lacks under that name (aliases).
		for f, vs := range m.Fields {
			if len(part.Fields[f]) == 0 {
				part.Fields[f] = vs
			}
		}
		m.Parts = append(m.Parts, part)
	}
	return m
}

func (x *extractor) detection(spec *alert.Spec, h *engine.Hit, own bool) alert.Match {
	m := alert.Match{Spec: spec, Time: h.Time, Count: 1, Event: h.Event}
	for _, w := range h.Why {
		m.Why = append(m.Why, alert.FieldValue{Field: w.Field, Value: w.Value})
	}
	if m.Time.IsZero() {
		// Events without a time still alert; they sort first.
		m.Time = time.Unix(0, 0).UTC()
	}
	fs := h.Data
	if fs != nil && own {
		m.Fields = fs
		return m
	}
	m.Fields = map[string][]string{}
	if fs != nil {
		for _, f := range spec.Fields() {
			if vs := fs[f]; len(vs) > 0 {
				m.Fields[f] = append([]string(nil), vs...)
			}
		}
		return m
	}
	doc, err := x.p.ParseBytes(h.Event.JSON())
	if err != nil {
		return m
	}
	for _, f := range spec.Fields() {
		path, _ := normalize.Resolve(h.Event.Kind, f)
		var vs []string
		event.Each(doc, path, func(v *fastjson.Value) bool {
			if s := event.Text(v); s != "" {
				vs = append(vs, s)
			}
			return true
		})
		if len(vs) > 0 {
			m.Fields[f] = vs
		}
	}
	return m
}

// matched records the events of a reported hit for the timeline.
func (x *extractor) matched(spec *alert.Spec, h *engine.Hit, out *[]MatchedEvent) {
	if h.Event != nil {
		*out = append(*out, MatchedEvent{Rule: spec.Rule, Level: spec.Rule.Level, Event: h.Event})
		return
	}
	for _, c := range h.Contributing {
		x.matched(spec, c, out)
	}
}

func appendNew(vs []string, v string) []string {
	for _, x := range vs {
		if x == v {
			return vs
		}
	}
	return append(vs, v)
}
