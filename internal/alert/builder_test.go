package alert

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestGroupBy(t *testing.T) {
	s := specOf(t, "group-by: [userPrincipalName, ipAddress]\nvalues: [appDisplayName]", RuleRef{})
	alerts := build(t, Options{},
		hit(s, "2026-11-20T08:00:00Z", 1, "userPrincipalName", "alice@contoso.com", "ipAddress", "203.0.113.7", "appDisplayName", "A"),
		hit(s, "2026-11-20T08:10:00Z", 2, "userPrincipalName", "ALICE@contoso.com", "ipAddress", "203.0.113.7", "appDisplayName", "B"),
		hit(s, "2026-11-20T08:20:00Z", 3, "userPrincipalName", "bob@contoso.com", "ipAddress", "203.0.113.7", "appDisplayName", "A"),
		hit(s, "2026-11-20T08:30:00Z", 4, "userPrincipalName", "alice@contoso.com", "ipAddress", "198.51.100.1", "appDisplayName", "A"),
	)
	if len(alerts) != 3 {
		t.Fatalf("got %d alerts, want 3 (keys are case-insensitive)", len(alerts))
	}
	a := alerts[0]
	if a.Count != 2 || a.Group["userPrincipalName"] != "alice@contoso.com" || !reflect.DeepEqual(a.Values["appDisplayName"], []string{"A", "B"}) {
		t.Errorf("first alert = count %d group %v values %v", a.Count, a.Group, a.Values)
	}
	if !a.FirstSeen.Equal(ts("2026-11-20T08:00:00Z")) || !a.LastSeen.Equal(ts("2026-11-20T08:10:00Z")) {
		t.Errorf("first/last = %v %v", a.FirstSeen, a.LastSeen)
	}
	if a.Message != "Test rule" {
		t.Errorf("default message = %q", a.Message)
	}
}

func TestWindowEdges(t *testing.T) {
	s := specOf(t, "group-by: userPrincipalName\nwindow: 1h", RuleRef{})
	u := "alice@contoso.com"
	cases := []struct {
		name  string
		times []string
		want  []int // counts per alert
	}{
		{"inside", []string{"08:00:00", "08:59:59"}, []int{2}},
		{"end is exclusive", []string{"08:00:00", "09:00:00"}, []int{1, 1}},
		{"anchored, not sliding", []string{"08:00:00", "08:50:00", "09:10:00", "09:55:00"}, []int{2, 2}},
		{"next window anchors at its own first match", []string{"08:00:00", "09:30:00", "10:29:00", "10:30:00"}, []int{1, 2, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ms []Match
			for i, tm := range c.times {
				ms = append(ms, hit(s, "2026-11-20T"+tm+"Z", i+1, "userPrincipalName", u))
			}
			alerts := build(t, Options{}, ms...)
			var got []int
			for _, a := range alerts {
				got = append(got, a.Count)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("counts = %v, want %v", got, c.want)
			}
		})
	}
}

func TestPerEventAndWindowOnly(t *testing.T) {
	per := specOf(t, "values: [ipAddress]", RuleRef{})
	alerts := build(t, Options{},
		hit(per, "2026-11-20T08:00:00Z", 1, "ipAddress", "1.1.1.1"),
		hit(per, "2026-11-20T08:00:00Z", 2, "ipAddress", "1.1.1.1"))
	if len(alerts) != 2 || alerts[0].ID == alerts[1].ID {
		t.Fatalf("per-event: %d alerts, ids %v", len(alerts), ids(alerts))
	}
	win := specOf(t, "window: 10m", RuleRef{})
	alerts = build(t, Options{},
		hit(win, "2026-11-20T08:00:00Z", 1, "x", "1"),
		hit(win, "2026-11-20T08:09:00Z", 2, "x", "2"),
		hit(win, "2026-11-20T08:10:00Z", 3, "x", "3"))
	if len(alerts) != 2 || alerts[0].Count != 2 || alerts[0].Group != nil {
		t.Fatalf("window without group-by: %+v", alerts)
	}
}

func ids(as []Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func TestValuesCap(t *testing.T) {
	s := specOf(t, "group-by: u\nvalues: [ip]\nmax-values: 2\nhaving: 'distinct[\"ip\"] == 3'", RuleRef{})
	alerts := build(t, Options{},
		hit(s, "2026-11-20T08:00:00Z", 1, "u", "a", "ip", "10.0.0.1"),
		hit(s, "2026-11-20T08:01:00Z", 2, "u", "a", "ip", "10.0.0.2"),
		hit(s, "2026-11-20T08:02:00Z", 3, "u", "a", "ip", "10.0.0.1"),
		hit(s, "2026-11-20T08:03:00Z", 4, "u", "a", "ip", "10.0.0.3"),
		hit(s, "2026-11-20T08:04:00Z", 5, "u", "a", "ip", ""))
	if len(alerts) != 1 {
		t.Fatalf("having on uncapped distinct: %d alerts", len(alerts))
	}
	a := alerts[0]
	if !reflect.DeepEqual(a.Values["ip"], []string{"10.0.0.1", "10.0.0.2"}) || a.Distinct["ip"] != 3 || a.Count != 5 {
		t.Errorf("values %v distinct %v count %d", a.Values, a.Distinct, a.Count)
	}
}

func TestMessageTemplate(t *testing.T) {
	s := specOf(t, `
group-by: [userPrincipalName]
values: [ipAddress]
message: "{{userPrincipalName|name}} at {{userPrincipalName|domain|upper}} denied {{appDisplayName}} {{count}}x from {{distinct.ipAddress}} IPs ({{values.ipAddress}}) first {{first_seen}} level {{level}} limit {{options.limit}} [{{missing}}] {{rule.title}}"
options: {limit: 7}
`, RuleRef{})
	alerts := build(t, Options{},
		hit(s, "2026-11-20T08:00:00Z", 1, "userPrincipalName", "alice@contoso.com", "appDisplayName", "EvilApp", "ipAddress", "203.0.113.7"),
		hit(s, "2026-11-20T08:05:00Z", 2, "userPrincipalName", "alice@contoso.com", "appDisplayName", "Other", "ipAddress", "203.0.113.8"))
	want := "alice at CONTOSO.COM denied EvilApp 2x from 2 IPs (203.0.113.7, 203.0.113.8) first 2026-11-20T08:00:00Z level informational limit 7 [] Test rule"
	if alerts[0].Message != want {
		t.Errorf("message\n got %q\nwant %q", alerts[0].Message, want)
	}
}

func TestEntities(t *testing.T) {
	s := specOf(t, `
group-by: [userPrincipalName]
entities:
  - {type: account, upn: userPrincipalName, aad_user_id: userId, name: "{{userPrincipalName|name}}", upn_suffix: "{{userPrincipalName|domain}}"}
  - {type: ip, address: ipAddress}
`, RuleRef{})
	alerts := build(t, Options{},
		hit(s, "2026-11-20T08:00:00Z", 1, "userPrincipalName", "alice@contoso.com", "userId", "u-1", "ipAddress", "203.0.113.7"),
		hit(s, "2026-11-20T08:01:00Z", 2, "userPrincipalName", "alice@contoso.com", "userId", "u-1", "ipAddress", "203.0.113.8"),
		hit(s, "2026-11-20T08:02:00Z", 3, "userPrincipalName", "alice@contoso.com", "userId", "u-1"))
	got, _ := json.Marshal(alerts[0].Entities)
	want := `[{"aad_user_id":"u-1","name":"alice","type":"account","upn":"alice@contoso.com","upn_suffix":"contoso.com"},{"address":"203.0.113.7","type":"ip"},{"address":"203.0.113.8","type":"ip"}]`
	if string(got) != want {
		t.Errorf("entities\n got %s\nwant %s", got, want)
	}
}

func TestTiersRiskAndHaving(t *testing.T) {
	s := specOf(t, `
group-by: [u, app]
window: 24h
values: [ip]
having: 'count > 10 || distinct["ip"] >= 2'
tiers:
  - {level: high, when: 'distinct["ip"] >= 3 || (count > 200 && distinct["ip"] >= 2)', risk-factor: 2}
  - {level: medium, when: 'distinct["ip"] >= 2'}
  - {level: critical, when: 'distinct["ip"] >= 2'}
risk:
  - {type: user, field: u, score: 30}
threats:
  - {type: ip_address, field: ip}
`, RuleRef{Level: LevelLow})
	mk := func(user string, n int, ips ...string) []Match {
		var ms []Match
		for i := 0; i < n; i++ {
			ms = append(ms, hit(s, "2026-11-20T08:00:00Z", i+1, "u", user, "app", "A", "ip", ips[i%len(ips)]))
		}
		return ms
	}
	cases := []struct {
		name      string
		ms        []Match
		raised    bool
		level     Level
		riskScore int
		threats   int
	}{
		{"having false", mk("a", 5, "1.1.1.1"), false, 0, 0, 0},
		{"count > 10, one ip: rule level", mk("a", 11, "1.1.1.1"), true, LevelLow, 30, 1},
		{"two ips: medium, first true wins", mk("a", 2, "1.1.1.1", "2.2.2.2"), true, LevelMedium, 30, 2},
		{"three ips: high with risk factor", mk("a", 3, "1.1.1.1", "2.2.2.2", "3.3.3.3"), true, LevelHigh, 60, 3},
		{"over 200 and two ips: high", mk("a", 201, "1.1.1.1", "2.2.2.2"), true, LevelHigh, 60, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := NewBuilder(Options{})
			for _, m := range c.ms {
				_ = b.Add(m)
			}
			alerts := b.Finish()
			if !c.raised {
				if len(alerts) != 0 || b.Stats().NotHaving != 1 {
					t.Fatalf("want no alert, got %d (stats %+v)", len(alerts), b.Stats())
				}
				return
			}
			if len(alerts) != 1 {
				t.Fatalf("want 1 alert, got %d", len(alerts))
			}
			a := alerts[0]
			if a.Level != c.level || len(a.Risk.Objects) != 1 || a.Risk.Objects[0].Score != c.riskScore || len(a.Risk.Threats) != c.threats {
				t.Errorf("level %v risk %+v", a.Level, a.Risk)
			}
			if a.Risk.Objects[0].Type != "user" || a.Risk.Objects[0].Value != "a" {
				t.Errorf("risk object %+v", a.Risk.Objects[0])
			}
		})
	}
}

func TestAllowlist(t *testing.T) {
	s := specOf(t, `
group-by: app
allowlist:
  app: ["Veeam*", "AvePoint?Cloud", "exact"]
  ua: "*backup*"
`, RuleRef{})
	cases := []struct {
		app, ua string
		drop    bool
	}{
		{"Veeam Backup for Microsoft 365", "", true},
		{"veeam", "", true},
		{"MyVeeam", "", false},
		{"AvePoint Cloud", "", true},
		{"AvePoint  Cloud", "", false},
		{"EXACT", "", true},
		{"exactly", "", false},
		{"App", "Cloud-BACKUP-agent/1.0", true},
		{"App", "curl/8.0", false},
	}
	for _, c := range cases {
		t.Run(c.app+"|"+c.ua, func(t *testing.T) {
			b := NewBuilder(Options{})
			_ = b.Add(hit(s, "2026-11-20T08:00:00Z", 1, "app", c.app, "ua", c.ua))
			got := len(b.Finish()) == 0
			if got != c.drop || (b.Stats().Allowlisted == 1) != c.drop {
				t.Errorf("dropped = %v, want %v", got, c.drop)
			}
		})
	}
}

func TestWildcard(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"", "", true}, {"*", "", true}, {"", "a", false}, {"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false}, {"?", "é", true}, {"??", "é", false}, {"*a", "bbba", true},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"**x", "x", true},
	}
	for _, c := range cases {
		if got := wildcard(c.p, c.s); got != c.want {
			t.Errorf("wildcard(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
}

func TestOutsideHours(t *testing.T) {
	h, err := ParseBusinessHours("Mon-Fri 08:00-18:00 America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	s := specOf(t, "outside-hours: raise\ntiers:\n  - {level: medium, when: outside_hours}", RuleRef{Level: LevelLow})
	cases := []struct {
		at    string
		level Level
	}{
		{"2026-11-20T13:00:00Z", LevelLow},  // Fri 08:00 EST: inside
		{"2026-11-20T12:59:59Z", LevelHigh}, // Fri 07:59 EST: tier medium, raised to high
		{"2026-11-20T22:59:00Z", LevelLow},  // Fri 17:59 EST
		{"2026-11-20T23:00:00Z", LevelHigh}, // Fri 18:00 EST: outside
		{"2026-11-21T15:00:00Z", LevelHigh}, // Saturday
		{"2026-07-20T12:30:00Z", LevelLow},  // Mon 08:30 EDT (summer time)
		{"2026-07-20T11:30:00Z", LevelHigh}, // Mon 07:30 EDT
		{"2026-11-23T04:00:00Z", LevelHigh}, // Sun 23:00 EST though Monday in UTC
	}
	for _, c := range cases {
		alerts := build(t, Options{Hours: h}, hit(s, c.at, 1, "x", "y"))
		if len(alerts) != 1 || alerts[0].Level != c.level {
			t.Errorf("%s: level %v, want %v", c.at, alerts[0].Level, c.level)
		}
	}
	crit := specOf(t, "outside-hours: raise", RuleRef{Level: LevelCritical})
	if a := build(t, Options{Hours: h}, hit(crit, "2026-11-21T15:00:00Z", 1)); a[0].Level != LevelCritical {
		t.Errorf("critical raised to %v", a[0].Level)
	}
}

func TestBusinessHoursParse(t *testing.T) {
	h, err := ParseBusinessHours("sat-mon 22:00-06:00")
	if err != nil {
		t.Fatal(err)
	}
	if h.String() != "Sat,Sun,Mon 22:00-06:00 UTC" {
		t.Errorf("String = %q", h.String())
	}
	for at, out := range map[string]bool{
		"2026-11-21T23:00:00Z": false, // Sat 23:00
		"2026-11-22T05:00:00Z": false, // Sun 05:00 (Sat's shift)
		"2026-11-24T05:00:00Z": false, // Tue 05:00 (Mon's shift)
		"2026-11-24T23:00:00Z": true,  // Tue 23:00
		"2026-11-21T05:00:00Z": true,  // Sat 05:00 (Fri's shift)
		"2026-11-22T12:00:00Z": true,
	} {
		if got := h.Outside(ts(at)); got != out {
			t.Errorf("Outside(%s) = %v, want %v", at, got, out)
		}
	}
	for _, bad := range []string{"", "Mon-Fri", "Mon-Fry 08:00-18:00", "Mon 8-8", "Mon 08:00-25:00", "Mon 08:00-18:00 Not/AZone", "Mon 08:60-09:00"} {
		if _, err := ParseBusinessHours(bad); err == nil {
			t.Errorf("ParseBusinessHours(%q) succeeded", bad)
		}
	}
	var zero BusinessHours
	if !zero.Outside(ts("2026-11-21T12:00:00Z")) || zero.Outside(ts("2026-11-20T12:00:00Z")) {
		t.Error("zero hours are not Mon-Fri 08-18 UTC")
	}
}

func TestOptionsOverride(t *testing.T) {
	s := specOf(t, `
having: 'count >= options["min-count"] && options.enabled'
message: "{{options.apps}}"
options: {min-count: 3, enabled: true, apps: [a, b], ratio: 0.5, name: x}
`, RuleRef{})
	three := []Match{hit(s, "2026-11-20T08:00:00Z", 1), hit(s, "2026-11-20T08:00:01Z", 2)}
	// Per-event spec: each alert has count 1.
	if got := build(t, Options{}, three...); len(got) != 0 {
		t.Fatalf("min-count 3: %d alerts", len(got))
	}
	tuned, err := s.Tune(map[string]string{"min-count": "1", "apps": "x, y", "ratio": "0.25", "name": "z", "allowlist.ua": "curl*"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Options["min-count"] != 3 {
		t.Error("Tune modified the original spec")
	}
	m1 := hit(tuned, "2026-11-20T08:00:00Z", 1, "ua", "python")
	m2 := hit(tuned, "2026-11-20T08:00:01Z", 2, "ua", "curl/8")
	got := build(t, Options{}, m1, m2)
	if len(got) != 1 || got[0].Message != "x, y" {
		t.Fatalf("tuned: %+v", got)
	}
	if !contains(tuned.Fields(), "ua") {
		t.Errorf("tuned allowlist field missing from Fields: %v", tuned.Fields())
	}
	for _, bad := range []map[string]string{{"nope": "1"}, {"min-count": "x"}, {"enabled": "maybe"}, {"ratio": "r"}, {"allowlist.": "x"}} {
		if _, err := s.Tune(bad); err == nil {
			t.Errorf("Tune(%v) succeeded", bad)
		}
	}
}

func TestEvidence(t *testing.T) {
	s := specOf(t, "group-by: u\nmax-evidence: 3", RuleRef{})
	var ms []Match
	for i := 0; i < 6; i++ {
		m := hit(s, "2026-11-20T08:0"+string(rune('0'+i))+":00Z", i+1, "u", "a")
		m.Why = []FieldValue{{Field: "status.additionalDetails", Value: "MFA denied; user declined the authentication"}}
		if i == 4 {
			m.Why = []FieldValue{{Field: "status.additionalDetails", Value: "MFA denied; Phone App Reported Fraud"}}
		}
		ms = append(ms, m)
	}
	a := build(t, Options{}, ms...)[0]
	var got []string
	for _, e := range a.Evidence {
		got = append(got, e.Origin)
	}
	if want := []string{"f.json:1", "f.json:2", "f.json:5"}; !reflect.DeepEqual(got, want) {
		t.Errorf("evidence %v, want %v (every why kept)", got, want)
	}
	if a.Evidence[2].Matched[0].Value != "MFA denied; Phone App Reported Fraud" || !strings.Contains(string(a.Evidence[0].Event), `"u":"a"`) {
		t.Errorf("evidence content %+v", a.Evidence[2])
	}
	if len(build(t, Options{MaxEvidence: 1}, hit(specOf(t, "group-by: u", RuleRef{}), "2026-11-20T08:00:00Z", 1, "u", "a"), hit(specOf(t, "group-by: u", RuleRef{}), "2026-11-20T08:00:00Z", 2, "u", "a"))[0].Evidence) != 1 {
		t.Error("Options.MaxEvidence ignored")
	}
}

// TestDeterministic adds the same matches in many orders and wants the
// same alerts.
func TestDeterministic(t *testing.T) {
	s := specOf(t, `
group-by: [u]
window: 30m
values: [ip]
max-values: 2
entities: [{type: ip, address: ip}]
risk: [{type: user, field: u, score: 10}]
`, RuleRef{})
	var ms []Match
	for i := 0; i < 40; i++ {
		at := ts("2026-11-20T08:00:00Z").Add(time.Duration(i%13) * 7 * time.Minute)
		m := hit(s, at.Format(time.RFC3339), i+1, "u", []string{"a", "b", "c"}[i%3], "ip", []string{"1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"}[i%4])
		ms = append(ms, m)
	}
	want, _ := json.Marshal(build(t, Options{}, ms...))
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		rng.Shuffle(len(ms), func(a, b int) { ms[a], ms[b] = ms[b], ms[a] })
		got, _ := json.Marshal(build(t, Options{}, ms...))
		if string(got) != string(want) {
			t.Fatalf("order %d changed the alerts", i)
		}
	}
}

func TestAlertID(t *testing.T) {
	s := specOf(t, "group-by: u", RuleRef{ID: "r1"})
	a1 := build(t, Options{}, hit(s, "2026-11-20T08:00:00Z", 1, "u", "Alice"))[0]
	a2 := build(t, Options{}, hit(s, "2026-11-20T08:00:00Z", 9, "u", "alice"))[0]
	a3 := build(t, Options{}, hit(s, "2026-11-20T08:00:01Z", 1, "u", "alice"))[0]
	s2 := specOf(t, "group-by: u", RuleRef{ID: "r2"})
	a4 := build(t, Options{}, hit(s2, "2026-11-20T08:00:00Z", 1, "u", "alice"))[0]
	if a1.ID != a2.ID || a1.ID == a3.ID || a1.ID == a4.ID || len(a1.ID) != 32 {
		t.Errorf("ids %s %s %s %s", a1.ID, a2.ID, a3.ID, a4.ID)
	}
}

func TestCorrelationMatch(t *testing.T) {
	s := specOf(t, "values: [ip]\nentities: [{type: ip, address: ip}]", RuleRef{})
	p1 := hit(s, "2026-11-20T08:00:00Z", 1, "ip", "1.1.1.1")
	p2 := hit(s, "2026-11-20T08:05:00Z", 2, "ip", "2.2.2.2")
	m := Match{Spec: s, Time: p2.Time, First: p1.Time, Count: 2, Fields: map[string][]string{"user": {"a"}}, Parts: []Match{p1, p2}}
	a := build(t, Options{}, m)
	if len(a) != 1 || a[0].Count != 2 || !a[0].FirstSeen.Equal(p1.Time) || len(a[0].Evidence) != 2 || a[0].Distinct["ip"] != 2 || len(a[0].Entities) != 2 {
		t.Fatalf("correlation alert %+v", a)
	}
}

func TestAddErrors(t *testing.T) {
	b := NewBuilder(Options{})
	if b.Add(Match{}) == nil {
		t.Error("match without spec accepted")
	}
	if b.Add(Match{Spec: DefaultSpec(RuleRef{})}) == nil {
		t.Error("match without time accepted")
	}
}

func TestEvalErrorIsFalse(t *testing.T) {
	s := specOf(t, `having: 'options["x"] > 1'`, RuleRef{})
	b := NewBuilder(Options{})
	_ = b.Add(hit(s, "2026-11-20T08:00:00Z", 1))
	if len(b.Finish()) != 0 || b.Stats().EvalErrors != 1 || len(b.Errors()) != 1 {
		t.Errorf("stats %+v errors %v", b.Stats(), b.Errors())
	}
}

// TestMaxOpen checks the cap on open keys: past it, the key due first
// closes early with the matches it has, a later match of that key opens a
// new window, the other keys are untouched, and the counts say so.
func TestMaxOpen(t *testing.T) {
	s := specOf(t, "group-by: u\nwindow: 1h", RuleRef{})
	ms := []Match{
		hit(s, "2026-11-20T08:00:00Z", 1, "u", "a"),
		hit(s, "2026-11-20T08:05:00Z", 2, "u", "b"),
		hit(s, "2026-11-20T08:10:00Z", 3, "u", "a"),
		hit(s, "2026-11-20T08:20:00Z", 4, "u", "c"), // third key: a (due 09:00) closes early
		hit(s, "2026-11-20T08:30:00Z", 5, "u", "a"), // a again: b (due 09:05) closes early
		hit(s, "2026-11-20T08:40:00Z", 6, "u", "b"), // b again: c (due 09:20) closes early
	}
	counts := func(alerts []Alert) map[string][]int {
		got := map[string][]int{}
		for _, a := range alerts {
			got[a.Group["u"]] = append(got[a.Group["u"]], a.Count)
		}
		return got
	}
	cases := []struct {
		max         int
		want        map[string][]int
		closedEarly int
		peak        int
	}{
		{0, map[string][]int{"a": {3}, "b": {2}, "c": {1}}, 0, 3}, // default cap: far away
		{-1, map[string][]int{"a": {3}, "b": {2}, "c": {1}}, 0, 3},
		{3, map[string][]int{"a": {3}, "b": {2}, "c": {1}}, 0, 3},
		{2, map[string][]int{"a": {2, 1}, "b": {1, 1}, "c": {1}}, 3, 2},
	}
	for _, c := range cases {
		b := filled(t, Options{MaxOpen: c.max}, ms...)
		var alerts []Alert
		// An Advance before the watermark reaches any window's end
		// returns the alerts of the keys closed early.
		early := b.Advance(ts("2026-11-20T08:45:00Z"))
		alerts = append(alerts, early...)
		alerts = append(alerts, b.Finish()...)
		if got := counts(alerts); !reflect.DeepEqual(got, c.want) {
			t.Errorf("MaxOpen %d: counts per key %v, want %v", c.max, got, c.want)
		}
		if c.closedEarly > 0 && len(early) != c.closedEarly {
			t.Errorf("MaxOpen %d: Advance returned %d alerts, want the %d closed early", c.max, len(early), c.closedEarly)
		}
		st := b.Stats()
		if st.ClosedEarly != c.closedEarly || st.PeakOpen != c.peak || st.Alerts != len(alerts) {
			t.Errorf("MaxOpen %d: stats closed early %d peak %d alerts %d, want %d %d %d", c.max, st.ClosedEarly, st.PeakOpen, st.Alerts, c.closedEarly, c.peak, len(alerts))
		}
	}
}

// TestMaxOpenPerRule checks that the cap is per rule: a rule that opens a
// key per match closes its own windows early, never another rule's.
func TestMaxOpenPerRule(t *testing.T) {
	flood := specOf(t, "group-by: id\nwindow: 1h", RuleRef{ID: "flood", Title: "Flood"})
	slow := specOf(t, "group-by: u\nwindow: 1h", RuleRef{ID: "slow", Title: "Slow"})
	b := NewBuilder(Options{MaxOpen: 3})
	start := ts("2026-11-20T08:00:00Z")
	var alerts []Alert
	for i := range 200 {
		at := start.Add(time.Duration(i) * time.Minute)
		if err := b.Add(hit(flood, at.Format(time.RFC3339), i+1, "id", fmt.Sprint("req-", i))); err != nil {
			t.Fatal(err)
		}
		if i%20 == 0 {
			// slow's two keys get a match every 20 minutes.
			for _, u := range []string{"alice", "bob"} {
				if err := b.Add(hit(slow, at.Format(time.RFC3339), 1000+i, "u", u)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if i%7 == 0 {
			alerts = append(alerts, b.Advance(at.Add(-time.Minute))...)
		}
		if rk := b.rules[flood]; rk.open > 3 {
			t.Fatalf("after %d matches: %d open keys of the flooding rule", i+1, rk.open)
		}
	}
	alerts = append(alerts, b.Finish()...)
	var slowCounts []int
	for _, a := range alerts {
		if a.Rule.ID == "slow" {
			slowCounts = append(slowCounts, a.Count)
		}
	}
	// slow's matches at 08:00, 08:20, …, 11:00 per user: windows [08:00,
	// 09:00), [09:00, 10:00), [10:00, 11:00) of three each, then 11:00.
	if want := []int{1, 1, 3, 3, 3, 3, 3, 3}; !slices.Equal(sortedInts(slowCounts), want) {
		t.Errorf("slow rule's window counts %v, want %v (untouched by the flood's cap)", sortedInts(slowCounts), want)
	}
	// Each flood key's window would end an hour after its match: with
	// three open, the 197 before the last three close early.
	st := b.Stats()
	if st.ClosedEarly != 197 || len(st.ClosedEarlyBy) != 1 || st.ClosedEarlyBy["Flood (flood)"] != 197 {
		t.Errorf("closed early %d %v, want 197, all of the flooding rule", st.ClosedEarly, st.ClosedEarlyBy)
	}
}

// TestMaxOpenEndedWindows checks that making room closes one window at a
// time: with matches in time order, closing the windows whose end has
// passed gives the alerts of an uncapped run, and a key's window that is
// still open stays open. Without a watermark each counts as closed early
// (a later match might have joined it: see TestMaxOpenLateMatch).
func TestMaxOpenEndedWindows(t *testing.T) {
	s := specOf(t, "group-by: u\nwindow: 30m", RuleRef{})
	ms := []Match{
		hit(s, "2026-11-20T07:46:00Z", 1, "u", "k1"),
		hit(s, "2026-11-20T07:58:00Z", 2, "u", "k2"),
		hit(s, "2026-11-20T08:11:00Z", 3, "u", "k1"),
		hit(s, "2026-11-20T08:26:00Z", 4, "u", "k1"), // k1's second window
		hit(s, "2026-11-20T08:31:00Z", 5, "u", "k1"),
		hit(s, "2026-11-20T08:34:00Z", 6, "u", "k0"), // at the cap: k1's first window (due 08:16), then k2 (08:28) close
		hit(s, "2026-11-20T08:49:00Z", 7, "u", "k1"), // joins k1's second window
	}
	want := groupCounts(build(t, Options{MaxOpen: -1}, ms...))
	b := filled(t, Options{MaxOpen: 2}, ms...)
	if got := groupCounts(b.Finish()); !slices.Equal(got, want) {
		t.Errorf("capped: %v, uncapped: %v", got, want)
	}
	if st := b.Stats(); st.ClosedEarly != 2 || st.PeakOpen != 2 {
		t.Errorf("closed early %d, peak open %d; want 2 and 2", st.ClosedEarly, st.PeakOpen)
	}
}

// TestMaxOpenLateMatch: a window closed at the cap before the watermark
// reached its end may miss a match that arrives later (a correlation's
// hit is timed at its last event, behind the newest match): the alert
// splits, and the count says so.
func TestMaxOpenLateMatch(t *testing.T) {
	s := specOf(t, "group-by: u\nwindow: 10m", RuleRef{})
	ms := []Match{
		hit(s, "2026-11-20T08:00:00Z", 1, "u", "a"),
		hit(s, "2026-11-20T08:01:00Z", 2, "u", "c"),
		hit(s, "2026-11-20T08:20:00Z", 3, "u", "b"), // at the cap: a (due 08:10) closes
		hit(s, "2026-11-20T08:05:00Z", 4, "u", "a"), // late: a new window
	}
	if got, want := groupCounts(build(t, Options{MaxOpen: -1}, ms...)), []string{"a:2", "b:1", "c:1"}; !slices.Equal(got, want) {
		t.Fatalf("uncapped: %v, want %v", got, want)
	}
	b := filled(t, Options{MaxOpen: 2}, ms...)
	if got, want := groupCounts(b.Finish()), []string{"a:1", "a:1", "b:1", "c:1"}; !slices.Equal(got, want) {
		t.Errorf("capped: %v, want %v", got, want)
	}
	if st := b.Stats(); st.ClosedEarly < 1 || st.ClosedEarlyBy["Test rule (rule-1)"] != st.ClosedEarly {
		t.Errorf("closed early %d %v: the split window is not counted", st.ClosedEarly, st.ClosedEarlyBy)
	}
}

// filled returns a Builder with ms added.
func filled(t *testing.T, opt Options, ms ...Match) *Builder {
	t.Helper()
	b := NewBuilder(opt)
	for _, m := range ms {
		if err := b.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func groupCounts(alerts []Alert) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, fmt.Sprintf("%s:%d", a.Group["u"], a.Count))
	}
	slices.Sort(out)
	return out
}

// TestMaxOpenAfterAdvance checks the rule's due order after Advance closed
// a key's window and the key stays open with a later one: that key, due
// first, is the one that makes room.
func TestMaxOpenAfterAdvance(t *testing.T) {
	s := specOf(t, "group-by: u\nwindow: 10m", RuleRef{})
	b := NewBuilder(Options{MaxOpen: 2})
	add := func(at, u string, line int) {
		if err := b.Add(hit(s, "2026-11-20T"+at+"Z", line, "u", u)); err != nil {
			t.Fatal(err)
		}
	}
	add("08:00:00", "a", 1)
	add("08:15:00", "a", 2) // a's second window, due 08:25
	alerts := b.Advance(ts("2026-11-20T08:12:00Z"))
	add("08:16:00", "b", 3) // due 08:26
	add("08:17:00", "c", 4) // at the cap: a (08:25) closes early, not b
	add("08:20:00", "b", 5)
	alerts = append(alerts, b.Finish()...)
	var got []string
	for _, a := range alerts {
		got = append(got, fmt.Sprintf("%s:%d", a.Group["u"], a.Count))
	}
	slices.Sort(got)
	if want := []string{"a:1", "a:1", "b:2", "c:1"}; !slices.Equal(got, want) {
		t.Errorf("alerts %v, want %v", got, want)
	}
	if st := b.Stats(); st.ClosedEarly != 1 {
		t.Errorf("closed early %d, want 1 (a's second window)", st.ClosedEarly)
	}
}

// TestMaxOpenStaleEntries checks that a rule's due heap does not keep the
// entries of windows that Advance closed: it stays in proportion to the
// open keys, not to every key the rule ever had.
func TestMaxOpenStaleEntries(t *testing.T) {
	s := specOf(t, "group-by: id\nwindow: 5m", RuleRef{})
	b := NewBuilder(Options{MaxOpen: 50})
	start := ts("2026-11-20T08:00:00Z")
	for i := range 1000 {
		at := start.Add(time.Duration(i) * time.Minute)
		if err := b.Add(hit(s, at.Format(time.RFC3339), i+1, "id", fmt.Sprint("req-", i))); err != nil {
			t.Fatal(err)
		}
		b.Advance(at.Add(-time.Minute))
		// Compaction keeps the live entries and runs again at twice
		// their number plus 64: never more than that for the peak of
		// open keys (a few here), whatever the number of keys so far.
		if rk := b.rules[s]; len(rk.due) > 2*10+64 {
			t.Fatalf("after %d matches: %d due entries for %d open keys", i+1, len(rk.due), rk.open)
		}
	}
	if st := b.Stats(); st.ClosedEarly != 0 || st.PeakOpen > 10 {
		t.Errorf("closed early %d, peak open %d; want 0 and a few", st.ClosedEarly, st.PeakOpen)
	}
}

// TestMaxOpenFloodHeaps: a rule opening a key per match at its cap, its
// windows far from the watermark, leaves the entries of the windows closed
// at the cap stale in the Builder's heap until the watermark passes them:
// that heap too stays in proportion to the open keys.
func TestMaxOpenFloodHeaps(t *testing.T) {
	s := specOf(t, "group-by: id\nwindow: 24h", RuleRef{})
	b := NewBuilder(Options{MaxOpen: 3})
	start := ts("2026-11-20T08:00:00Z")
	for i := range 5000 {
		at := start.Add(time.Duration(i) * time.Second)
		if err := b.Add(hit(s, at.Format(time.RFC3339), i+1, "id", fmt.Sprint("req-", i))); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			b.Advance(at.Add(-time.Minute))
		}
		if len(b.due) > 2*3+64 || len(b.rules[s].due) > 2*3+64 {
			t.Fatalf("after %d matches: %d entries in the Builder's heap, %d in the rule's, for %d open keys", i+1, len(b.due), len(b.rules[s].due), len(b.keys))
		}
	}
	if st := b.Stats(); st.ClosedEarly != 4997 {
		t.Errorf("closed early %d, want 4997", st.ClosedEarly)
	}
}

func sortedInts(xs []int) []int {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// TestSortAlertsTies sorts alerts that tie on first_seen, rule and id — the
// same records read from two files — given in either order: the result
// must not depend on it (the evidence's origin decides).
func TestSortAlertsTies(t *testing.T) {
	at := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	mk := func(origin string) Alert {
		a := Alert{ID: "same", FirstSeen: at, Evidence: []Evidence{{Origin: origin}}}
		a.Rule.ID = "r"
		return a
	}
	one := []Alert{mk("b.ndjson:1"), mk("a.ndjson:1"), mk("c.ndjson:1")}
	two := []Alert{mk("c.ndjson:1"), mk("a.ndjson:1"), mk("b.ndjson:1")}
	SortAlerts(one)
	SortAlerts(two)
	for i := range one {
		if one[i].Evidence[0].Origin != two[i].Evidence[0].Origin {
			t.Fatalf("position %d: %s against %s", i, one[i].Evidence[0].Origin, two[i].Evidence[0].Origin)
		}
	}
	if one[0].Evidence[0].Origin != "a.ndjson:1" {
		t.Fatalf("first: %s", one[0].Evidence[0].Origin)
	}
}
