package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// BenchmarkCorrelate measures phase 2 alone: a Batch over 100 000 matches
// of 1 000 users feeding every correlation type of allTypes.
//
//	go test ./internal/engine -run '^$' -bench BenchmarkCorrelate -benchmem -cpu 1
func BenchmarkCorrelate(b *testing.B) {
	set := compileRules(b, allTypes)
	e := New(set, Options{})
	w := e.NewWorker()
	r := rand.New(rand.NewPCG(1, 2))
	codes := []int{0, 50126, 500121}
	var matches []*Match
	at := t0
	for i := 0; len(matches) < 100000; i++ {
		at = at.Add(time.Duration(r.IntN(100)) * time.Millisecond)
		doc := fmt.Sprintf(`{"userPrincipalName":"u%d","ipAddress":"10.0.%d.%d","status":{"errorCode":%d},"processingTimeInMilliseconds":%d}`,
			r.IntN(1000), r.IntN(4), r.IntN(250), codes[r.IntN(len(codes))], r.IntN(600))
		ev := signIn(b, fmt.Sprint(i), at, doc)
		ev.Kind = event.KindEntraSignIn
		w.Match(ev, func(m *Match) { matches = append(matches, m) })
	}
	benchFinish(b, e, matches, true)
}

// benchFinish adds matches to a fresh Batch of e and finishes it, b.N
// times, timing the adding too when timeAdd, and reports the time per
// match and the hits.
func benchFinish(b *testing.B, e *Engine, matches []*Match, timeAdd bool) {
	b.ReportAllocs()
	b.ResetTimer()
	hits := 0
	for i := 0; i < b.N; i++ {
		if !timeAdd {
			b.StopTimer()
		}
		batch := e.NewBatch()
		for _, m := range matches {
			batch.Add(m)
		}
		b.StartTimer()
		hits += len(batch.Finish())
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(matches)), "ns/match")
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}

// BenchmarkMergeSpilled measures Finish over spilled runs as a scan of
// sign-in exports has them: 300 000 successful sign-ins in time order, each
// feeding a first-seen (new_value) correlation and the later step of a
// sequence whose first step never comes, with a Data field, in runs of
// 16 384. Adding the matches (sorting and writing the runs) is not timed.
//
//	go test ./internal/engine -run '^$' -bench BenchmarkMergeSpilled -benchmem -cpu 1,2
func BenchmarkMergeSpilled(b *testing.B) {
	set := compileRules(b, blockedSuccess+blockedThenSuccess+`title: New country
correlation: {type: new_value, rules: [success], group-by: [userPrincipalName], timespan: 30d, learning: 1d, condition: {field: country}}
`)
	e := New(set, spilled(b, Options{}, 16384))
	w := e.NewWorker()
	r := rand.New(rand.NewPCG(1, 2))
	var matches []*Match
	at := t0
	for i := 0; len(matches) < 300000; i++ {
		at = at.Add(time.Duration(r.IntN(1000)) * time.Millisecond)
		ip := fmt.Sprintf("10.0.%d.%d", r.IntN(4), r.IntN(250))
		doc := fmt.Sprintf(`{"userPrincipalName":"u%d@contoso.example","ipAddress":%q,"country":"C%d","status":{"errorCode":0}}`,
			r.IntN(1000), ip, r.IntN(3))
		ev := signIn(b, fmt.Sprint(i), at, doc)
		w.Match(ev, func(m *Match) {
			m.Data = map[string][]string{"ipAddress": {ip}}
			matches = append(matches, m)
		})
	}
	benchFinish(b, e, matches, false)
}

// BenchmarkBatchDeferred measures a Batch from phase 1 to Finish, spilled,
// with its own worker (Batch.NewWorker: the later steps of a sequence are
// deferred) against Engine.NewWorker (every match whole): 100 000 sign-ins
// in time order, 1 % blocked (the sequence's first step), the rest
// successes (its later step), every one a match of a reported rule too.
//
//	go test ./internal/engine -run '^$' -bench BenchmarkBatchDeferred -benchmem -cpu 1
func BenchmarkBatchDeferred(b *testing.B) {
	set := compileRules(b, blockedSuccess+blockedThenSuccess+`title: Every sign-in
logsource: {product: azure, service: signinlogs}
detection: {selection: {userPrincipalName|contains: '@'}, condition: selection}
`)
	e := New(set, spilled(b, Options{}, 8192))
	r := rand.New(rand.NewPCG(1, 2))
	events := benchSignIns(b, r, 100000, time.Second, func() string {
		code := 0
		if r.IntN(100) == 0 {
			code = 53003
		}
		return fmt.Sprintf(`{"userPrincipalName":"u%d@contoso.example","ipAddress":"10.0.%d.%d","status":{"errorCode":%d}}`,
			r.IntN(1000), r.IntN(4), r.IntN(250), code)
	})
	benchDeferring(b, e, events)
}

// BenchmarkBatchFirstSeen measures a Batch from phase 1 to Finish, spilled,
// with and without its workers deferring first-seen inputs (firstseen.go):
// 100 000 sign-ins in time order over 30 days, 1,000 users each keeping
// to two countries, one sign-in in 500 from a country new to its user,
// every success feeding a first-seen correlation and the later step of a
// sequence whose first step (1 % of the sign-ins) is rare.
//
//	go test ./internal/engine -run '^$' -bench BenchmarkBatchFirstSeen -benchmem -cpu 1
func BenchmarkBatchFirstSeen(b *testing.B) {
	set := compileRules(b, blockedSuccess+blockedThenSuccess+`title: New country
correlation: {type: new_value, rules: [success], group-by: [userPrincipalName], timespan: 14d, learning: 3d, condition: {field: country}}
`)
	e := New(set, spilled(b, Options{}, 8192))
	r := rand.New(rand.NewPCG(1, 2))
	events := benchSignIns(b, r, 100000, 52*time.Second, func() string {
		u := r.IntN(1000)
		country := fmt.Sprintf("C%d", u%50+r.IntN(2))
		if r.IntN(500) == 0 {
			country = fmt.Sprintf("X%d", r.IntN(100))
		}
		code := 0
		if r.IntN(100) == 0 {
			code = 53003
		}
		return fmt.Sprintf(`{"userPrincipalName":"u%d@contoso.example","ipAddress":"10.0.%d.%d","country":%q,"status":{"errorCode":%d}}`,
			u, r.IntN(4), r.IntN(250), country, code)
	})
	benchDeferring(b, e, events)
}

// blockedThenSuccess is a sequence whose later step is a success.
const blockedThenSuccess = `title: Blocked then success
correlation: {type: temporal_ordered, rules: [blocked, success], group-by: [userPrincipalName, ipAddress], timespan: 1h}
---
`

// benchSignIns makes n sign-ins in time order, at most step apart, doc
// giving each one's document.
func benchSignIns(b *testing.B, r *rand.Rand, n int, step time.Duration, doc func() string) []*event.Event {
	var events []*event.Event
	at := t0
	for i := range n {
		at = at.Add(time.Duration(r.IntN(int(step/time.Millisecond))) * time.Millisecond)
		events = append(events, signIn(b, fmt.Sprint(i), at, doc()))
	}
	return events
}

// benchDeferring measures a Batch of e over events from phase 1 to
// Finish, its worker the engine's (every match whole) and the Batch's own
// (deferring).
func benchDeferring(b *testing.B, e *Engine, events []*event.Event) {
	for _, deferring := range []bool{false, true} {
		name := "whole"
		if deferring {
			name = "deferred"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			hits := 0
			for b.Loop() {
				hits += len(matchAll(e, events, deferring, nil).Finish())
			}
			b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
		})
	}
}
