package engine

import (
	"encoding/json"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/binenc"
	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

func spilled(t testing.TB, o Options, runMatches int) Options {
	sp, err := event.NewSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	o.Spill, o.RunMatches = sp, runMatches
	return o
}

// renderFull renders hits with everything a run round-trips: the stored
// event's document and origin, why, data, contributing hits.
func renderFull(hs []Hit) string {
	var b strings.Builder
	var one func(h *Hit, depth int)
	one = func(h *Hit, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		line, _ := json.Marshal(toWant(*h))
		b.Write(line)
		if h.Event != nil {
			b.WriteString(" " + h.Event.Origin + " " + h.Event.Kind.String() + " " + string(h.Event.JSON()))
		}
		why, _ := json.Marshal(h.Why)
		data, _ := json.Marshal(h.Data)
		b.WriteString(" why=" + string(why) + " data=" + string(data) + "\n")
		for _, c := range h.Contributing {
			one(c, depth+1)
		}
	}
	for i := range hs {
		one(&hs[i], 0)
	}
	return b.String()
}

// TestSpilledBatchEqualsMemory checks that a Batch writing its matches in
// sorted runs of a few matches to a spill file and merging them returns
// exactly the hits of an in-memory Batch, with every stored event read back.
func TestSpilledBatchEqualsMemory(t *testing.T) {
	set := compileRules(t, allTypes)
	mem := New(set, Options{MaxDistinct: 4})
	defer func(f func() bool, n int) { aheadRuns, segRecords = f, n }(aheadRuns, segRecords)
	// Runs of 1 and 7 matches merged 2 and 3 at a time: the runs are
	// merged in groups first, in several rounds. Runs cut into segments of
	// 1 to 3 records, the final merge decoding them ahead on other
	// goroutines or not.
	for _, c := range []struct {
		runSize, fanIn, seg int
		ahead               bool
	}{
		{1, 0, 512, true}, {7, 0, 512, true}, {64, 0, 512, true}, {1, 2, 512, true}, {1, 3, 512, true}, {7, 2, 512, true},
		{7, 0, 2, true}, {64, 0, 3, true}, {64, 0, 1, true}, {7, 2, 3, true}, {64, 0, 3, false}, {7, 2, 2, false},
	} {
		runSize := c.runSize
		aheadRuns = func() bool { return c.ahead }
		segRecords = c.seg
		disk := New(set, spilled(t, Options{MaxDistinct: 4, MaxFanIn: c.fanIn}, runSize))
		for seed := uint64(1); seed <= 10; seed++ {
			r := rand.New(rand.NewPCG(seed, 11))
			events := randomEvents(t, r, 150)
			r.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
			runs := 0
			run := func(e *Engine) (string, Stats) {
				// The spilled batch's worker defers the sequences' later
				// steps, the in-memory one's does not.
				b := e.NewBatch()
				w := e.NewWorker()
				if e.opts.Spill != nil {
					w = b.NewWorker()
				}
				for _, ev := range events {
					w.Match(ev, func(m *Match) {
						m.Data = map[string][]string{"ip": {ev.ID, "x"}}
						b.Add(m)
					})
				}
				runs = len(b.runs)
				if len(b.matches) > 0 {
					runs++ // Finish spills the rest as the last run
				}
				out := renderFull(b.Finish())
				if b.premergeErr != nil {
					t.Fatal(b.premergeErr)
				}
				// Rounds of merging groups of fanIn until at most fanIn
				// runs are left.
				if want := rounds(runs, c.fanIn); c.fanIn > 0 && b.premerged != want {
					t.Fatalf("%d runs merged %d at a time: %d rounds of pre-merging, want %d", runs, c.fanIn, b.premerged, want)
				}
				return out, b.Stats()
			}
			want, ws := run(mem)
			got, gs := run(disk)
			if c.fanIn > 0 && runs <= c.fanIn*c.fanIn {
				t.Fatalf("runs of %d, seed %d: only %d runs: not two rounds of merging groups of %d", runSize, seed, runs, c.fanIn)
			}
			if got != want {
				t.Fatalf("runs of %d merged %d at a time, segments of %d, ahead %v, seed %d: spilled batch differs:\n%s", runSize, c.fanIn, c.seg, c.ahead, seed, diff(want, got))
			}
			if ws.Matches != gs.Matches || ws.Hits != gs.Hits || ws.MissingGroup != gs.MissingGroup {
				t.Errorf("runs of %d, seed %d: stats differ: memory %+v spilled %+v", runSize, seed, ws, gs)
			}
			if !strings.Contains(want, `"userPrincipalName"`) {
				t.Fatalf("seed %d: no stored event in the hits", seed)
			}
		}
	}
}

// rounds is how many rounds of merging groups of fanIn runs leave at most
// fanIn.
func rounds(runs, fanIn int) int {
	n := 0
	for ; fanIn > 0 && runs > fanIn; n++ {
		runs = (runs + fanIn - 1) / fanIn
	}
	return n
}

// TestScenariosSpilled runs every scenario through spilled batches.
func TestScenariosSpilled(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txtar")
	sort.Strings(files)
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			sc := loadScenario(t, path)
			e := New(sc.set, spilled(t, sc.opts, 2))
			for seed := uint64(1); seed <= 2; seed++ {
				if g := sc.concurrentBatch(e, seed); g != sc.want {
					t.Errorf("spilled batch (seed %d) differs:\n%s", seed, diff(sc.want, g))
				}
			}
		})
	}
}

// FuzzDecodeMatch: a corrupt run record is an error, never a panic.
func FuzzDecodeMatch(f *testing.F) {
	set := compileRules(f, allTypes)
	e := New(set, Options{})
	w := e.NewWorker()
	r := rand.New(rand.NewPCG(1, 2))
	for _, ev := range randomEvents(f, r, 20) {
		w.Match(ev, func(m *Match) {
			m.Data = map[string][]string{"k": {"v"}}
			f.Add(appendMatch(nil, m, nil, binenc.NewDictWriter(), new([]byte)))
		})
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Twice through one decoder and dictionary, the second record
		// after the first: what a decoder carries from record to record
		// (its scratch, its shared feeds, the previous match) meets the
		// input too.
		rd, dict := e.newRunDecoder(nil), &binenc.DictReader{}
		m, err := rd.decodeMatch(b, nil, dict)
		if err == nil && m.Rule == nil {
			t.Fatal("decoded a match without a rule")
		}
		if m2, err := rd.decodeMatch(b, m, dict); err == nil && m2.Rule == nil {
			t.Fatal("decoded a match without a rule")
		}
	})
}

// TestDiscardRemovesRuns: a batch that ends without Finish leaves no run
// file behind.
func TestDiscardRemovesRuns(t *testing.T) {
	set := compileRules(t, allTypes)
	e := New(set, spilled(t, Options{}, 1))
	b := e.NewBatch()
	w := e.NewWorker()
	r := rand.New(rand.NewPCG(3, 4))
	for _, ev := range randomEvents(t, r, 20) {
		w.Match(ev, b.Add)
	}
	if b.runFile == nil || len(b.runs) == 0 {
		t.Fatal("no run was spilled")
	}
	name := b.runFile.Name()
	if _, err := os.Stat(name); err != nil {
		t.Fatal(err)
	}
	b.Discard()
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("run file %s still there after Discard: %v", name, err)
	}
	if hits := b.Finish(); hits != nil {
		t.Errorf("Finish after Discard returned %d hits", len(hits))
	}
}

// TestRunRecordRoundTrip: a match read back from its run record has the
// feeds (key included) and data it was written with, and its lists, which
// share one array, are capped: appending to one leaves the next alone.
func TestRunRecordRoundTrip(t *testing.T) {
	set := compileRules(t, allTypes)
	e := New(set, Options{})
	w := e.NewWorker()
	r := rand.New(rand.NewPCG(3, 4))
	dw, dr := binenc.NewDictWriter(), &binenc.DictReader{}
	rd := e.newRunDecoder(nil)
	var prevIn, prevOut *Match
	feeds := 0
	for _, ev := range randomEvents(t, r, 200) {
		w.Match(ev, func(m *Match) {
			m.Data = map[string][]string{"ip": {ev.ID, "x"}, "user": {"u"}, "none": nil}
			want := fmt.Sprintf("%+v %v", m.feeds, m.Data)
			b := appendMatch(nil, m, prevIn, dw, new([]byte))
			got, err := rd.decodeMatch(b, prevOut, dr)
			if err != nil {
				t.Fatal(err)
			}
			if g := fmt.Sprintf("%+v %v", got.feeds, got.Data); g != want {
				t.Fatalf("read back\n%s\nwritten\n%s", g, want)
			}
			feeds += len(got.feeds)
			ip := got.Data["ip"]
			_ = append(ip, "appended")
			if u := got.Data["user"]; len(u) != 1 || u[0] != "u" {
				t.Fatalf("an append to one list changed another: %q", u)
			}
			prevIn, prevOut = m, got
		})
	}
	if feeds == 0 {
		t.Fatal("no feeds")
	}
	// Keys that are not their one group value as written: mixed case,
	// several values, a missing value (ok false, key partial).
	for _, f := range []feed{
		{corr: 0, key: "alice@x", group: []string{"Alice@X"}, ok: true},
		{corr: 0, key: "alice@x\x1fapp", group: []string{"Alice@X", "App"}, values: []string{"V1", "v2"}, ok: true},
		{corr: 0, key: "bob", group: []string{"bob"}, num: 2.5, numOK: true, pos: 1, ok: true},
		{corr: 0, key: "", group: nil, ok: false},
	} {
		m := &Match{Rule: set.Rules[0], Time: time.Unix(1, 0).UTC(), ident: "x", feeds: []feed{f}}
		got, err := rd.decodeMatch(appendMatch(nil, m, nil, dw, new([]byte)), nil, dr)
		if err != nil {
			t.Fatal(err)
		}
		g := got.feeds[0]
		if g.key != f.key || !slices.Equal(g.group, f.group) || !slices.Equal(g.values, f.values) ||
			g.num != f.num || g.numOK != f.numOK || g.pos != f.pos || g.ok != f.ok {
			t.Errorf("feed %+v read back as %+v", f, g)
		}
	}
}

// TestFeedKeyIsGroupKey: a feed's key is its group values folded, which
// runs rely on to leave the key out.
func TestFeedKeyIsGroupKey(t *testing.T) {
	set := compileRules(t, allTypes)
	e := New(set, Options{})
	w := e.NewWorker()
	r := rand.New(rand.NewPCG(3, 4))
	n := 0
	for _, ev := range randomEvents(t, r, 200) {
		w.Match(ev, func(m *Match) {
			for _, f := range m.feeds {
				n++
				if f.key != groupKey(f.group) {
					t.Errorf("feed key %q, group %q", f.key, f.group)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no feeds")
	}
}

// seqTypes are two sequences whose later steps a Batch defers: success
// and denied each feed one temporal_ordered correlation, success after
// failed, denied after a burst of failures (a correlation whose group-by
// holds the sequence's in another order). A rule reported on its own
// matches the events of users a and b: their later steps are deferred,
// user c's are not (an event needs a whole match to be found again by).
// Another matches every user's: its matches are deferred as hits
// (Worker.DeferHits).
const seqTypes = failedSuccess + `title: Denied
name: denied
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        status.errorCode: 500121
    condition: selection
---
title: Users a and b
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        userPrincipalName: [a, b]
    condition: selection
---
title: Every user
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        userPrincipalName: [a, b, c]
    condition: selection
---
title: Failed then success
correlation: {type: temporal_ordered, rules: [failed, success], group-by: [userPrincipalName, ipAddress], timespan: 10m}
---
title: Burst
name: burst
correlation: {type: event_count, rules: [failed], group-by: [ipAddress, userPrincipalName], timespan: 10m, condition: {gte: 2}}
---
title: Burst then denied
correlation: {type: temporal_ordered, rules: [burst, denied], group-by: [userPrincipalName], timespan: 20m}
`

// countPlans is how many rules e defers.
func countPlans(e *Engine) int {
	n := 0
	for _, p := range e.plans {
		if p != nil {
			n++
		}
	}
	return n
}

// matchAll matches events into a new Batch of e with a worker of the
// Batch's own (deferring: Batch.NewWorker, then prepare when given) or of
// the engine's (every match whole), and returns the Batch.
func matchAll(e *Engine, events []*event.Event, deferring bool, prepare func(*Worker, *Batch)) *Batch {
	b := e.NewBatch()
	w := e.NewWorker()
	if deferring {
		w = b.NewWorker()
		if prepare != nil {
			prepare(w, b)
		}
	}
	for _, ev := range events {
		w.Match(ev, b.Add)
	}
	return b
}

// TestDeferredEqualsWhole checks that a Batch whose worker defers the
// later steps of sequences (Batch.NewWorker) returns exactly the hits and
// counts of one that does not, in memory and spilled (the deferred
// records written in many sections), and that it did defer, rebuild some
// and drop others.
func TestDeferredEqualsWhole(t *testing.T) {
	set := compileRules(t, seqTypes)
	defer func(n int) { laterChunk = n }(laterChunk)
	laterChunk = 200
	mem := New(set, Options{})
	if n := countPlans(mem); n != 2 {
		t.Fatalf("%d rules deferred, want 2 (success and denied)", n)
	}
	var every *compile.Rule
	for _, r := range set.Rules {
		if r.Title == "Every user" {
			every = r
		}
	}
	hseed := maphash.MakeSeed()
	keepA := maphash.String(hseed, "a")
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 13))
		events := randomEvents(t, r, 200)
		for i := range 5 { // without an IP: success's key is missing
			events = append(events, signIn(t, fmt.Sprint("n", i), t0.Add(time.Duration(i)*time.Minute),
				`{"userPrincipalName":"a","status":{"errorCode":0}}`))
		}
		r.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		run := func(e *Engine, deferring bool) (string, Stats, *Batch) {
			// The reported rule's matches wait as hashes of their user;
			// Finish keeps user a's (as an alert Pruner keeps the keys
			// that can alert).
			b := matchAll(e, events, deferring, func(w *Worker, b *Batch) {
				w.DeferHits(every, func(ev *event.Event) (uint64, bool) {
					return maphash.String(hseed, ev.String(event.Path{"userPrincipalName"})), true
				})
				b.KeepHits(every, func(h uint64) bool { return h == keepA })
			})
			// The caller drops the hits of users other than a either
			// way: those the engine could not drop reach it.
			hits := slices.DeleteFunc(b.Finish(), func(h Hit) bool {
				return h.Rule == every && fastjson.GetString(h.Event.JSON(), "userPrincipalName") != "a"
			})
			return renderFull(hits), b.Stats(), b
		}
		want, ws, _ := run(mem, false)
		for _, e := range []*Engine{mem, New(set, spilled(t, Options{}, 16))} {
			got, gs, b := run(e, true)
			where := "in memory"
			if e.opts.Spill != nil {
				where = "spilled"
			}
			if got != want {
				t.Fatalf("seed %d, %s: deferring batch differs:\n%s", seed, where, diff(want, got))
			}
			if ws.Matches != gs.Matches || ws.Hits != gs.Hits || ws.MissingGroup != gs.MissingGroup || ws.NoTime != gs.NoTime {
				t.Errorf("seed %d, %s: stats differ: whole %+v deferring %+v", seed, where, ws, gs)
			}
			if b.deferred == 0 || b.rebuilt == 0 || b.rebuilt == b.deferred || gs.DroppedHits == 0 {
				t.Errorf("seed %d, %s: %d matches deferred, %d rebuilt, %d hits dropped: want some of each kept and dropped", seed, where, b.deferred, b.rebuilt, gs.DroppedHits)
			}
		}
		if !strings.Contains(want, `"rule":"Failed then success"`) || !strings.Contains(want, `"rule":"Burst then denied"`) ||
			!strings.Contains(want, `"rule":"Every user"`) {
			t.Errorf("seed %d: a sequence did not fire, or the reported rule has no hit", seed)
		}
	}
}

// TestDeferredSameIdentity: records that share their time and identity
// (ID-less records of one line of a JSON array; copies of one ID) must
// each rebuild their own deferred matches, in the total order.
func TestDeferredSameIdentity(t *testing.T) {
	// Success before Failed: a rebuilt success must come before the
	// failure of another record with the same identity.
	set := compileRules(t, successRule+`title: Failed
name: failed
logsource: {product: azure, service: signinlogs}
detection: {selection: {status.errorCode: 50126}, condition: selection}
---
title: Other
logsource: {product: azure, service: signinlogs}
detection: {selection: {status.errorCode: 99}, condition: selection}
---
title: Users a
logsource: {product: azure, service: signinlogs}
detection: {selection: {userPrincipalName: a}, condition: selection}
---
title: Seq
correlation: {type: temporal_ordered, rules: [failed, success], group-by: [userPrincipalName], timespan: 1h}
`)
	at := func(id, doc string, line, index int, d time.Duration) *event.Event {
		ev := signIn(t, id, t0.Add(d), doc)
		ev.Origin = event.Origin{File: "t.json", Line: line, Index: index}
		return ev
	}
	first := at("f", `{"userPrincipalName":"a","status":{"errorCode":50126}}`, 1, 0, 0)
	for _, c := range []struct {
		name   string
		events []*event.Event
	}{
		{"one line, no IDs", []*event.Event{first,
			at("", `{"userPrincipalName":"a","status":{"errorCode":0}}`, 5, 0, time.Minute),
			at("", `{"userPrincipalName":"zz","status":{"errorCode":99}}`, 5, 1, time.Minute)}},
		{"one ID twice", []*event.Event{first,
			at("x", `{"userPrincipalName":"a","status":{"errorCode":0}}`, 2, 0, time.Minute),
			at("x", `{"userPrincipalName":"a","status":{"errorCode":50126}}`, 3, 0, time.Minute)}},
	} {
		run := func(e *Engine, deferring bool) string {
			return renderFull(matchAll(e, c.events, deferring, nil).Finish())
		}
		mem := New(set, Options{})
		want := run(mem, false)
		if !strings.Contains(want, `"rule":"Seq"`) {
			t.Fatalf("%s: the sequence does not fire:\n%s", c.name, want)
		}
		for _, e := range []*Engine{mem, New(set, spilled(t, Options{}, 2))} {
			if got := run(e, true); got != want {
				t.Errorf("%s (spilled %v): deferring batch differs:\n%s", c.name, e.opts.Spill != nil, diff(want, got))
			}
		}
	}
}
