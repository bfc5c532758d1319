package alert

import (
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// Match is one rule hit handed to a Builder: a detection hit (one event) or
// a correlation firing (its contributing hits in Parts). The integrator
// fills it from the engine's hit:
//
//   - Spec: the rule's spec from ParseSpec (or DefaultSpec). Required.
//   - Time: the event time of a detection hit; for a correlation firing,
//     the time of its last contributing event. Required (non-zero).
//   - First: a correlation firing's first contributing event time; zero
//     for a detection hit (Time is used).
//   - Count: the number of events the hit stands for; 0 means 1. A
//     correlation firing sets its event count.
//   - Fields: for each name in Spec.Fields(), every value the event has at
//     that canonical path, as text (event.Text of each value event.Each
//     yields, in document order). Missing fields may be absent. For a
//     correlation firing: the correlation's group-by values.
//   - Event: the matching event (ev.Clone()); nil for a correlation firing.
//   - Why: the field = value pairs that made the detection match.
//   - Parts: a correlation firing's contributing hits, each with Time,
//     Fields, Event and Why filled as for a detection hit.
//
// The Builder keeps the Match (and its events) until the alert it joins
// is finished; it never modifies it.
type Match struct {
	Spec   *Spec
	Time   time.Time
	First  time.Time
	Count  int
	Fields map[string][]string
	Event  *event.Stored
	Why    []FieldValue
	Parts  []Match
}

// first returns the earliest time the match covers.
func (m *Match) first() time.Time {
	if !m.First.IsZero() && m.First.Before(m.Time) {
		return m.First
	}
	return m.Time
}

// weight returns the number of events the match stands for.
func (m *Match) weight() int {
	if m.Count > 0 {
		return m.Count
	}
	return 1
}

// stored returns the event that orders and identifies the match: its own,
// else its first part's.
func (m *Match) stored() *event.Stored {
	if m.Event != nil {
		return m.Event
	}
	for i := range m.Parts {
		if m.Parts[i].Event != nil {
			return m.Parts[i].Event
		}
	}
	return nil
}

// records calls fn with the field values of the match and of each part.
func (m *Match) records(fn func(fields map[string][]string)) {
	if len(m.Fields) > 0 {
		fn(m.Fields)
	}
	for i := range m.Parts {
		m.Parts[i].records(fn)
	}
}

// compareMatches orders matches by time, then by where their event came
// from, then by content, so that the order never depends on arrival.
func compareMatches(a, b *Match) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if c := a.first().Compare(b.first()); c != 0 {
		return c
	}
	if c := compareStored(a.stored(), b.stored()); c != 0 {
		return c
	}
	return strings.Compare(matchDigest(a), matchDigest(b))
}

// compareStored orders events by origin (file, record index, offset, line)
// and then by record ID.
func compareStored(a, b *event.Stored) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	oa, ob := a.Where(), b.Where()
	if oa == (event.Origin{}) && ob == (event.Origin{}) {
		if c := strings.Compare(a.Origin, b.Origin); c != 0 {
			return c
		}
	}
	if c := strings.Compare(oa.File, ob.File); c != 0 {
		return c
	}
	if oa.Index != ob.Index {
		return cmpInt(oa.Index, ob.Index)
	}
	if oa.Offset != ob.Offset {
		if oa.Offset < ob.Offset {
			return -1
		}
		return 1
	}
	if oa.Line != ob.Line {
		return cmpInt(oa.Line, ob.Line)
	}
	return strings.Compare(a.ID, b.ID)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// matchDigest renders a match's content canonically, the last tie-breaker
// between matches at the same time and origin.
func matchDigest(m *Match) string {
	var b strings.Builder
	for _, k := range sortedKeys(m.Fields) {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strings.Join(m.Fields[k], "\x1e"))
		b.WriteByte('\x1f')
	}
	for _, w := range m.Why {
		b.WriteString(w.Field + "=" + w.Value + "\x1f")
	}
	if s := m.stored(); s != nil {
		b.Write(s.JSON())
	}
	return b.String()
}

// fold is the case-insensitive form values are compared in.
func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// groupValue renders a group-by field's values: the distinct values in
// document order, joined with ", ".
func groupValue(vs []string) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	}
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		if f := fold(v); !seen[f] {
			seen[f] = true
			out = append(out, v)
		}
	}
	return strings.Join(out, ", ")
}

// groupKey is the folded alert key of a match under spec.
func groupKey(s *Spec, fields map[string][]string) string {
	switch len(s.GroupBy) {
	case 0:
		return ""
	case 1:
		return fold(groupValue(fields[s.GroupBy[0]]))
	}
	var b strings.Builder
	for i, f := range s.GroupBy {
		if i > 0 {
			b.WriteByte('\x1f')
		}
		b.WriteString(fold(groupValue(fields[f])))
	}
	return b.String()
}
