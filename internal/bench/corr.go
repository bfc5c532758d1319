package bench

import (
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/engine"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/sigma"
	"github.com/valyala/fastjson"
)

const signInKind = event.KindEntraSignIn

// DefaultCorrUsers is the number of distinct users the correlation stage
// feeds.
const DefaultCorrUsers = 1_000_000

// The correlation stage advances the watermark every advanceEvery events
// (a service advances on a timer) and samples the state every sampleEvery.
const (
	advanceEvery = 50_000
	sampleEvery  = 250_000
)

// The caps the correlation stage runs with: the engine's defaults
// (engine.Options), set explicitly so the report can state them.
const (
	corrMaxKeys     = 100000
	corrMaxDistinct = 10000
)

// corrRules are a failed sign-in rule and two correlations over it, keyed
// by user: an event_count and a value_count of source addresses. Their
// thresholds are out of reach of the stage's input, so every key stays live
// until its window expires: the worst case for correlation state.
const corrRules = `title: Failed password
name: bench_failed
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        status.errorCode: 50126
    condition: selection
---
title: Password spray against one user
name: bench_count
correlation:
    type: event_count
    rules: bench_failed
    group-by: userPrincipalName
    timespan: 1h
    condition:
        gte: 50
---
title: One user failing from many addresses
name: bench_values
correlation:
    type: value_count
    rules: bench_failed
    group-by: userPrincipalName
    timespan: 1h
    condition:
        field: ipAddress
        gte: 20000
`

// CorrResult is what the correlation stage reports.
type CorrResult struct {
	// Users is the number of distinct users fed; Events the number of
	// events; Correlations the correlation rules they fed.
	Users        int   `json:"users"`
	Events       int64 `json:"events"`
	Correlations int   `json:"correlations"`
	// MaxKeys and MaxDistinct are the engine's caps (per correlation rule,
	// per key); PeakKeys the most live keys seen over all correlations.
	MaxKeys     int `json:"max_keys"`
	MaxDistinct int `json:"max_distinct"`
	PeakKeys    int `json:"peak_keys"`
	// PeakHeap is the most live heap sampled (runtime.MemStats.HeapAlloc
	// after a collection) while the keys were live.
	PeakHeap uint64 `json:"peak_heap"`
	// Stats are the engine's counters at the end (before the final flush).
	Stats engine.Stats `json:"stats"`
}

// Bounded reports whether the live state stayed within the caps.
func (c *CorrResult) Bounded() bool {
	return c.PeakKeys <= c.MaxKeys*c.Correlations
}

// correlate feeds users distinct users (three failed sign-ins each, from
// three addresses, all inside one window), after one user failing from
// more addresses than the distinct-value cap, through a Stream, advancing the
// watermark as a service would, and records the state and the counters.
func correlate(users int, res *StageResult) error {
	if users <= 0 {
		users = DefaultCorrUsers
	}
	rules, errs := sigma.Parse("bench-correlation.yml", []byte(corrRules))
	errs = append(errs, sigma.Link(rules)...)
	for _, e := range errs {
		if !e.Warning {
			return fmt.Errorf("correlation rules: %v", e)
		}
	}
	set, probs := compile.Compile(rules, compile.Options{})
	for _, p := range probs {
		if !p.Warning {
			return fmt.Errorf("correlation rules: %v", p)
		}
	}
	opts := engine.Options{MaxKeys: corrMaxKeys, MaxDistinct: corrMaxDistinct}
	eng := engine.New(set, opts)
	st := eng.NewStream()
	w := eng.NewWorker()
	cr := &CorrResult{Users: users, Correlations: len(set.Correlations()), MaxKeys: opts.MaxKeys, MaxDistinct: opts.MaxDistinct}
	res.Corr = cr

	var (
		p    fastjson.Parser
		buf  []byte
		t0   = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
		step = time.Hour / 2 / time.Duration(3*users+2*cr.MaxDistinct)
		add  = func(m *engine.Match) { st.Add(m) }
		hits int64
	)
	sample := func() {
		cr.PeakKeys = max(cr.PeakKeys, st.Stats().Keys)
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		cr.PeakHeap = max(cr.PeakHeap, ms.HeapAlloc)
	}
	feed := func(i int64, user, ip string) error {
		buf = buf[:0]
		buf = append(buf, `{"id":"`...)
		buf = strconv.AppendInt(buf, i, 10)
		buf = append(buf, `","userPrincipalName":"`...)
		buf = append(buf, user...)
		buf = append(buf, `","ipAddress":"`...)
		buf = append(buf, ip...)
		buf = append(buf, `","status":{"errorCode":50126}}`...)
		v, err := p.ParseBytes(buf)
		if err != nil {
			return err
		}
		at := t0.Add(time.Duration(i) * step)
		ev := &event.Event{Kind: signInKind, Format: "bench", Time: at, ID: strconv.FormatInt(i, 10), Doc: v, Raw: buf,
			Origin: event.Origin{File: "bench", Index: int(i)}}
		w.Match(ev, add)
		res.Records++
		res.Bytes += int64(len(buf))
		if i%advanceEvery == advanceEvery-1 {
			hits += int64(len(st.Advance(at)))
		}
		if i%sampleEvery == sampleEvery-1 {
			sample()
		}
		return nil
	}
	var i int64
	for n := range 2 * cr.MaxDistinct {
		if err := feed(i, "spray-target@contoso.example", ipOf(n, 7)); err != nil {
			return err
		}
		i++
	}
	for round := range 3 {
		for u := range users {
			if err := feed(i, "user"+strconv.Itoa(u)+"@contoso.example", ipOf(u, round)); err != nil {
				return err
			}
			i++
		}
	}
	hits += int64(len(st.Advance(t0.Add(time.Duration(i) * step))))
	sample()
	cr.Stats = st.Stats()
	hits += int64(len(st.Flush()))
	cr.Events = i
	res.Matches = hits
	return nil
}

// ipOf is a distinct documentation-range address per (n, salt).
func ipOf(n, salt int) string {
	return "2001:db8:" + strconv.FormatInt(int64(salt), 16) + "::" + strconv.FormatInt(int64(n>>16), 16) + ":" + strconv.FormatInt(int64(n&0xffff), 16)
}
