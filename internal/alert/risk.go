package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// The risk incident rules (Splunk ES's two default risk incident rules).
const (
	// TriggerScore: an entity's risk within ScoreWindow reached
	// ScoreThreshold ("Risk Threshold Exceeded For Object Over 24 Hour
	// Period").
	TriggerScore = "risk-score"
	// TriggerTactics: within TacticWindow an entity drew risk from at least
	// MinTactics ATT&CK tactics and MinRules rules ("ATT&CK Tactic
	// Threshold Exceeded For Object Over Previous 7 Days").
	TriggerTactics = "attack-tactics"
)

// RiskOptions are the risk incident thresholds; zero fields take the
// defaults in brackets.
type RiskOptions struct {
	ScoreThreshold int           // [100] summed risk that raises an incident
	ScoreWindow    time.Duration // [24h]
	MinTactics     int           // [3] distinct ATT&CK tactics
	MinRules       int           // [4] distinct rules
	TacticWindow   time.Duration // [7 days]
}

func (o RiskOptions) norm() RiskOptions {
	if o.ScoreThreshold <= 0 {
		o.ScoreThreshold = 100
	}
	if o.ScoreWindow <= 0 {
		o.ScoreWindow = 24 * time.Hour
	}
	if o.MinTactics <= 0 {
		o.MinTactics = 3
	}
	if o.MinRules <= 0 {
		o.MinRules = 4
	}
	if o.TacticWindow <= 0 {
		o.TacticWindow = 7 * 24 * time.Hour
	}
	return o
}

// RiskEvent is the risk one alert puts on one entity (Splunk's risk event).
type RiskEvent struct {
	Time       time.Time // the alert's first_seen
	AlertID    string
	RuleID     string
	EntityType string // risk object type, lower-cased
	Entity     string // risk object value, lower-cased and trimmed
	Display    string // the value as the alert spelled it
	Score      int
	Tactics    []string
	Threats    []ThreatObject
}

// RiskEvents returns the alert's risk events: one per risk object, at the
// alert's first_seen, carrying the rule's tactics and the alert's threats.
// The score is the one on the alert (the spec's score times the matching
// tier's risk-factor).
func RiskEvents(a *Alert) []RiskEvent {
	rule := a.Rule.ID
	if rule == "" {
		rule = a.Rule.Title
	}
	out := make([]RiskEvent, 0, len(a.Risk.Objects))
	for _, o := range a.Risk.Objects {
		if fold(o.Value) == "" {
			continue
		}
		out = append(out, RiskEvent{
			Time: a.FirstSeen, AlertID: a.ID, RuleID: rule,
			EntityType: fold(o.Type), Entity: fold(o.Value), Display: o.Value,
			Score: o.Score, Tactics: a.Tactics, Threats: a.Risk.Threats,
		})
	}
	return out
}

// Incidents runs risk-based alerting over a batch of alerts and returns
// the incidents, ordered by first_seen, entity and trigger. The result does
// not depend on the order of alerts.
func Incidents(alerts []Alert, opt RiskOptions) []Incident {
	r := NewRiskEngine(opt)
	for i := range alerts {
		r.Add(&alerts[i])
	}
	return r.Finish()
}

// RiskEngine accumulates risk events per entity (risk object type and
// normalised value) and raises incidents (Splunk ES semantics). For each
// entity and each trigger, events are taken in time order over a sliding
// window; when the window meets the threshold, an incident opens with the
// window's events, and every later event of the entity within one window
// length of the opening joins it. After that the trigger re-arms with an
// empty window: events already in an incident are not counted again.
//
// Add every alert and call Finish for a batch; in serve, Advance(t) with
// the watermark returns the incidents that can no longer grow. It is safe
// for concurrent use.
type RiskEngine struct {
	mu       sync.Mutex
	opt      RiskOptions
	entities map[string]*entityRisk
}

type entityRisk struct {
	pending []RiskEvent
	sorted  bool
	score   trigState
	tactics trigState
}

// trigState is one trigger's sliding window and open incident.
type trigState struct {
	window []RiskEvent
	open   []RiskEvent // contributing events of the open incident
	raised time.Time   // when the open incident was raised
}

// NewRiskEngine returns an empty engine.
func NewRiskEngine(opt RiskOptions) *RiskEngine {
	return &RiskEngine{opt: opt.norm(), entities: map[string]*entityRisk{}}
}

// Add takes the risk events of an alert.
func (r *RiskEngine) Add(a *Alert) {
	evs := RiskEvents(a)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range evs {
		k := ev.EntityType + "\x1f" + ev.Entity
		er := r.entities[k]
		if er == nil {
			er = &entityRisk{}
			r.entities[k] = er
		}
		er.pending = append(er.pending, ev)
		er.sorted = false
	}
}

// Advance processes the risk events before watermark t and returns the
// incidents whose window closed at or before t.
func (r *RiskEngine) Advance(t time.Time) []Incident {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.run(t, false)
}

// Finish processes every event and returns every incident, open or not.
func (r *RiskEngine) Finish() []Incident {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.run(time.Time{}, true)
}

func (r *RiskEngine) run(wm time.Time, final bool) []Incident {
	var out []Incident
	for k, er := range r.entities {
		if !er.sorted {
			slices.SortFunc(er.pending, compareRisk)
			er.sorted = true
		}
		n := 0
		for n < len(er.pending) && (final || er.pending[n].Time.Before(wm)) {
			ev := er.pending[n]
			out = append(out, r.step(&er.score, ev, TriggerScore)...)
			out = append(out, r.step(&er.tactics, ev, TriggerTactics)...)
			n++
		}
		er.pending = er.pending[n:]
		for _, ts := range []struct {
			st   *trigState
			name string
		}{{&er.score, TriggerScore}, {&er.tactics, TriggerTactics}} {
			if len(ts.st.open) > 0 && (final || !wm.Before(ts.st.raised.Add(r.window(ts.name)))) {
				out = append(out, r.incident(ts.st.open, ts.name))
				ts.st.open = nil
			}
			if final {
				ts.st.window = nil
			}
		}
		if len(er.pending) == 0 && len(er.score.open) == 0 && len(er.tactics.open) == 0 &&
			(final || (windowIdle(er.score.window, wm, r.opt.ScoreWindow) && windowIdle(er.tactics.window, wm, r.opt.TacticWindow))) {
			delete(r.entities, k)
		}
	}
	slices.SortFunc(out, func(a, b Incident) int {
		if c := a.FirstSeen.Compare(b.FirstSeen); c != 0 {
			return c
		}
		if c := strings.Compare(a.EntityType+"\x1f"+a.Entity, b.EntityType+"\x1f"+b.Entity); c != 0 {
			return c
		}
		return strings.Compare(a.Trigger, b.Trigger)
	})
	return out
}

// windowIdle reports whether every event of a window has slid out by wm.
func windowIdle(w []RiskEvent, wm time.Time, d time.Duration) bool {
	return len(w) == 0 || !w[len(w)-1].Time.Add(d).After(wm)
}

func (r *RiskEngine) window(trigger string) time.Duration {
	if trigger == TriggerScore {
		return r.opt.ScoreWindow
	}
	return r.opt.TacticWindow
}

// step feeds one event (in time order) to a trigger and returns the
// incident it closed, if any.
func (r *RiskEngine) step(st *trigState, ev RiskEvent, trigger string) []Incident {
	w := r.window(trigger)
	var out []Incident
	if len(st.open) > 0 {
		if ev.Time.Before(st.raised.Add(w)) {
			st.open = append(st.open, ev)
			return nil
		}
		out = append(out, r.incident(st.open, trigger))
		st.open = nil
	}
	st.window = append(st.window, ev)
	// Keep the events within (ev.Time - w, ev.Time].
	cut := 0
	for cut < len(st.window) && !st.window[cut].Time.After(ev.Time.Add(-w)) {
		cut++
	}
	st.window = st.window[cut:]
	if r.met(st.window, trigger) {
		st.open = st.window
		st.raised = ev.Time
		st.window = nil
	}
	return out
}

// met reports whether a window's events meet a trigger's threshold.
func (r *RiskEngine) met(evs []RiskEvent, trigger string) bool {
	if trigger == TriggerScore {
		sum := 0
		for _, e := range evs {
			sum += e.Score
		}
		return sum >= r.opt.ScoreThreshold
	}
	tactics, rules := map[string]bool{}, map[string]bool{}
	for _, e := range evs {
		rules[e.RuleID] = true
		for _, t := range e.Tactics {
			tactics[t] = true
		}
	}
	return len(tactics) >= r.opt.MinTactics && len(rules) >= r.opt.MinRules
}

// incident builds the incident of a closed episode.
func (r *RiskEngine) incident(evs []RiskEvent, trigger string) Incident {
	in := Incident{
		EntityType: evs[0].EntityType, Entity: evs[0].Display,
		FirstSeen: evs[0].Time, LastSeen: evs[len(evs)-1].Time, Trigger: trigger,
	}
	tactics, rules, alerts, threats := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, e := range evs {
		in.Score += e.Score
		for _, t := range e.Tactics {
			tactics[t] = true
		}
		rules[e.RuleID] = true
		if !alerts[e.AlertID] {
			alerts[e.AlertID] = true
			in.Alerts = append(in.Alerts, e.AlertID)
		}
		for _, t := range e.Threats {
			k := t.Type + "\x1f" + fold(t.Value)
			if !threats[k] && len(in.Threats) < DefaultMaxValues {
				threats[k] = true
				in.Threats = append(in.Threats, t)
			}
		}
	}
	in.Tactics, in.Rules = sortedKeys(tactics), sortedKeys(rules)
	if in.Tactics == nil {
		in.Tactics = []string{}
	}
	sort.SliceStable(in.Threats, func(i, j int) bool {
		if in.Threats[i].Type != in.Threats[j].Type {
			return in.Threats[i].Type < in.Threats[j].Type
		}
		return in.Threats[i].Value < in.Threats[j].Value
	})
	in.Level = scoreLevel(in.Score)
	if trigger == TriggerScore {
		in.Reason = fmt.Sprintf("risk score %d reached %d within %s", in.Score, r.opt.ScoreThreshold, span(r.opt.ScoreWindow))
	} else {
		in.Level = max(in.Level, LevelHigh)
		in.Reason = fmt.Sprintf("%d ATT&CK tactics from %d rules within %s", len(in.Tactics), len(in.Rules), span(r.opt.TacticWindow))
	}
	h := sha256.Sum256([]byte(trigger + "\x00" + evs[0].EntityType + "\x00" + evs[0].Entity + "\x00" + in.FirstSeen.UTC().Format(time.RFC3339Nano)))
	in.ID = hex.EncodeToString(h[:16])
	return in
}

// scoreLevel bands an incident's score as Splunk ES does for its risk
// threshold incidents: below 250 medium, below 500 high, else critical.
func scoreLevel(score int) Level {
	switch {
	case score >= 500:
		return LevelCritical
	case score >= 250:
		return LevelHigh
	}
	return LevelMedium
}

// span renders a window as "24h" or "7d".
func span(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func compareRisk(a, b RiskEvent) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if c := strings.Compare(a.AlertID, b.AlertID); c != 0 {
		return c
	}
	return cmpInt(a.Score, b.Score)
}
