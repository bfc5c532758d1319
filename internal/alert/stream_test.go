package alert

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// TestStreamEqualsBatch feeds matches in event-time order, advancing the
// watermark as a serve driver would (every match older than the watermark
// has arrived), and wants exactly the alerts of one batch Finish.
func TestStreamEqualsBatch(t *testing.T) {
	specs := []*Spec{
		specOf(t, "group-by: [u]\nwindow: 20m\nvalues: [ip]\nhaving: 'count >= 2'", RuleRef{ID: "grouped"}),
		specOf(t, "values: [ip]", RuleRef{ID: "per-event"}),
		specOf(t, "window: 1h", RuleRef{ID: "window-only"}),
	}
	var ms []Match
	base := ts("2026-11-20T08:00:00Z")
	for i := 0; i < 120; i++ {
		at := base.Add(time.Duration(i*i%97) * 3 * time.Minute)
		s := specs[i%len(specs)]
		ms = append(ms, hit(s, at.Format(time.RFC3339), i+1, "u", []string{"a", "b", "c", "d"}[i%4], "ip", []string{"1.1.1.1", "2.2.2.2", "3.3.3.3"}[i%3]))
	}
	batch := build(t, Options{}, ms...)
	if len(batch) < 20 {
		t.Fatalf("scenario too small: %d alerts", len(batch))
	}

	slices.SortStableFunc(ms, func(a, b Match) int { return a.Time.Compare(b.Time) })
	for _, lateness := range []time.Duration{0, 5 * time.Minute, 2 * time.Hour} {
		b := NewBuilder(Options{})
		var streamed []Alert
		for i, m := range ms {
			if err := b.Add(m); err != nil {
				t.Fatal(err)
			}
			if i%5 == 4 {
				// Everything at or before m.Time has arrived only up to
				// m.Time itself (equal times may follow), so the watermark
				// is m.Time minus the allowed lateness.
				streamed = append(streamed, b.Advance(m.Time.Add(-lateness))...)
			}
		}
		streamed = append(streamed, b.Finish()...)
		if b.Stats().Late != 0 {
			t.Fatalf("lateness %v: %d late matches", lateness, b.Stats().Late)
		}
		slices.SortStableFunc(streamed, func(x, y Alert) int {
			if c := x.FirstSeen.Compare(y.FirstSeen); c != 0 {
				return c
			}
			if x.Rule.ID != y.Rule.ID {
				return compareStrings(x.Rule.ID, y.Rule.ID)
			}
			return compareStrings(x.ID, y.ID)
		})
		got, _ := json.Marshal(streamed)
		want, _ := json.Marshal(batch)
		if string(got) != string(want) {
			t.Errorf("lateness %v: streamed alerts differ from batch (%d vs %d)", lateness, len(streamed), len(batch))
		}
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestAdvanceClosesOnlyEndedWindows(t *testing.T) {
	s := specOf(t, "group-by: u\nwindow: 1h", RuleRef{})
	b := NewBuilder(Options{})
	_ = b.Add(hit(s, "2026-11-20T08:00:00Z", 1, "u", "a"))
	_ = b.Add(hit(s, "2026-11-20T08:30:00Z", 2, "u", "a"))
	if got := b.Advance(ts("2026-11-20T08:59:59Z")); len(got) != 0 {
		t.Fatalf("window closed early: %d", len(got))
	}
	_ = b.Add(hit(s, "2026-11-20T08:59:59Z", 3, "u", "a"))
	got := b.Advance(ts("2026-11-20T09:00:00Z"))
	if len(got) != 1 || got[0].Count != 3 {
		t.Fatalf("at the window end: %+v", got)
	}
	_ = b.Add(hit(s, "2026-11-20T08:10:00Z", 4, "u", "a")) // late
	if b.Stats().Late != 1 {
		t.Errorf("late not counted: %+v", b.Stats())
	}
	if rest := b.Finish(); len(rest) != 1 || rest[0].Count != 1 {
		t.Errorf("late match: %+v", rest)
	}
	if len(b.keys) != 0 {
		t.Error("Finish left state behind")
	}
}
