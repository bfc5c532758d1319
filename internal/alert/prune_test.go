package alert

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

func TestPrunerReading(t *testing.T) {
	const head = "group-by: u\nwindow: 1h\nvalues: [ip, c]\n"
	cases := []struct {
		having string
		// prunable: a Pruner is made; then for each case of observed
		// (count, distinct ip, distinct c) whether the key may fire.
		prunable bool
		fires    map[[3]int]bool
	}{
		{`distinct["ip"] >= 2`, true, map[[3]int]bool{{5, 1, 3}: false, {2, 2, 0}: true, {9, 3, 0}: true}},
		{`distinct.ip > 1`, true, map[[3]int]bool{{5, 1, 0}: false, {2, 2, 0}: true}},
		{`2 <= distinct["ip"]`, true, map[[3]int]bool{{5, 1, 0}: false, {2, 2, 0}: true}},
		{`count > 10 || distinct["ip"] >= 2`, true, map[[3]int]bool{{10, 1, 0}: false, {11, 1, 0}: true, {2, 2, 0}: true}},
		{`count >= 3 and distinct["c"] >= 2`, true, map[[3]int]bool{{2, 1, 2}: false, {3, 1, 1}: false, {3, 1, 2}: true}},
		// Parts it cannot bound read as true.
		{`count >= 5 && ip_priority > 20`, true, map[[3]int]bool{{4, 1, 1}: false, {5, 1, 1}: true}},
		{`count >= 5 && !outside_hours`, true, map[[3]int]bool{{4, 1, 1}: false, {5, 1, 1}: true}},
		{`"x" in values["ip"] && distinct["c"] > 2`, true, map[[3]int]bool{{9, 9, 2}: false, {3, 1, 3}: true}},
		// Nothing to prune on.
		{`count >= 5 || ip_priority > 20`, false, nil},
		{`count < 5`, false, nil},
		{`!(count < 5)`, false, nil},
		{`distinct["ip"] == 2`, false, nil},
		{`"x" in values["ip"]`, false, nil},
		{`outside_hours`, false, nil},
		{`distinct["ip"] >= 2.5`, false, nil},
		{`(count >= 5) == true`, false, nil},
	}
	seed := maphash.MakeSeed()
	for _, c := range cases {
		s := specOf(t, head+"having: '"+c.having+"'\n", RuleRef{})
		p := NewPruner(s, seed)
		if (p != nil) != c.prunable {
			t.Errorf("%s: pruner %v, want prunable %v", c.having, p != nil, c.prunable)
			continue
		}
		for obs, want := range c.fires {
			p := NewPruner(s, seed)
			n, ips, cs := obs[0], obs[1], obs[2]
			for i := 0; i < n; i++ {
				f := map[string][]string{"u": {"Alice"}}
				if ips > 0 {
					f["ip"] = []string{fmt.Sprint("10.0.0.", i%ips)}
				}
				if cs > 0 {
					f["c"] = []string{fmt.Sprint("C", i%cs), " "}
				}
				p.Observe(f)
			}
			if got := p.MayFire(map[string][]string{"u": {"ALICE"}}); got != want {
				t.Errorf("%s: %d matches, %d ips, %d cs: MayFire %v, want %v", c.having, n, ips, cs, got, want)
			}
		}
	}
	// Without a window or a having there is nothing to prune.
	for _, body := range []string{"having: 'count > 2'", "group-by: u\nwindow: 1h"} {
		if NewPruner(specOf(t, body, RuleRef{}), seed) != nil {
			t.Errorf("%q: got a pruner", body)
		}
	}
}

// TestPrunerKeepsAlerts: a Builder given only the matches a Pruner lets
// through raises the alerts it raises with every match, on random inputs.
func TestPrunerKeepsAlerts(t *testing.T) {
	specs := []string{
		"group-by: u\nwindow: 1h\nvalues: [ip, c]\nhaving: 'distinct[\"c\"] >= 2'\n",
		"group-by: [u, app]\nwindow: 30m\nvalues: [ip]\nhaving: 'count > 4 || distinct[\"ip\"] >= 3'\n",
		"group-by: u\nwindow: 2h\nvalues: [ip, c]\nhaving: 'count >= 3 && distinct[\"ip\"] >= 2 && !(\"C9\" in values[\"c\"])'\n",
	}
	seed := maphash.MakeSeed()
	base := ts("2026-11-20T00:00:00Z")
	dropped, alerts := 0, 0
	for si, body := range specs {
		s := specOf(t, body, RuleRef{})
		for round := 0; round < 30; round++ {
			r := rand.New(rand.NewPCG(uint64(si), uint64(round)))
			var ms []Match
			for i := 0; i < 300; i++ {
				at := base.Add(time.Duration(r.IntN(12*60)) * time.Minute).Format(time.RFC3339)
				u := fmt.Sprint("user", r.IntN(40))
				if r.IntN(2) == 0 {
					u = fmt.Sprint("USER", r.IntN(40)) // keys are case-insensitive
				}
				ip := fmt.Sprint("10.0.0.", r.IntN(1+r.IntN(4)))
				c := fmt.Sprint("C", r.IntN(1+r.IntN(10)))
				if r.IntN(8) == 0 {
					c = "c" + c[1:]
				}
				ms = append(ms, hit(s, at, i+1, "u", u, "app", fmt.Sprint("A", r.IntN(2)), "ip", ip, "c", c))
			}
			want := build(t, Options{}, ms...)
			// Each key its own summary, and (room for 3 keys, one overflow slot
			// per shard) most keys sharing.
			for _, room := range []int{0, 3} {
				p := NewPruner(s, seed)
				if p == nil {
					t.Fatalf("spec %d: no pruner", si)
				}
				if room > 0 {
					p.max = room
					for i := range p.shards {
						p.shards[i].over = make([]uint64, p.width)
					}
				}
				for i := range ms {
					p.Observe(ms[i].Fields)
				}
				var kept []Match
				for _, m := range ms {
					if p.MayFire(m.Fields) {
						kept = append(kept, m)
					}
				}
				got := build(t, Options{}, kept...)
				if !reflect.DeepEqual(ids(got), ids(want)) {
					t.Fatalf("spec %d round %d room %d: alerts %v with pruning, %v without", si, round, room, ids(got), ids(want))
				}
				if room == 0 {
					dropped += len(ms) - len(kept)
				}
			}
			alerts += len(want)
		}
	}
	// The inputs must exercise both sides: keys dropped and alerts raised.
	if dropped == 0 || alerts == 0 {
		t.Fatalf("dropped %d matches, %d alerts: the random inputs test nothing", dropped, alerts)
	}
}

func TestPrunerOverflow(t *testing.T) {
	s := specOf(t, "group-by: u\nwindow: 1h\nhaving: 'count > 1'\n", RuleRef{})
	p := NewPruner(s, maphash.MakeSeed())
	p.max = 10
	key := func(i int) map[string][]string { return map[string][]string{"u": {fmt.Sprint("user", i)}} }
	for i := 0; i < 210; i++ {
		p.Observe(key(i))
	}
	p.Observe(key(3))   // a key with its own summary
	p.Observe(key(150)) // a key in the overflow slots
	if p.keys.Load() != 10 {
		t.Fatalf("%d keys with their own summary, want 10", p.keys.Load())
	}
	fire := 0
	for i := 0; i < 210; i++ {
		if p.MayFire(key(i)) {
			fire++
		}
	}
	// 200 overflow keys in 2^19 slots: some two share one with
	// probability 0.04, and then both fire.
	if !p.MayFire(key(3)) || !p.MayFire(key(150)) || fire > 6 {
		t.Fatalf("MayFire: key 3 %v, key 150 %v, %d of 210 keys (want 2)", p.MayFire(key(3)), p.MayFire(key(150)), fire)
	}
	p.GiveUp()
	if !p.off.Load() || !p.MayFire(key(1)) {
		t.Fatal("after GiveUp every match must go through")
	}
	// A key never observed is never dropped.
	q := NewPruner(s, maphash.MakeSeed())
	if !q.MayFire(key(1)) {
		t.Fatal("unobserved key dropped")
	}
}
