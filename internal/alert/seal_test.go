package alert

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestSealedWindows: a Builder that is told the watermark (Advance) folds
// the older matches of a busy window into an aggregate; the alerts are
// the ones a Builder that keeps every match until Finish makes, evidence,
// entities, values, risk and tiers included, and the windows hold at
// most a few dozen matches.
func TestSealedWindows(t *testing.T) {
	common := "\nentities:\n  - {type: account, upn: u}\n  - {type: ip, address: ip}\nrisk:\n  - {type: user, field: u, score: 40}\nthreats:\n  - {type: ip_address, field: ip}"
	specs := []*Spec{
		specOf(t, "group-by: [u]\nwindow: 20m\nvalues: [ip, country]\nhaving: 'count >= 2'\nmax-values: 3"+common, RuleRef{ID: "grouped"}),
		specOf(t, "group-by: [session]\nwindow: 24h\nvalues: [country, ip]\nhaving: 'distinct.country >= 2'\nmax-evidence: 3"+
			"\ntiers:\n  - {level: high, when: 'distinct.country >= 3', risk-factor: 1.5}"+common, RuleRef{ID: "session"}),
		specOf(t, "group-by: [u]\nwindow: 6h\nvalues: [ip]"+common, RuleRef{ID: "no-having"}),
		specOf(t, "values: [ip]", RuleRef{ID: "per-event"}),
	}
	var ms []Match
	base := ts("2026-11-20T08:00:00Z")
	for i := 0; i < 3000; i++ {
		at := base.Add(time.Duration(i) * 23 * time.Second)
		s := specs[i%len(specs)]
		m := hit(s, at.Format(time.RFC3339), i+1,
			"u", []string{"a", "b"}[i%2], "session", []string{"s1", "s2", "s3"}[i%3],
			"ip", fmt.Sprintf("10.0.%d.%d", (i/7)%3, i%11), "country", []string{"DE", "DE", "DE", "FR", "NL"}[(i/50)%5])
		// Several reasons, so that evidence picks the first of each.
		m.Why = []FieldValue{{Field: "reason", Value: fmt.Sprint(i % 5)}}
		if i%13 == 0 && s.Window > 0 {
			// A correlation firing: its parts are older than the firing.
			p1 := hit(s, at.Add(-3*time.Minute).Format(time.RFC3339), 100000+i, "u", "a", "ip", "192.0.2.1", "country", "SE")
			p2 := hit(s, at.Add(-time.Minute).Format(time.RFC3339), 200000+i, "u", "a", "ip", "192.0.2.2", "country", "SE")
			m = Match{Spec: s, Time: at, First: p1.Time, Count: 2, Fields: map[string][]string{"u": {"a"}, "session": {"s1"}},
				Parts: []Match{p1, p2}}
		}
		ms = append(ms, m)
	}
	// Matches arrive up to five minutes out of time order (the watermark
	// trails by ten).
	arrival := make([]time.Time, len(ms))
	idx := make([]int, len(ms))
	for i := range ms {
		arrival[i] = ms[i].Time.Add(time.Duration(i*7919%300) * time.Second)
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return arrival[a].Compare(arrival[b]) })
	shuffled := make([]Match, len(ms))
	for i, j := range idx {
		shuffled[i] = ms[j]
	}
	ms = shuffled
	run := func(advance bool) ([]Alert, Stats, int) {
		b := NewBuilder(Options{MaxEvidence: 4})
		var out []Alert
		most := 0
		for i, m := range ms {
			if err := b.Add(m); err != nil {
				t.Fatal(err)
			}
			if advance && i%40 == 39 {
				// The watermark trails the matches by ten minutes.
				out = append(out, b.Advance(arrival[idx[i]].Add(-10*time.Minute))...)
			}
			for _, ks := range b.keys {
				most = max(most, len(ks.pending))
			}
		}
		out = append(out, b.Finish()...)
		SortAlerts(out)
		return out, b.Stats(), most
	}
	want, _, wantMost := run(false)
	got, st, most := run(true)
	if len(want) < 20 {
		t.Fatalf("scenario too small: %d alerts", len(want))
	}
	if st.Sealed < len(ms)/3 {
		t.Errorf("sealed %d of %d matches", st.Sealed, len(ms))
	}
	if most > 4*sealMin || wantMost < 500 {
		t.Errorf("most pending matches of one key: %d sealed, %d unsealed", most, wantMost)
	}
	w, _ := json.MarshalIndent(want, "", " ")
	g, _ := json.MarshalIndent(got, "", " ")
	if string(w) != string(g) {
		t.Errorf("sealed alerts differ (%d sealed):\nwant %s\ngot  %s", st.Sealed, w, g)
	}
}

// TestEvidencePoolPrune: a pruned pool picks what the whole pool picks,
// for candidates in any order.
func TestEvidencePoolPrune(t *testing.T) {
	base := ts("2026-11-20T08:00:00Z")
	for seed := 0; seed < 50; seed++ {
		var cands []evidenceCandidate
		for i := 0; i < 300; i++ {
			// A permutation of times with ties, and reasons that first
			// appear late.
			k := (i*7919 + seed*31) % 300
			at := base.Add(time.Duration(k/3) * time.Second)
			why := []FieldValue{{Field: "r", Value: fmt.Sprint((k * (seed + 3)) % (seed%9 + 1))}}
			cands = append(cands, evidenceCandidate{stored("f.json", k+1, at, "{}"), why, at})
		}
		whole := evidencePool{n: 5, cands: slices.Clone(cands)}
		pruned := evidencePool{n: 5}
		for _, c := range cands {
			pruned.add(c)
		}
		if len(pruned.cands) >= len(cands) {
			t.Fatal("never pruned")
		}
		w, _ := json.Marshal(whole.pick())
		g, _ := json.Marshal(pruned.pick())
		if string(w) != string(g) {
			t.Fatalf("seed %d: pruned pool picks\n%s\nwhole pool\n%s", seed, g, w)
		}
	}
}
