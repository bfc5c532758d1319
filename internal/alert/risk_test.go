package alert

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"testing"
	"time"
)

var t0 = ts("2026-11-20T00:00:00Z")

// ra makes an alert carrying risk for one user.
func ra(id, rule, user string, at time.Duration, score int, tactics ...string) Alert {
	return Alert{
		ID: id, Rule: RuleRef{ID: rule}, FirstSeen: t0.Add(at), LastSeen: t0.Add(at),
		Risk: Risk{
			Objects: []RiskObject{{Type: "user", Value: user, Score: score}},
			Threats: []ThreatObject{{Type: "ip_address", Value: "203.0.113." + id}},
		},
		Tactics: tactics,
	}
}

func TestRiskScoreThreshold(t *testing.T) {
	h := time.Hour
	cases := []struct {
		name   string
		alerts []Alert
		want   []string // "trigger score alerts..."
	}{
		{"exactly 100 in 24h", []Alert{ra("1", "r1", "alice", 0, 40), ra("2", "r2", "alice", 10*h, 30), ra("3", "r1", "Alice ", 24*h-time.Second, 30)},
			[]string{"risk-score 100 [1 2 3]"}},
		{"99 in 24h", []Alert{ra("1", "r1", "alice", 0, 40), ra("2", "r2", "alice", 10*h, 30), ra("3", "r1", "alice", 20*h, 29)}, nil},
		{"100 over exactly 24h", []Alert{ra("1", "r1", "alice", 0, 40), ra("2", "r2", "alice", 10*h, 30), ra("3", "r1", "alice", 24*h, 30)}, nil},
		{"other entities do not add up", []Alert{ra("1", "r1", "alice", 0, 50), ra("2", "r1", "bob", h, 50)}, nil},
		{"later risk joins the open incident, then re-arms",
			[]Alert{ra("1", "r1", "alice", 0, 100), ra("2", "r1", "alice", 23*h, 10), ra("3", "r1", "alice", 24*h, 60), ra("4", "r1", "alice", 25*h, 40)},
			[]string{"risk-score 110 [1 2]", "risk-score 100 [3 4]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := summarize(Incidents(c.alerts, RiskOptions{}))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("incidents = %v, want %v", got, c.want)
			}
		})
	}
}

func summarize(in []Incident) []string {
	var out []string
	for _, i := range in {
		out = append(out, fmt.Sprintf("%s %d %v", i.Trigger, i.Score, i.Alerts))
	}
	return out
}

func TestRiskTacticThreshold(t *testing.T) {
	d := 24 * time.Hour
	cases := []struct {
		name   string
		alerts []Alert
		want   []string
	}{
		{"3 tactics from 4 rules in 7 days", []Alert{
			ra("1", "r1", "alice", 0, 5, "initial-access"),
			ra("2", "r2", "alice", 2*d, 5, "initial-access"),
			ra("3", "r3", "alice", 4*d, 5, "persistence"),
			ra("4", "r4", "alice", 6*d, 5, "credential-access", "persistence"),
		}, []string{"attack-tactics 20 [1 2 3 4]"}},
		{"2 tactics from 4 rules", []Alert{
			ra("1", "r1", "alice", 0, 5, "initial-access"),
			ra("2", "r2", "alice", d, 5, "initial-access"),
			ra("3", "r3", "alice", 2*d, 5, "persistence"),
			ra("4", "r4", "alice", 3*d, 5, "persistence"),
		}, nil},
		{"3 tactics from 3 rules", []Alert{
			ra("1", "r1", "alice", 0, 5, "initial-access"),
			ra("2", "r2", "alice", d, 5, "persistence"),
			ra("3", "r3", "alice", 2*d, 5, "credential-access"),
			ra("4", "r3", "alice", 3*d, 5, "credential-access"),
		}, nil},
		{"3 tactics from 4 rules over 7 days and 1 s", []Alert{
			ra("1", "r1", "alice", 0, 5, "initial-access"),
			ra("2", "r2", "alice", d, 5, "persistence"),
			ra("3", "r3", "alice", 2*d, 5, "credential-access"),
			ra("4", "r4", "alice", 7*d+time.Second, 5, "persistence"),
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := summarize(Incidents(c.alerts, RiskOptions{}))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("incidents = %v, want %v", got, c.want)
			}
		})
	}
}

func TestIncidentContent(t *testing.T) {
	alerts := []Alert{
		ra("a", "r1", "Alice@Contoso.com", 0, 60, "initial-access"),
		ra("b", "r2", "alice@contoso.com", time.Hour, 200, "credential-access"),
	}
	in := Incidents(alerts, RiskOptions{})
	if len(in) != 1 {
		t.Fatalf("%d incidents", len(in))
	}
	i := in[0]
	if i.Level != LevelHigh || i.Entity != "Alice@Contoso.com" || i.EntityType != "user" || i.Score != 260 ||
		!reflect.DeepEqual(i.Tactics, []string{"credential-access", "initial-access"}) || !reflect.DeepEqual(i.Rules, []string{"r1", "r2"}) ||
		len(i.Threats) != 2 || !i.FirstSeen.Equal(t0) || !i.LastSeen.Equal(t0.Add(time.Hour)) || len(i.ID) != 32 ||
		i.Reason != "risk score 260 reached 100 within 1d" {
		t.Errorf("incident %+v", i)
	}
	for score, want := range map[int]Level{100: LevelMedium, 249: LevelMedium, 250: LevelHigh, 499: LevelHigh, 500: LevelCritical} {
		if got := scoreLevel(score); got != want {
			t.Errorf("scoreLevel(%d) = %v", score, got)
		}
	}
	// Configurable thresholds.
	custom := Incidents(alerts[:1], RiskOptions{ScoreThreshold: 50, ScoreWindow: time.Hour})
	if len(custom) != 1 || custom[0].Reason != "risk score 60 reached 50 within 1h0m0s" {
		t.Errorf("custom = %+v", custom)
	}
	tac := Incidents([]Alert{ra("1", "r1", "u", 0, 1, "impact"), ra("2", "r2", "u", time.Minute, 1, "discovery")}, RiskOptions{MinTactics: 2, MinRules: 2})
	if len(tac) != 1 || tac[0].Level != LevelHigh || tac[0].Reason != "2 ATT&CK tactics from 2 rules within 7d" {
		t.Errorf("tactics = %+v", tac)
	}
}

// TestRiskDeterministicAndStreaming: any alert order, and a streamed run
// advancing a watermark, give the batch result.
func TestRiskDeterministicAndStreaming(t *testing.T) {
	var alerts []Alert
	rules := []string{"r1", "r2", "r3", "r4", "r5"}
	tactics := []string{"initial-access", "persistence", "credential-access", "discovery", "impact"}
	for i := 0; i < 300; i++ {
		alerts = append(alerts, ra(fmt.Sprint(i), rules[i%5], []string{"a", "b", "c"}[i%3], time.Duration(i)*47*time.Minute, 10+i%30, tactics[(i/3)%5]))
	}
	want, _ := json.Marshal(Incidents(alerts, RiskOptions{}))
	if len(want) < 100 {
		t.Fatalf("scenario raises nothing: %s", want)
	}
	rng := rand.New(rand.NewSource(2))
	shuffled := append([]Alert(nil), alerts...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if got, _ := json.Marshal(Incidents(shuffled, RiskOptions{})); string(got) != string(want) {
		t.Error("alert order changed the incidents")
	}

	r := NewRiskEngine(RiskOptions{})
	var streamed []Incident
	for i, a := range alerts { // in time order
		r.Add(&alerts[i])
		if i%7 == 0 {
			streamed = append(streamed, r.Advance(a.FirstSeen)...)
		}
	}
	streamed = append(streamed, r.Finish()...)
	sortIncidents(streamed)
	if got, _ := json.Marshal(streamed); string(got) != string(want) {
		t.Errorf("streamed incidents differ from batch:\n%s\n%s", got, want)
	}
}

func sortIncidents(in []Incident) {
	for i := 1; i < len(in); i++ {
		for j := i; j > 0 && lessIncident(in[j], in[j-1]); j-- {
			in[j], in[j-1] = in[j-1], in[j]
		}
	}
}

func lessIncident(a, b Incident) bool {
	if !a.FirstSeen.Equal(b.FirstSeen) {
		return a.FirstSeen.Before(b.FirstSeen)
	}
	if a.EntityType+a.Entity != b.EntityType+b.Entity {
		return a.EntityType+a.Entity < b.EntityType+b.Entity
	}
	return a.Trigger < b.Trigger
}

func TestRiskEventsFromBuilder(t *testing.T) {
	s := specOf(t, "group-by: u\nrisk: [{type: user, field: u, score: 50}, {type: system, field: host, score: 20}]", RuleRef{Tags: []string{"attack.initial_access"}})
	a := build(t, Options{}, hit(s, "2026-11-20T08:00:00Z", 1, "u", "alice", "host", "h1"), hit(s, "2026-11-20T08:01:00Z", 2, "u", "alice", "host", "h2"))
	evs := RiskEvents(&a[0])
	if len(evs) != 3 || evs[0].Score != 50 || evs[0].RuleID != "rule-1" || !reflect.DeepEqual(evs[0].Tactics, []string{"initial-access"}) || evs[2].Entity != "h2" {
		t.Errorf("risk events %+v", evs)
	}
}
