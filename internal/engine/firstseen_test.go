package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// interactiveRule is an interactive sign-in.
const interactiveRule = `title: Interactive
name: interactive
logsource: {product: azure, service: signinlogs}
detection: {selection: {isInteractive: true}, condition: selection}
---
`

// siftTypes: success feeds a sequence (as its later step) and two
// first-seen correlations, one of them with array values; interactive
// feeds the first and a count, so its matches stay whole; a reported rule
// matches user u1's events, whose deferred matches it hosts.
const siftTypes = failedSuccess + interactiveRule + `title: User u1
logsource: {product: azure, service: signinlogs}
detection: {selection: {userPrincipalName: u1}, condition: selection}
---
title: Failed then success
correlation: {type: temporal_ordered, rules: [failed, success], group-by: [userPrincipalName], timespan: 30m}
---
title: New country
correlation: {type: new_value, rules: [success, interactive], group-by: [userPrincipalName], timespan: 3h, learning: 1h, condition: {field: country}}
---
title: New tag
correlation: {type: new_value, rules: [success], group-by: [userPrincipalName], timespan: 2h, learning: 30m, condition: {field: tags}}
---
title: Interactive burst
correlation: {type: event_count, rules: [interactive], group-by: [userPrincipalName], timespan: 10m, condition: {gte: 3}}
`

// siftEvents makes n random sign-ins over some ten hours: users keep to
// two countries and a tag of their own, now and then trying others (user
// u0 also signs in interactively, u19 goes round four countries); some
// records lack a user, repeat, or have no ID.
func siftEvents(t testing.TB, r *rand.Rand, n int) []*event.Event {
	countries := []string{"FR", "DE", "US", "br", "Jp", "NL"}
	tags := []string{"mfa", "Legacy", "mobile", "kiosk"}
	at := t0
	var out []*event.Event
	trips := 0
	for i := range n {
		at = at.Add(time.Duration(r.IntN(90)) * time.Second)
		u := r.IntN(20)
		country := countries[(u+r.IntN(2))%len(countries)]
		if r.IntN(150) == 0 {
			country = countries[r.IntN(len(countries))]
		}
		if u == 19 { // a traveller: more countries than MaxDistinct 3
			country = countries[trips%4]
			trips++
		}
		tag := fmt.Sprintf("%q", tags[u%2])
		if r.IntN(200) == 0 {
			tag += fmt.Sprintf(",%q", tags[r.IntN(len(tags))])
		}
		user := fmt.Sprintf(`"userPrincipalName":"u%d",`, u)
		if r.IntN(30) == 0 {
			user = ""
		}
		code := 0
		if r.IntN(40) == 0 {
			code = 50126
		}
		doc := fmt.Sprintf(`{%s"country":%q,"tags":[%s],"isInteractive":%v,"status":{"errorCode":%d}}`,
			user, country, tag, u == 0 && r.IntN(2) == 0, code)
		id := fmt.Sprintf("e%d", i)
		if r.IntN(20) == 0 {
			id = "" // identified by its origin
		}
		ev := signIn(t, id, at, doc)
		ev.Origin = event.Origin{File: "t.jsonl", Line: i + 1}
		out = append(out, ev)
		if r.IntN(15) == 0 { // a duplicate record
			out = append(out, ev)
		}
	}
	return out
}

// TestSiftedEqualsWhole checks that a Batch whose workers defer first-seen
// inputs (firstseen.go) returns exactly the hits and counts of one that
// defers nothing, in memory and spilled, with and without a cap on the
// values known per key (at 3, every key is kept), trusting IDs to be
// unique or not (the repeats here are copies), and that it did drop
// inputs.
func TestSiftedEqualsWhole(t *testing.T) {
	set := compileRules(t, siftTypes)
	defer func(n int) { laterChunk = n }(laterChunk)
	laterChunk = 300
	for _, o := range []Options{{}, {MaxDistinct: 3}, {UniqueIDs: true}} {
		mem := New(set, o)
		if p := mem.plan(set.Rules[1]); set.Rules[1].Name != "success" || p == nil || p.seq < 0 || len(p.nv) != 2 {
			t.Fatalf("success is not deferred as a later step and two first-seen inputs: %+v", p)
		}
		for seed := uint64(1); seed <= 15; seed++ {
			r := rand.New(rand.NewPCG(seed, 29))
			events := siftEvents(t, r, 600)
			r.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
			run := func(e *Engine, deferring bool) (string, Stats, *Batch) {
				b := matchAll(e, events, deferring, nil)
				return renderFull(b.Finish()), b.Stats(), b
			}
			want, ws, _ := run(mem, false)
			for _, name := range []string{"New country", "New tag", "Failed then success"} {
				if !strings.Contains(want, fmt.Sprintf(`"rule":%q`, name)) {
					t.Fatalf("seed %d: %s does not fire", seed, name)
				}
			}
			for _, e := range []*Engine{mem, New(set, spilled(t, o, 16))} {
				got, gs, b := run(e, true)
				where := fmt.Sprintf("%+v, spilled %v", o, e.opts.Spill != nil)
				if got != want {
					t.Fatalf("seed %d, %s: deferring batch differs:\n%s", seed, where, diff(want, got))
				}
				if ws.Matches != gs.Matches || ws.Hits != gs.Hits || ws.MissingGroup != gs.MissingGroup || ws.NoTime != gs.NoTime {
					t.Errorf("seed %d, %s: stats differ: whole %+v deferring %+v", seed, where, ws, gs)
				}
				if o.MaxDistinct == 0 && !o.UniqueIDs && (b.rebuilt == 0 || b.rebuilt > b.deferred*3/4) {
					t.Errorf("seed %d, %s: %d matches deferred, %d rebuilt: want a quarter dropped at least", seed, where, b.deferred, b.rebuilt)
				}
				// Two workers, each sifting its share (merged by Finish).
				b = e.NewBatch()
				ws := []*Worker{b.NewWorker(), b.NewWorker()}
				for i, ev := range events {
					ws[i%2].Match(ev, b.Add)
				}
				if got := renderFull(b.Finish()); got != want {
					t.Fatalf("seed %d, %s, two workers: deferring batch differs:\n%s", seed, where, diff(want, got))
				}
			}
		}
	}
}

// FuzzDeferredRecords: corrupt deferred records are an error, never a
// panic, whether sifted or resolved.
func FuzzDeferredRecords(f *testing.F) {
	set := compileRules(f, siftTypes)
	e := New(set, Options{})
	r := rand.New(rand.NewPCG(1, 2))
	b := e.NewBatch()
	w := b.NewWorker()
	for _, ev := range siftEvents(f, r, 40) {
		w.Match(ev, b.Add)
		if len(w.later) > 0 {
			f.Add(slices.Clone(w.later))
			w.later = w.later[:0]
		}
	}
	f.Fuzz(func(t *testing.T, recs []byte) {
		b := e.NewBatch()
		s := b.sifter()
		if b.eachSift(recs, func(ci int, rec *laterRec, kh uint64, vals []byte) { s.observe(e, ci, kh, rec.t, vals) }) != nil {
			return
		}
		if s.endings() {
			_ = b.eachSift(recs, func(ci int, rec *laterRec, kh uint64, vals []byte) { s.twin(ci, kh, rec.t, rec.idh, vals) })
		}
		s.decide(e)
		_ = b.resolveRecords(&rebuilder{b: b}, recs)
	})
}

// TestSiftPairsCap: past maxPairs pairs, counted over every worker (each
// alone stays under it here), every key is kept, and the hits are still
// exact.
func TestSiftPairsCap(t *testing.T) {
	defer func(n int) { maxPairs = n }(maxPairs)
	maxPairs = 150 // each worker makes 80–110 pairs a correlation here
	set := compileRules(t, siftTypes)
	e := New(set, spilled(t, Options{}, 16))
	events := siftEvents(t, rand.New(rand.NewPCG(3, 29)), 600)
	want := renderFull(matchAll(e, events, false, nil).Finish())
	b := e.NewBatch()
	ws := []*Worker{b.NewWorker(), b.NewWorker()}
	for i, ev := range events {
		ws[i%2].Match(ev, b.Add)
	}
	for ci := range e.corrs {
		if n := len(ws[0].sift.pairs[ci]) + len(ws[1].sift.pairs[ci]); n > maxPairs {
			t.Errorf("correlation %d: the workers hold %d pairs, over the cap of %d", ci, n, maxPairs)
		}
	}
	if !slices.Contains(ws[0].sift.all, true) && !slices.Contains(ws[1].sift.all, true) {
		t.Error("no worker reached the cap")
	}
	if got := renderFull(b.Finish()); got != want {
		t.Fatalf("deferring batch differs:\n%s", diff(want, got))
	}
	if b.rebuilt < b.deferred*9/10 {
		t.Errorf("%d of %d deferred matches rebuilt: want every key kept", b.rebuilt, b.deferred)
	}
}
