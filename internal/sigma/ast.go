// Package sigma parses Sigma rule files (specification v2: detection rules,
// correlation rules and filters, in multi-document YAML files) into an AST
// with line:column positions. It does no evaluation: package compile turns
// the AST into matchers.
package sigma

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// Pos is a 1-based line:column position in a rule file.
type Pos struct {
	Line, Col int
}

// Document kinds.
const (
	DocDetection   = "detection"
	DocCorrelation = "correlation"
	DocFilter      = "filter"
)

// Rule is one YAML document of a rule file: a detection rule, a correlation
// rule or a filter (exactly one of Detection, Correlation, Filter is set).
type Rule struct {
	File string
	Pos  Pos // position of the document's first key
	// Doc is the document kind: DocDetection, DocCorrelation or DocFilter.
	Doc string
	// Index is the 0-based index of the document in its file.
	Index int

	Title          string
	ID             string
	Name           string
	Status         string
	Description    string
	License        string
	Author         string
	Date           string
	Modified       string
	References     []string
	Tags           []string
	Level          string
	FalsePositives []string
	Fields         []string
	Taxonomy       string
	Related        []Related
	Scope          []string

	LogSource LogSource

	Detection   *Detection
	Correlation *Correlation
	Filter      *Filter

	// Custom holds every top-level attribute the specification does not
	// define, by name (the specification allows custom attributes).
	// idsentry's own attribute is Custom["idsentry"].
	Custom map[string]*yaml.Node

	// Positions of the rule's top-level attributes, by name, for messages.
	Positions map[string]Pos

	// Invalid is set when Parse reported an error (not only warnings) for
	// this document: such a rule must not be compiled.
	Invalid bool
}

// Related is an entry of the related attribute.
type Related struct {
	ID   string
	Type string
}

// LogSource is the logsource attribute. Any other keys are kept in Custom.
type LogSource struct {
	Category   string
	Product    string
	Service    string
	Definition string
	Custom     map[string]string
	Pos        Pos
}

// Detection is the detection attribute of a detection rule.
type Detection struct {
	// Searches are the named search identifiers ("selection", "filter_main",
	// …), in file order.
	Searches []*Search
	// Conditions are the condition expressions; a list of conditions is an
	// OR of them. Each is parsed.
	Conditions []*Condition
	// Timeframe is the legacy detection.timeframe (zero when absent).
	Timeframe    time.Duration
	TimeframePos Pos
	Pos          Pos
}

// Search returns the search identifier with the given name, or nil.
func (d *Detection) Search(name string) *Search {
	for _, s := range d.Searches {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Search is a named search identifier. A search is either a list of
// keyword values (Keywords, matched anywhere in the event, OR-ed) or a list
// of field maps (Maps): the search matches when any map matches (a single
// map in YAML is a one-element list), and a map matches when all its field
// matchers match.
type Search struct {
	Name     string
	Pos      Pos
	Keywords []Value
	// KeywordModifiers apply to keywords given as "|modifier" keys (e.g.
	// "'|all': [...]"), per the specification.
	KeywordModifiers []Modifier
	Maps             []FieldMap
}

// FieldMap is one YAML map of a search: all its matchers must match.
type FieldMap struct {
	Pos      Pos
	Matchers []*FieldMatcher
}

// FieldMatcher is one "field|mod1|mod2: value(s)" entry. Values are OR-ed
// unless the "all" modifier is present. An empty field name means a keyword
// matcher written as a map key ("|all").
type FieldMatcher struct {
	Field     string
	Modifiers []Modifier
	Values    []Value
	Pos       Pos
}

// Modifier is one value modifier with its position.
type Modifier struct {
	Name string
	Pos  Pos
}

// Has reports whether the matcher carries modifier name.
func (m *FieldMatcher) Has(name string) bool {
	for _, x := range m.Modifiers {
		if x.Name == name {
			return true
		}
	}
	return false
}

// ValueKind is the YAML type of a value.
type ValueKind uint8

// Value kinds.
const (
	ValueString ValueKind = iota
	ValueNumber
	ValueBool
	ValueNull
)

// Value is one value of a matcher or keyword list. Str holds the text as
// written (for numbers and booleans too); Num is set for numbers.
type Value struct {
	Kind ValueKind
	Str  string
	Num  float64
	Bool bool
	Pos  Pos
}

// Condition is one parsed condition expression.
type Condition struct {
	Text string
	Pos  Pos
	Expr Expr
	// Aggregation is the legacy "| count(field) by group > n" part, if any.
	Aggregation *Aggregation
}

// Expr is a node of a condition expression: *And, *Or, *Not, *Ident or *Of.
type Expr interface{ exprNode() }

// And is a conjunction.
type And struct{ Left, Right Expr }

// Or is a disjunction.
type Or struct{ Left, Right Expr }

// Not is a negation.
type Not struct{ X Expr }

// Ident references a search identifier by name.
type Ident struct {
	Name string
	Pos  Pos
}

// Of is "1 of pattern", "all of pattern", "1 of them", "all of them".
// Pattern is the identifier pattern (may end in "*"), or "them".
type Of struct {
	All     bool
	Pattern string
	Pos     Pos // position of the quantifier
	// PatternPos is the position of the pattern.
	PatternPos Pos
	// Matches are the names of the search identifiers the pattern selects,
	// in file order (see MatchPattern); Parse fills it in for rule
	// conditions, ParseCondition leaves it empty.
	Matches []string
}

func (*And) exprNode()   {}
func (*Or) exprNode()    {}
func (*Not) exprNode()   {}
func (*Ident) exprNode() {}
func (*Of) exprNode()    {}

// Aggregation is the legacy aggregation expression of Sigma v1:
// "| count(field) by group op value" (also min, max, avg, sum).
type Aggregation struct {
	Func    string // count, min, max, avg, sum
	Field   string // may be empty for count()
	GroupBy string // may be empty
	Op      string // >, >=, <, <=, ==, !=
	Value   float64
	Pos     Pos
}

// Correlation is the correlation attribute of a correlation rule.
type Correlation struct {
	Type  string   // event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile; idsentry extension: new_value
	Rules []string // referenced rule ids or names
	// RulePos are the positions of the entries of Rules.
	RulePos []Pos
	// Resolved are the documents Rules name, in the same order; Link fills
	// it in (nil entries for references it could not resolve).
	Resolved []*Rule
	GroupBy  []string
	Timespan time.Duration
	// Condition holds the comparison criteria (gt, gte, lt, lte, eq, neq),
	// AND-ed; Field is the condition's field for value_* types.
	Condition []Criterion
	Field     string
	// Fields holds every field of condition.field, which may be a list
	// (the fields' values are then taken together as one tuple); Field is
	// Fields[0].
	Fields   []string
	Aliases  map[string]map[string]string // alias -> rule id/name -> field
	Generate bool
	// Learning is the learning period of the idsentry new_value type (see
	// correlation.go); zero for the Sigma types.
	Learning time.Duration
	Pos      Pos
	// Positions of the correlation's attributes, by name.
	Positions map[string]Pos
}

// Criterion is one comparison of a correlation condition.
type Criterion struct {
	Op    string // gt, gte, lt, lte, eq, neq
	Value float64
}

// Filter is the filter section of a Sigma filter document
// (sigma-filters-specification.md): it applies its selection as an
// additional negated condition to the rules it names.
type Filter struct {
	Rules []string
	// RulePos are the positions of the entries of Rules.
	RulePos []Pos
	// Resolved are the documents Rules name, in the same order; Link fills
	// it in (nil entries for rules that are not loaded).
	Resolved  []*Rule
	Searches  []*Search
	Condition *Condition
	Pos       Pos
}

// Search returns the filter's search identifier with the given name, or nil.
func (f *Filter) Search(name string) *Search {
	for _, s := range f.Searches {
		if s.Name == name {
			return s
		}
	}
	return nil
}
