package compile

import (
	"time"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/sigma"
)

// CorrelationType is the type of a correlation.
type CorrelationType string

// Correlation types: the seven of the correlation specification, idsentry's
// new_value extension, and min/max which only legacy aggregations use.
const (
	EventCount      CorrelationType = "event_count"
	ValueCount      CorrelationType = "value_count"
	Temporal        CorrelationType = "temporal"
	TemporalOrdered CorrelationType = "temporal_ordered"
	ValueSum        CorrelationType = "value_sum"
	ValueAvg        CorrelationType = "value_avg"
	ValuePercentile CorrelationType = "value_percentile"
	NewValue        CorrelationType = "new_value"
	ValueMin        CorrelationType = "value_min"
	ValueMax        CorrelationType = "value_max"
)

// Correlation is a compiled correlation: a correlation rule, or a legacy
// aggregation of a detection rule.
type Correlation struct {
	Type CorrelationType
	// Rules are the referenced rules, in the order the rule lists them (the
	// order temporal_ordered enforces). A legacy aggregation references the
	// rule itself.
	Rules []*Rule
	// GroupBy are the group-by names (alias names where aliases apply).
	GroupBy []string
	// Timespan is the window length; for new_value, how long a seen value
	// stays known.
	Timespan time.Duration
	// Learning is new_value's learning period: for this long after the
	// first match, values are learnt and not alerted on (the timespan when
	// the rule sets none).
	Learning time.Duration
	// Condition holds the criteria, AND-ed. For temporal types without a
	// condition it is "gte: number of rules".
	Condition []sigma.Criterion
	// Field is the aggregated field of value_* and new_value; Fields lists
	// every field when condition.field is a list (value_count and new_value
	// then take the fields' values together as one tuple).
	Field  string
	Fields []string
	// Generate is the rule's generate attribute.
	Generate bool
	// Legacy marks a "| count() by" aggregation in a detection's condition.
	Legacy bool

	inputs map[inputKey]*Input
}

type inputKey struct {
	rule *Rule
	kind event.Kind
}

// Input says how the hits of one referenced rule feed a correlation.
type Input struct {
	// Position is the rule's index in Correlation.Rules.
	Position int
	// GroupPaths are, for a detection rule, the canonical paths of the
	// group-by fields in events of the kind; FieldPaths those of the
	// aggregated fields (none when the type has none). Equal paths of a
	// Set's inputs share one slice.
	GroupPaths []event.Path
	FieldPaths []event.Path
	// GroupIndex is, for a referenced correlation, the index in its
	// GroupBy of each of this correlation's group-by names; FieldIndex
	// that of the aggregated field (-1 when none).
	GroupIndex []int
	FieldIndex int
}

// Input returns how hits of rule ref from events of kind k (ignored for a
// referenced correlation) feed the correlation, or nil if ref is not one
// of its inputs.
func (c *Correlation) Input(ref *Rule, k event.Kind) *Input {
	if ref.Correlation != nil && !(c.Legacy && len(c.Rules) == 1 && c.Rules[0] == ref) {
		k = event.KindUnknown
	}
	return c.inputs[inputKey{ref, k}]
}

// Upper reports whether the condition has an upper bound (lt, lte, eq,
// neq), which makes the correlation evaluated on complete windows.
func (c *Correlation) Upper() bool {
	for _, cr := range c.Condition {
		switch cr.Op {
		case "lt", "lte", "eq", "neq":
			return true
		}
	}
	return false
}

// Holds reports whether value satisfies every criterion.
func (c *Correlation) Holds(value float64) bool {
	for _, cr := range c.Condition {
		var ok bool
		switch cr.Op {
		case "gt":
			ok = value > cr.Value
		case "gte":
			ok = value >= cr.Value
		case "lt":
			ok = value < cr.Value
		case "lte":
			ok = value <= cr.Value
		case "eq":
			ok = value == cr.Value
		case "neq":
			ok = value != cr.Value
		}
		if !ok {
			return false
		}
	}
	return true
}
