package engine

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/sigma"
	"github.com/valyala/fastjson"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func compileRules(t testing.TB, src string) *compile.Set {
	t.Helper()
	rules, errs := sigma.Parse("rules.yml", []byte(src))
	errs = append(errs, sigma.Link(rules)...)
	for _, e := range errs {
		if !e.Warning {
			t.Fatalf("parse: %v", e)
		}
	}
	set, probs := compile.Compile(rules, compile.Options{})
	for _, p := range probs {
		if !p.Warning {
			t.Fatalf("compile: %v", p)
		}
	}
	return set
}

func signIn(t testing.TB, id string, at time.Time, doc string) *event.Event {
	t.Helper()
	v, err := fastjson.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &event.Event{Kind: event.KindEntraSignIn, Time: at, ID: id, Doc: v, Raw: []byte(doc),
		Origin: event.Origin{File: "t.jsonl", Line: 1}}
}

// failedSuccess are two detection rules: a wrong password, a success.
const failedSuccess = `title: Failed
name: failed
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        status.errorCode: 50126
    condition: selection
---
title: Success
name: success
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        status.errorCode: 0
    condition: selection
---
`

// allTypes is a rule set with every correlation type over one base rule
// family, for the property test.
const allTypes = failedSuccess + `title: Count
name: count
correlation: {type: event_count, rules: [failed], group-by: [userPrincipalName], timespan: 10m, condition: {gte: 3}}
---
title: Distinct
correlation: {type: value_count, rules: [failed, success], group-by: [userPrincipalName], timespan: 15m, condition: {field: ipAddress, gte: 3}}
---
title: Temporal
correlation: {type: temporal, rules: [failed, success], group-by: [userPrincipalName], timespan: 5m}
---
title: Ordered
correlation: {type: temporal_ordered, rules: [count, success], group-by: [userPrincipalName], timespan: 20m}
---
title: Sum
correlation: {type: value_sum, rules: [success], group-by: [userPrincipalName], timespan: 30m, condition: {field: processingTimeInMilliseconds, gt: 900}}
---
title: Avg
correlation: {type: value_avg, rules: [success, failed], group-by: [ipAddress], timespan: 20m, condition: {field: processingTimeInMilliseconds, gte: 300}}
---
title: Percentile
correlation: {type: value_percentile, rules: [success], group-by: [userPrincipalName], timespan: 1h, condition: {field: ipAddress, lte: 25}}
---
title: Exactly two
correlation: {type: event_count, rules: [success], group-by: [userPrincipalName], timespan: 10m, condition: {eq: 2}}
---
title: New address
correlation: {type: new_value, rules: [success], group-by: [userPrincipalName], timespan: 2h, learning: 30m, condition: {field: ipAddress}}
`

// randomEvents makes a random sign-in sequence in time order.
func randomEvents(t testing.TB, r *rand.Rand, n int) []*event.Event {
	users := []string{"a", "b", "c"}
	codes := []int{0, 0, 50126, 50126, 50126, 500121}
	at := t0
	var out []*event.Event
	for i := 0; i < n; i++ {
		at = at.Add(time.Duration(r.IntN(240)) * time.Second)
		doc := fmt.Sprintf(`{"userPrincipalName":%q,"ipAddress":"10.0.0.%d","status":{"errorCode":%d},"processingTimeInMilliseconds":%d}`,
			users[r.IntN(len(users))], r.IntN(6), codes[r.IntN(len(codes))], r.IntN(600))
		out = append(out, signIn(t, fmt.Sprintf("e%d", i), at, doc))
		if r.IntN(10) == 0 { // a duplicate record
			out = append(out, out[len(out)-1])
		}
	}
	return out
}

// TestStreamEqualsBatch checks, over random inputs, that a Stream fed in
// time order with arbitrary Advance points returns exactly the hits of a
// Batch, and that the Batch does not depend on input order.
func TestStreamEqualsBatch(t *testing.T) {
	set := compileRules(t, allTypes)
	e := New(set, Options{MaxDistinct: 4})
	for seed := uint64(1); seed <= 30; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		events := randomEvents(t, r, 150)
		w := e.NewWorker()

		// The batch's own worker defers the sequences' later steps.
		b := e.NewBatch()
		bw := b.NewWorker()
		shuffled := append([]*event.Event(nil), events...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for _, ev := range shuffled {
			bw.Match(ev, b.Add)
		}
		want := renderHits(b.Finish())

		s := e.NewStream()
		var got []Hit
		for i, ev := range events {
			w.Match(ev, s.Add)
			if r.IntN(3) == 0 || i == len(events)-1 {
				got = append(got, s.Advance(ev.Time)...)
			}
		}
		got = append(got, s.Flush()...)
		if g := renderHits(got); g != want {
			t.Fatalf("seed %d: stream differs from batch:\n%s", seed, diff(want, g))
		}
		if strings.Count(want, "\n") == 0 {
			t.Errorf("seed %d: no hits at all", seed)
		}
		// Duplicates are not compared: they count copies dropped by a
		// key's state, and a Stream drops idle state sooner.
		if bs, ss := b.Stats(), s.Stats(); bs.Matches != ss.Matches || bs.Hits != ss.Hits || bs.MissingGroup != ss.MissingGroup {
			t.Errorf("seed %d: stats differ: batch %+v stream %+v", seed, bs, ss)
		}
	}
}

func TestStats(t *testing.T) {
	set := compileRules(t, allTypes)
	e := New(set, Options{MaxDistinct: 2, MaxKeys: 1, Lateness: time.Minute})
	w := e.NewWorker()
	s := e.NewStream()
	add := func(id string, at time.Time, doc string) { w.Match(signIn(t, id, at, doc), s.Add) }
	add("1", t0, `{"userPrincipalName":"a","ipAddress":"10.0.0.1","status":{"errorCode":0}}`)
	add("1", t0, `{"userPrincipalName":"a","ipAddress":"10.0.0.1","status":{"errorCode":0}}`) // duplicate
	add("2", t0.Add(time.Second), `{"ipAddress":"10.0.0.2","status":{"errorCode":0}}`)        // no user
	add("3", t0.Add(2*time.Second), `{"userPrincipalName":"b","status":{"errorCode":0}}`)     // second key
	add("4", t0.Add(3*time.Second), `{"userPrincipalName":"a","ipAddress":"10.0.0.3","status":{"errorCode":0}}`)
	add("5", t0.Add(4*time.Second), `{"userPrincipalName":"a","ipAddress":"10.0.0.4","status":{"errorCode":0}}`)
	s.Advance(t0.Add(10 * time.Minute))
	add("6", t0.Add(time.Minute), `{"userPrincipalName":"a","status":{"errorCode":0}}`) // late
	s.Advance(t0.Add(10 * time.Minute))
	st := s.Stats()
	if st.Duplicates == 0 || st.MissingGroup == 0 || st.KeyOverflow == 0 || st.DistinctOverflow == 0 || st.Late != 1 || st.NonNumeric == 0 {
		t.Errorf("stats: %+v", st)
	}
	if st.Keys == 0 {
		t.Errorf("no live keys: %+v", st)
	}
	// Far beyond every timespan, every key expires except new_value's
	// history, which lasts its timespan (2h).
	s.Advance(t0.Add(3 * time.Hour))
	if st := s.Stats(); st.Keys != 0 {
		t.Errorf("keys after expiry = %d", st.Keys)
	}
}

func TestNoTime(t *testing.T) {
	set := compileRules(t, allTypes)
	e := New(set, Options{})
	b := e.NewBatch()
	e.NewWorker().Match(signIn(t, "x", time.Time{}, `{"userPrincipalName":"a","status":{"errorCode":0}}`), b.Add)
	hits := b.Finish()
	if st := b.Stats(); st.NoTime != 1 || len(hits) != 0 {
		t.Errorf("stats %+v hits %d", st, len(hits))
	}
}

func TestMaxEvidence(t *testing.T) {
	set := compileRules(t, allTypes+`---
title: Count again
correlation: {type: event_count, rules: [failed], group-by: [userPrincipalName], timespan: 10m, condition: {gte: 3}}
`)
	e := New(set, Options{MaxEvidence: 2})
	b := e.NewBatch()
	w := e.NewWorker()
	for i := 0; i < 3; i++ {
		w.Match(signIn(t, fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second), `{"userPrincipalName":"a","status":{"errorCode":50126}}`), b.Add)
	}
	var found bool
	for _, h := range b.Finish() {
		if h.Rule.Title == "Count again" {
			found = true
			if len(h.Contributing) != 2 || h.Total != 3 || h.Value != 3 {
				t.Errorf("evidence %d total %d value %v", len(h.Contributing), h.Total, h.Value)
			}
		}
	}
	if !found {
		t.Error("Count did not fire")
	}
}

// TestNoClock guards the rule that the engine never reads the clock.
func TestNoClock(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	sort.Strings(files)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"time.Now(", "time.Since(", "time.Until("} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s calls %s", f, bad)
			}
		}
	}
}

// blockedSuccess is two base rules of sign-ins, a Conditional Access block
// and a success, for sequence correlations.
const blockedSuccess = `title: Blocked
name: blocked
logsource: {product: azure, service: signinlogs}
detection: {selection: {status.errorCode: 53003}, condition: selection}
---
` + successRule

// successRule is a successful sign-in.
const successRule = `title: Success
name: success
logsource: {product: azure, service: signinlogs}
detection: {selection: {status.errorCode: 0}, condition: selection}
---
`

// TestOrderedLaterStepsOpenNothing feeds a temporal_ordered correlation
// later-step inputs for keys without a first step: they must make no state
// (every successful sign-in feeds such a sequence), a copy of one counts as
// a match only (a Batch that defers such inputs cannot tell copies apart),
// and a key with its first step must still fire.
func TestOrderedLaterStepsOpenNothing(t *testing.T) {
	set := compileRules(t, blockedSuccess+`title: Blocked then success
correlation: {type: temporal_ordered, rules: [blocked, success], group-by: [userPrincipalName], timespan: 1h}
`)
	e := New(set, Options{})
	w := e.NewWorker()
	var st Stats
	c := newCorrelator(e, &st, false)
	add := func(id string, at time.Time, doc string) { w.Match(signIn(t, id, at, doc), c.consume) }
	for i := range 500 {
		add(fmt.Sprint("s", i), t0.Add(time.Duration(i)*time.Second), fmt.Sprintf(`{"userPrincipalName":"u%d","status":{"errorCode":0}}`, i))
	}
	add("s499", t0.Add(499*time.Second), `{"userPrincipalName":"u499","status":{"errorCode":0}}`) // a copy
	keys := 0
	for _, cs := range c.states {
		keys += len(cs.buckets)
	}
	if keys != 0 || st.Duplicates != 0 || st.Matches != 501 {
		t.Fatalf("after later steps only: %d keys, %d duplicates, %d matches; want 0, 0 and 501", keys, st.Duplicates, st.Matches)
	}
	add("b", t0.Add(10*time.Minute), `{"userPrincipalName":"u7","status":{"errorCode":53003}}`)
	add("s", t0.Add(11*time.Minute), `{"userPrincipalName":"u7","status":{"errorCode":0}}`)
	hits := c.out
	fired := 0
	for _, h := range hits {
		if h.Rule.Title == "Blocked then success" {
			fired++
		}
	}
	if fired != 1 {
		t.Fatalf("%d firings of the sequence, want 1", fired)
	}
}
