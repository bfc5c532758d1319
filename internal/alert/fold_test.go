package alert

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// TestFoldRepeats: matches arriving in time order give the same alerts,
// evidence included, whether a window folds its repeats or keeps every
// match, and the windows hold fewer entries.
func TestFoldRepeats(t *testing.T) {
	specs := []*Spec{
		specOf(t, "group-by: [u]\nwindow: 20m\nvalues: [ip, country]\nhaving: 'count >= 2'", RuleRef{ID: "grouped"}),
		specOf(t, "group-by: [session]\nwindow: 24h\nvalues: [country]\nhaving: 'distinct.country >= 2'\nmax-evidence: 3", RuleRef{ID: "session"}),
		specOf(t, "values: [ip]", RuleRef{ID: "per-event"}),
	}
	var ms []Match
	base := ts("2026-11-20T08:00:00Z")
	for i := 0; i < 400; i++ {
		at := base.Add(time.Duration(i) * 37 * time.Second)
		s := specs[i%len(specs)]
		ms = append(ms, hit(s, at.Format(time.RFC3339), i+1,
			"u", []string{"a", "b"}[i%2], "session", []string{"s1", "s2", "s3"}[i%3],
			"ip", []string{"1.1.1.1", "2.2.2.2"}[(i/7)%2], "country", []string{"DE", "DE", "DE", "FR"}[(i/50)%4]))
	}
	slices.SortStableFunc(ms, func(a, b Match) int { return a.Time.Compare(b.Time) })
	run := func(fold bool) ([]Alert, Stats) {
		b := NewBuilder(Options{FoldRepeats: fold, MaxEvidence: 4})
		var out []Alert
		for i, m := range ms {
			if err := b.Add(m); err != nil {
				t.Fatal(err)
			}
			if i%50 == 49 {
				out = append(out, b.Advance(m.Time)...)
			}
		}
		out = append(out, b.Finish()...)
		SortAlerts(out)
		return out, b.Stats()
	}
	want, _ := run(false)
	got, st := run(true)
	if len(want) < 5 {
		t.Fatalf("scenario too small: %d alerts", len(want))
	}
	if st.Folded == 0 {
		t.Fatal("nothing folded")
	}
	w, _ := json.MarshalIndent(want, "", " ")
	g, _ := json.MarshalIndent(got, "", " ")
	if string(w) != string(g) {
		t.Errorf("folded alerts differ (%d folded):\nwant %s\ngot  %s", st.Folded, w, g)
	}
}
