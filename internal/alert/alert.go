// Package alert defines the alert every output carries (DESIGN.md §9), and
// groups rule hits into alerts, enriches them, applies severity tiers and
// accumulates entity risk.
package alert

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// Level is an alert severity. The zero value is LevelInformational.
type Level uint8

// Severity levels, in increasing order (Sigma's levels).
const (
	LevelInformational Level = iota
	LevelLow
	LevelMedium
	LevelHigh
	LevelCritical
)

var levelNames = [...]string{"informational", "low", "medium", "high", "critical"}

// String returns the Sigma name of the level.
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "informational"
}

// ParseLevel parses a Sigma level name (case-insensitive; "info" accepted).
func ParseLevel(s string) (Level, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "info" {
		return LevelInformational, true
	}
	for i, n := range levelNames {
		if n == s {
			return Level(i), true
		}
	}
	return LevelInformational, false
}

// MarshalText renders the level name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses a level name.
func (l *Level) UnmarshalText(b []byte) error {
	v, ok := ParseLevel(string(b))
	if !ok {
		return &json.UnsupportedValueError{Str: string(b)}
	}
	*l = v
	return nil
}

// RuleRef identifies the rule that raised an alert.
type RuleRef struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Level      Level    `json:"level"`
	Tags       []string `json:"tags,omitempty"`
	Implements []string `json:"implements,omitempty"`
	// File is where the rule was loaded from ("builtin:<name>.yml" for the
	// embedded pack).
	File string `json:"file,omitempty"`
}

// Entity is an entity on an alert (Sentinel-style entity mapping). Type is
// "account", "ip", "app", "service_principal", "host", "cloud_resource",
// "key_vault", "aws_principal" or "k8s_service_account"; the other fields are
// type-specific and omitted when empty.
type Entity struct {
	Type string            `json:"type"`
	Attr map[string]string `json:"-"`
}

// MarshalJSON flattens the entity's attributes beside its type.
func (e Entity) MarshalJSON() ([]byte, error) {
	m := make(map[string]string, len(e.Attr)+1)
	for k, v := range e.Attr {
		m[k] = v
	}
	m["type"] = e.Type
	return json.Marshal(m)
}

// UnmarshalJSON reads a flattened entity.
func (e *Entity) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	e.Type = m["type"]
	delete(m, "type")
	e.Attr = m
	return nil
}

// RiskObject is an entity that accrues risk from an alert (Splunk RBA).
type RiskObject struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	Score int    `json:"score"`
}

// ThreatObject is an indicator seen on an alert (Splunk RBA).
type ThreatObject struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Risk carries the alert's risk and threat objects.
type Risk struct {
	Objects []RiskObject   `json:"objects,omitempty"`
	Threats []ThreatObject `json:"threats,omitempty"`
}

// Evidence is one event that contributed to an alert.
type Evidence struct {
	Origin string          `json:"origin"`
	Kind   event.Kind      `json:"kind"`
	Format string          `json:"format"`
	Time   time.Time       `json:"time"`
	Event  json.RawMessage `json:"event"`
	// Matched lists the field = value pairs that made the rule match
	// ("why"), in rule order.
	Matched []FieldValue `json:"matched,omitempty"`
}

// FieldValue is a field and the value it had.
type FieldValue struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// Alert is one alert, as every output carries it.
type Alert struct {
	ID        string    `json:"id"`
	Rule      RuleRef   `json:"rule"`
	Level     Level     `json:"level"`
	Message   string    `json:"message"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Count     int       `json:"count"`
	// Group holds the grouping key's field values.
	Group map[string]string `json:"group,omitempty"`
	// Values holds distinct values of the rule's output fields, capped.
	Values map[string][]string `json:"values,omitempty"`
	// Distinct holds the uncapped number of distinct values of each output
	// field; Distinct[f] - len(Values[f]) values were left out of Values.
	Distinct   map[string]int `json:"distinct,omitempty"`
	Entities   []Entity       `json:"entities,omitempty"`
	Risk       Risk           `json:"risk"`
	Enrichment map[string]any `json:"enrichment,omitempty"`
	Evidence   []Evidence     `json:"evidence,omitempty"`
	// Tactics are the ATT&CK tactics from the rule's tags, for RBA.
	Tactics []string `json:"tactics,omitempty"`
}

// Incident is a risk incident raised by risk-based alerting: one entity
// whose accumulated risk crossed a threshold.
type Incident struct {
	ID         string    `json:"id"`
	Level      Level     `json:"level"`
	EntityType string    `json:"entity_type"`
	Entity     string    `json:"entity"`
	Score      int       `json:"score"`
	Tactics    []string  `json:"tactics"`
	Rules      []string  `json:"rules"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	Reason     string    `json:"reason"`
	// Trigger names the risk incident rule that fired: TriggerScore or
	// TriggerTactics.
	Trigger string `json:"trigger"`
	// Threats are the threat objects of the contributing alerts.
	Threats []ThreatObject `json:"threats,omitempty"`
	// Alerts are the IDs of the contributing alerts.
	Alerts []string `json:"alerts"`
}
