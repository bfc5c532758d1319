package output

import (
	"reflect"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

func TestDaySetGaps(t *testing.T) {
	cases := []struct {
		name    string
		times   []string
		days    int
		gapDays int
		gaps    []Gap
	}{
		{name: "empty"},
		{name: "one day", times: []string{"2026-11-20T00:00:00Z", "2026-11-20T23:59:59.999Z"}, days: 1},
		{name: "consecutive", times: []string{"2026-11-19T23:59:59Z", "2026-11-20T00:00:00Z"}, days: 2},
		{name: "one missing", times: []string{"2026-11-18T10:00:00Z", "2026-11-20T10:00:00Z"}, days: 2, gapDays: 1,
			gaps: []Gap{{"2026-11-19", "2026-11-19", 1}}},
		{name: "two runs, unordered", times: []string{"2026-11-30T01:00:00Z", "2026-11-20T10:00:00Z", "2026-11-23T00:00:00Z"},
			days: 3, gapDays: 8, gaps: []Gap{{"2026-11-21", "2026-11-22", 2}, {"2026-11-24", "2026-11-29", 6}}},
		{name: "offsets are UTC days", times: []string{"2026-11-20T23:30:00-02:00", "2026-11-22T00:30:00+02:00"},
			days: 1}, // both are 2026-11-21 in UTC
		{name: "across word boundary", times: []string{"2026-02-01T00:00:00Z", "2026-04-15T00:00:00Z"}, days: 2, gapDays: 72,
			gaps: []Gap{{"2026-02-02", "2026-04-14", 72}}},
		{name: "before 1970", times: []string{"1969-12-30T12:00:00Z", "1970-01-01T00:00:00Z"}, days: 2, gapDays: 1,
			gaps: []Gap{{"1969-12-31", "1969-12-31", 1}}},
		{name: "leap day", times: []string{"2028-02-28T12:00:00Z", "2028-03-01T12:00:00Z"}, days: 2, gapDays: 1,
			gaps: []Gap{{"2028-02-29", "2028-02-29", 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d DaySet
			for _, s := range c.times {
				d.Add(ts(s))
			}
			if d.Days() != c.days || d.GapDays() != c.gapDays || !reflect.DeepEqual(d.Gaps(), c.gaps) {
				t.Errorf("days %d gapDays %d gaps %v; want %d %d %v", d.Days(), d.GapDays(), d.Gaps(), c.days, c.gapDays, c.gaps)
			}
			if d.Records() != int64(len(c.times)) {
				t.Errorf("records %d", d.Records())
			}
		})
	}
}

func TestDaySetMerge(t *testing.T) {
	times := []string{"2026-11-01T00:00:00Z", "2026-11-03T05:00:00Z", "2026-11-07T00:00:00Z", "2026-12-25T00:00:00Z", "2026-11-03T01:00:00Z"}
	var all, a, b DaySet
	for i, s := range times {
		all.Add(ts(s))
		if i%2 == 0 {
			a.Add(ts(s))
		} else {
			b.Add(ts(s))
		}
	}
	a.Add(time.Time{}) // a record without time counts, but has no day
	all.Add(time.Time{})
	var m DaySet
	m.Merge(&b)
	m.Merge(&a)
	m.Merge(nil)
	if m.Days() != all.Days() || m.Records() != all.Records() || !m.First().Equal(all.First()) ||
		!m.Last().Equal(all.Last()) || !reflect.DeepEqual(m.Gaps(), all.Gaps()) {
		t.Errorf("merged %d/%d/%v/%v/%v, want %d/%d/%v/%v/%v", m.Days(), m.Records(), m.First(), m.Last(), m.Gaps(),
			all.Days(), all.Records(), all.First(), all.Last(), all.Gaps())
	}
	if !m.Has(ts("2026-11-03T23:00:00Z")) || m.Has(ts("2026-11-02T12:00:00Z")) {
		t.Error("Has is wrong")
	}
}

func TestDaySetManyGapsBounded(t *testing.T) {
	var d DaySet
	start := ts("2020-01-01T00:00:00Z")
	for i := 0; i < 400; i++ {
		d.Add(start.AddDate(0, 0, 2*i))
	}
	if len(d.Gaps()) != maxGaps || d.GapDays() != 399 {
		t.Errorf("gaps %d gapDays %d", len(d.Gaps()), d.GapDays())
	}
}

func TestSummaryHelpers(t *testing.T) {
	var s Summary
	s.AddFile(1000, map[string]int64{"graph": 3, "azure-monitor": 1}, map[string]int64{"entra_signin": 4})
	s.AddFile(10, map[string]int64{"graph": 1}, map[string]int64{"entra_audit": 1})
	s.AddSkipped("bad", 3, []string{"a:1", "a:2", "a:3"})
	s.AddSkipped("bad", 4, []string{"b:1", "b:2", "b:3"})
	s.AddSkipped("worse", 9, nil)
	s.Elapsed = Duration(2 * time.Second)
	s.Bytes = 4_000_000
	var d DaySet
	d.Add(ts("2026-01-01T00:00:00Z"))
	d.Add(ts("2026-01-04T00:00:00Z"))
	s.SetCoverage(event.KindEntraAudit, &d)
	s.SetCoverage(event.KindEntraSignIn, &DaySet{})
	s.SetCoverage(event.KindEntraAudit, &d) // replaces, not appends
	s.Finish()
	s.Finish() // idempotent
	if s.Files != 2 || s.InputsByFormat[0].Name != "graph" || s.InputsByFormat[0].Bytes != 760 || s.InputsByFormat[0].Files != 2 ||
		s.InputsByFormat[1].Bytes != 250 {
		t.Errorf("inputs %+v", s.InputsByFormat)
	}
	if s.SkippedTotal() != 16 || s.Skipped[0].Reason != "worse" || len(s.Skipped[1].First) != maxSamples {
		t.Errorf("skipped %+v", s.Skipped)
	}
	if len(s.Coverage) != 2 || s.Coverage[0].Kind != event.KindEntraSignIn || s.Coverage[1].GapDays != 2 {
		t.Errorf("coverage %+v", s.Coverage)
	}
	if s.MBPerSecond != 2 || len(s.Warnings) != 1 {
		t.Errorf("rate %v warnings %v", s.MBPerSecond, s.Warnings)
	}
}
