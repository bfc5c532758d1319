// Package engine runs compiled rules over events in two phases.
//
// Phase 1 (Worker) matches events against the compiled detections: it is
// stateless and runs in parallel, one Worker (and compile.Matcher) per
// goroutine. Each match carries an owned snapshot of its event and, for
// every correlation it feeds, the group-by key and aggregated values
// extracted while the event was still at hand.
//
// Phase 2 correlates matches in event time, keyed by (correlation rule,
// group-by values). Batch collects every match and evaluates at the end, so
// its results are exact and independent of file order and worker
// scheduling; Stream evaluates incrementally as a watermark advances, with
// bounded lateness. Both drive the same correlator over the same total
// order of matches, so feeding a Stream in order yields exactly the hits of
// a Batch. Nothing in the engine reads the clock.
//
// # Semantics
//
// Order. Matches are processed in the order (event time, event identity,
// rule index, origin), where the identity is the record's own id (or its
// origin when it has none). Two matches with the same time and identity
// are the same record: a correlation counts it once (temporal types once
// per referenced rule).
//
// Group-by. Values are compared case-insensitively; a hit reports the
// values as written in the first event of its window. A match lacking a
// group-by field (missing, null or "") does not feed the correlation
// (Stats.MissingGroup): grouping unrelated events under "nothing" raises
// false alarms. Aliases map a group-by name onto a different field per
// referenced rule. A chained correlation takes its group-by values from
// the group of the referenced correlation's hit.
//
// Windows. A window holds matches whose times differ by at most the
// timespan, edges included (as Hayabusa counts: last − first <= timespan):
// two matches exactly one timespan apart are in one window. No window is longer
// than its timespan. Conditions with lower bounds only (gt, gte) are
// checked as each match arrives, over the window ending at it (sliding);
// the correlation fires as soon as the condition holds. Conditions with an
// upper bound (lt, lte, eq, neq) and the value_avg and value_percentile
// types are checked on complete windows: the window anchored at the
// earliest pending match closes when the event time passes anchor +
// timespan; if the condition holds the correlation fires (at the window
// end), otherwise the anchor moves to the next match. A firing consumes the
// matches of its window: the next window starts with the next match, so
// one burst raises one hit, not one per extra match.
//
// Types. event_count counts matches; value_count counts distinct values of
// the field (case-insensitively; capped at Options.MaxDistinct per key,
// overflow counted); temporal counts the referenced rules with a match in
// the window (default condition: all of them); temporal_ordered needs a
// match of each referenced rule in the listed order (times non-decreasing,
// distinct events), all within one timespan, and its condition counts the
// length of the longest ordered prefix; value_sum and value_avg aggregate
// the field's numeric value (numbers and numeric strings; other matches are
// ignored and counted); legacy min() and max() likewise. value_percentile
// is read as the specification's example reads it ("a process name seen in
// less than 1% of the processes"): for each distinct value of the field in
// a complete window, its share of the window's matches in percent; the
// correlation fires when some value's share satisfies the condition, and
// reports the qualifying value with the smallest share (ties: the smaller
// value) as the hit's Subject and its share as Value.
//
// new_value (idsentry extension). Per group, a value of the field (a tuple
// of values when condition.field is a list) is new when it was not seen for
// the group within the preceding timespan. During the learning period
// after the first match the correlation sees (learning:, default the
// timespan; edge included), values are learnt and never alerted on. Each
// new value raises one hit (Subject: the value; Value: how many values the
// group knew). Known values are capped at Options.MaxDistinct per group;
// beyond the cap a new value still alerts but is not remembered (counted in
// Stats.DistinctOverflow).
//
// generate. A detection rule referenced by a correlation reports its own
// matches only when one of those correlations has generate: true; the
// same holds for a correlation referenced by another (a chain).
package engine

import (
	"hash/maphash"
	"strings"
	"time"
	"unsafe"

	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// Options configure correlation.
type Options struct {
	// MaxDistinct caps the distinct values kept per group-by key
	// (value_count, value_percentile, new_value). Default 10000.
	MaxDistinct int
	// MaxKeys caps the live group-by keys per correlation rule in a Stream
	// (a Batch is exact and bounded by its input). Default 100000.
	MaxKeys int
	// MaxEvidence is how many contributing hits a correlation hit keeps
	// (Hit.Total counts them all). Default 20.
	MaxEvidence int
	// Lateness is how far behind the watermark a Stream still accepts
	// matches; later ones are dropped and counted (Stats.Late).
	Lateness time.Duration
	// Spill, when set, receives the canonical JSON of matched events, so
	// memory holds a small handle per match instead of a copy of the
	// event (see event.Spill), and a Batch's matches in sorted runs of
	// RunMatches, merged by Finish: a batch's memory then holds one run
	// and the open correlation windows, whatever the input size. Nil
	// keeps everything in memory.
	Spill *event.Spill
	// RunMatches is the number of matches a Batch sorts and spills at a
	// time (default 8192). The runs being filled and written are most of
	// a scan's memory while it reads, and the number of runs sets the
	// merge's. Stop 14 (`bench stage scan`, one core, peak RSS at 1 GB /
	// at 5 GB without the duplicate-record set): runs of 8,192 73 / 82
	// MiB (680 runs at 5 GB), of 16,384 88 / 86, of 32,768 118 / 115 (the
	// first grows with the runs, the other two do not). Since a Batch's
	// workers defer the sequences' later steps (deferred.go), half as many
	// matches reach the runs, each with more to hold: runs of 16,384 took
	// peak RSS at 1 GB from 88 to 105 MiB, runs of 8,192 to 81 (three
	// alternating rounds), about as many runs as 16,384 made before.
	RunMatches int
	// MaxFanIn is the most runs Finish merges at once (default 1024, some
	// 15 GB of the bench's sign-ins): past it, groups of
	// MaxFanIn runs are first merged into one run each (and again, until
	// at most MaxFanIn are left), so that the merge's read buffers and
	// dictionaries (about 10 KB of peak RSS a run, stop 12) do not grow with the input. That
	// costs one more pass over the runs: with runs of 512 matches (2,150
	// at 1 GB) and a fan-in of 256, two cores, 11.5 s and 77 MiB against
	// 8.8 s and 101–106 MiB merging them all at once.
	MaxFanIn int
	// UniqueIDs says that no two events with the same kind and ID reach
	// the engine (the scan's duplicate-record set drops the repeats): a
	// Batch then looks for repeated records among the ID-less ones alone
	// (firstseen.go). Without it, it reads its deferred records once more.
	UniqueIDs bool
}

func (o Options) withDefaults() Options {
	if o.MaxDistinct <= 0 {
		o.MaxDistinct = 10000
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = 100000
	}
	if o.MaxEvidence <= 0 {
		o.MaxEvidence = 20
	}
	if o.MaxFanIn < 2 {
		o.MaxFanIn = 1024
	}
	if o.RunMatches <= 0 {
		o.RunMatches = 1 << 13
	}
	return o
}

// Engine holds a compiled set and the correlation plan.
type Engine struct {
	set   *compile.Set
	opts  Options
	corrs []*compile.Rule       // correlations in dependency order
	index map[*compile.Rule]int // position of each correlation in corrs
	// plans gives, by rule index, what the matches a Batch's workers
	// defer feed (nil: not deferred); firsts, by correlation index, the
	// sequences whose first steps' keys that correlation's inputs give;
	// sifted, by correlation index, the first-seen correlations whose
	// inputs Finish sifts. seed hashes the deferred matches' keys
	// (deferred.go, firstseen.go).
	plans  []*deferPlan
	firsts [][]firstLink
	reach  []time.Duration // by sequence index (Engine.slot)
	sifted []bool
	seed   maphash.Seed
}

// New returns an engine for set.
func New(set *compile.Set, opts Options) *Engine {
	e := &Engine{set: set, opts: opts.withDefaults(), index: map[*compile.Rule]int{}}
	for _, r := range set.Correlations() {
		e.index[r] = len(e.corrs)
		e.corrs = append(e.corrs, r)
	}
	e.planLater()
	return e
}

// Set returns the engine's rule set.
func (e *Engine) Set() *compile.Set { return e.set }

// Match is a phase-1 match: one rule matching one event.
type Match struct {
	Rule *compile.Rule
	// Time is the event time.
	Time time.Time
	// Event is an owned snapshot of the event (shared by the matches of
	// one event).
	Event *event.Stored
	// Why lists the field/value pairs that made the rule match.
	Why []compile.FieldValue
	// Data is the caller's, set in the emit callback while the event is
	// at hand (the field values an alert needs); the detection hit
	// carries it.
	Data  map[string][]string
	ident string
	feeds []feed
}

// hit returns m's detection hit.
func (m *Match) hit() *Hit {
	return &Hit{Rule: m.Rule, Time: m.Time, Event: m.Event, Why: m.Why, Data: m.Data}
}

// feed is what a match contributes to one correlation.
type feed struct {
	corr   int      // index in Engine.corrs
	key    string   // folded group-by values, joined
	group  []string // group-by values as written
	values []string // the field's values (value_count, percentile, new_value)
	num    float64  // the field's number (value_sum, avg, min, max)
	numOK  bool
	pos    int  // position of the rule in the correlation's rules
	ok     bool // false: a group-by value is missing
}

// Hit is a result: a detection rule's match, or a correlation's firing.
type Hit struct {
	Rule *compile.Rule
	// Time is the event time of the hit: the event's for a detection; for
	// a correlation, the time of the match that made it fire, or the
	// window's end for one evaluated on complete windows.
	Time time.Time

	// Event, Why and Data (Match.Data) are set for detection hits.
	Event *event.Stored
	Why   []compile.FieldValue
	Data  map[string][]string

	// Group holds the group-by names and values of a correlation hit.
	Group []GroupValue
	// First and Last are the times of the first and last contributing
	// matches.
	First, Last time.Time
	// Value is the aggregate: the count, distinct count, number of rules,
	// sum, average or share (percent); for new_value the number of values
	// known for the group before this one.
	Value float64
	// Subject is the value that fired a new_value or value_percentile
	// correlation.
	Subject string
	// Contributing holds the first Options.MaxEvidence contributing hits
	// (detection hits, or the hits of a chained correlation); Total counts
	// them all.
	Contributing []*Hit
	Total        int
}

// GroupValue is one group-by field of a correlation hit.
type GroupValue struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// Worker runs phase 1 for one goroutine.
type Worker struct {
	e      *Engine
	m      *compile.Matcher
	ev     *event.Event
	stored *event.Stored
	ident  string // the event's identity, once it has a match
	emit   func(*Match)
	onHit  func(*compile.Rule, []compile.FieldValue)
	buf    []byte // scratch for spilled snapshots
	key    []byte // scratch for a key of several group-by values
	// groups caches, for the current event, the text of each group-by
	// path (by the path's identity: inputs share equal paths), which
	// several correlations read.
	groups map[*string]*groupText
	noPath groupText // group's entry for an empty path
	epoch  uint64    // the current event's number, for groups
	// batch, when set (Batch.NewWorker), is where the matches of later
	// steps and of the rules in hitKeys (DeferHits) are deferred: held for
	// the current event, then written to later, which goes to batch
	// (deferred.go).
	batch   *Batch
	hitKeys map[*compile.Rule]func(*event.Event) (uint64, bool)
	held    []held
	later   []byte
	// hasWhole: the current event has a whole match (which hosts its
	// deferred ones); vbuf is appendSift's scratch.
	hasWhole bool
	vbuf     []byte
	// sift gathers the first-seen inputs this worker defers, which Finish
	// merges (firstseen.go); fed lists the current event's.
	sift *sifter
	fed  []fedInput
}

// groupText is a group-by path's text in event epoch.
type groupText struct {
	epoch       uint64
	text, lower string
	one         []string // {text}, made on first use: the group of a one-field key
	hash        uint64   // of lower (Engine.seed), once hashed
	hashed      bool
}

// group returns path p's text in the current event, read once per event
// (an empty path is read each time, into noPath).
func (w *Worker) group(ev *event.Event, p event.Path) *groupText {
	var g *groupText
	if len(p) == 0 {
		g = &w.noPath
	} else {
		id := unsafe.SliceData(p)
		if g = w.groups[id]; g == nil {
			g = &groupText{}
			w.groups[id] = g
		} else if g.epoch == w.epoch {
			return g
		}
	}
	g.epoch, g.one, g.hashed = w.epoch, nil, false
	g.text = event.Text(event.Lookup(ev.Doc, p))
	g.lower = strings.ToLower(g.text)
	return g
}

// groupOne returns what groupValue does and the text as a one-value group,
// shared by the feeds of the event that group by p alone (groups are only
// read).
func (w *Worker) groupOne(ev *event.Event, p event.Path) (text, lower string, one []string) {
	g := w.group(ev, p)
	if g.text != "" && g.one == nil {
		g.one = []string{g.text}
	}
	return g.text, g.lower, g.one
}

// groupValue returns the text of path p in the current event and its
// lower-case form.
func (w *Worker) groupValue(ev *event.Event, p event.Path) (text, lower string) {
	g := w.group(ev, p)
	return g.text, g.lower
}

// NewWorker returns a worker with its own matcher.
func (e *Engine) NewWorker() *Worker {
	w := &Worker{e: e, m: e.set.NewMatcher(), groups: map[*string]*groupText{}}
	w.onHit = w.hit
	return w
}

// Match matches ev and calls emit with each match. The event is borrowed
// for the call only; matches own their data.
func (w *Worker) Match(ev *event.Event, emit func(*Match)) {
	w.ev, w.stored, w.emit, w.hasWhole = ev, nil, emit, false
	w.epoch++
	w.m.Match(ev, w.onHit)
	if len(w.held) > 0 {
		w.settle()
	}
	w.ev, w.stored, w.emit, w.ident = nil, nil, nil, ""
}

func (w *Worker) hit(r *compile.Rule, why []compile.FieldValue) {
	ev := w.ev
	if w.batch != nil && laterTime(ev.Time) {
		if p := w.e.plan(r); p != nil {
			w.held = append(w.held, held{r: r, plan: p, why: why})
			return
		}
		if key := w.hitKeys[r]; key != nil {
			w.held = append(w.held, held{r: r, why: why, key: key})
			return
		}
	}
	w.whole(r, why)
}

// whole emits the whole match of rule r on the current event.
func (w *Worker) whole(r *compile.Rule, why []compile.FieldValue) {
	ev := w.ev
	w.store()
	w.hasWhole = true
	m := &Match{Rule: r, Time: ev.Time, Event: w.stored, Why: why, ident: w.ident}
	legacy := r.Correlation != nil && r.Correlation.Legacy
	n := len(r.In)
	if legacy {
		n++
	}
	if n > 0 {
		m.feeds = make([]feed, 0, n)
	}
	if legacy {
		m.feeds = append(m.feeds, w.feed(r, r, ev))
	}
	for _, c := range r.In {
		m.feeds = append(m.feeds, w.feed(c, r, ev))
	}
	w.emit(m)
}

// store makes the current event's stored copy and identity, once.
func (w *Worker) store() {
	if w.stored != nil {
		return
	}
	if sp := w.e.opts.Spill; sp != nil {
		w.stored = w.ev.CloneTo(sp, &w.buf)
	} else {
		w.stored = w.ev.Clone()
	}
	w.ident = identity(w.ev)
}

// identity names the record for de-duplication and ordering.
func identity(ev *event.Event) string {
	if ev.ID != "" {
		return ev.Kind.String() + "/" + ev.ID
	}
	return ev.Origin.String()
}

// storedIdentity is the identity of the event st was stored from.
func storedIdentity(st *event.Stored) string {
	if st.ID != "" {
		return st.Kind.String() + "/" + st.ID
	}
	return st.Origin
}

// feed extracts what a match of rule r contributes to correlation c. Its
// key is always groupKey(group) (runs do not store it).
func (w *Worker) feed(c, r *compile.Rule, ev *event.Event) feed {
	f := feed{corr: w.e.index[c]}
	in := c.Correlation.Input(r, ev.Kind)
	if in == nil {
		return f
	}
	f.pos = in.Position
	f.ok = true
	if len(in.GroupPaths) == 1 {
		// The usual case: the key is the one value, lower-cased.
		text, lower, one := w.groupOne(ev, in.GroupPaths[0])
		f.ok = text != ""
		if f.ok {
			f.key, f.group = lower, one
		}
	} else {
		f.ok = w.joinKey(ev, in.GroupPaths, &f.group)
		f.key = string(w.key)
	}
	if len(in.FieldPaths) == 0 || !f.ok {
		return f
	}
	switch c.Correlation.Type {
	case compile.ValueSum, compile.ValueAvg, compile.ValueMin, compile.ValueMax:
		event.Each(ev.Doc, in.FieldPaths[0], func(v *fastjson.Value) bool {
			if n, ok := number(v); ok {
				f.num, f.numOK = n, true
				return false
			}
			return true
		})
	default:
		if len(in.FieldPaths) == 1 {
			// Every value of the field counts (each element of an array).
			event.Each(ev.Doc, in.FieldPaths[0], func(v *fastjson.Value) bool {
				if t := event.Text(v); t != "" {
					f.values = append(f.values, t)
				}
				return true
			})
			return f
		}
		// A list of fields: one tuple of their first values, if all exist.
		parts := make([]string, 0, len(in.FieldPaths))
		for _, p := range in.FieldPaths {
			t := event.Text(event.Lookup(ev.Doc, p))
			if t == "" {
				return f
			}
			parts = append(parts, t)
		}
		f.values = []string{strings.Join(parts, ", ")}
	}
	return f
}

// joinKey builds in w.key the key of a group by several paths: their
// lower-cased values joined by 0x1f (groupKey), and appends their values
// as written to *group when group is not nil; false, with the key and
// group of the values before it, when a value is missing.
func (w *Worker) joinKey(ev *event.Event, paths []event.Path, group *[]string) bool {
	w.key = w.key[:0]
	for i, p := range paths {
		text, lower := w.groupValue(ev, p)
		if text == "" {
			return false
		}
		if i > 0 {
			w.key = append(w.key, 0x1f)
		} else if group != nil {
			*group = make([]string, 0, len(paths))
		}
		w.key = append(w.key, lower...)
		if group != nil {
			*group = append(*group, text)
		}
	}
	return true
}

// number reads a JSON number or a numeric string.
func number(v *fastjson.Value) (float64, bool) {
	switch v.Type() {
	case fastjson.TypeNumber:
		n, err := v.Float64()
		return n, err == nil
	case fastjson.TypeString:
		return parseNumber(string(v.GetStringBytes()))
	}
	return 0, false
}
