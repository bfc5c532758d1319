package alert

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// window accumulates what one alert window's matches contribute to its
// alert, fed the matches in compareMatches order: counts and times, the
// distinct values of the tracked fields, the entities, the risk and threat
// values and the evidence candidates. A window that has folded its matches
// in holds none of them but its first, so a key whose window sees a
// million matches keeps what an alert shows, not the matches (Builder
// folds the matches of a window that are older than the watermark).
type window struct {
	s     *Spec
	first *Match // the first match (group values, message fields, id)

	matchSpan

	sets     map[string]*distinctSet // tracked fields
	entities []entityAcc             // per entity mapping
	risk     []*distinctSet          // per risk mapping
	threats  []*distinctSet          // per threat mapping
	evidence evidencePool
}

// matchSpan is the count and the first and last times of a window's matches.
type matchSpan struct {
	count               int
	firstSeen, lastSeen time.Time
}

// add counts m in.
func (sp *matchSpan) add(m *Match) {
	if sp.count == 0 {
		sp.firstSeen, sp.lastSeen = m.first(), m.Time
	}
	sp.count += m.weight()
	if f := m.first(); f.Before(sp.firstSeen) {
		sp.firstSeen = f
	}
	if m.Time.After(sp.lastSeen) {
		sp.lastSeen = m.Time
	}
}

// entityAcc collects one entity mapping's distinct entities.
type entityAcc struct {
	seen map[string]bool
	list []Entity
}

func newWindow(s *Spec, maxEvidence int) *window {
	max := s.maxValues()
	w := &window{
		s:        s,
		sets:     make(map[string]*distinctSet, len(s.tracked)),
		entities: make([]entityAcc, len(s.entities)),
		risk:     make([]*distinctSet, len(s.risk)),
		threats:  make([]*distinctSet, len(s.threats)),
		evidence: evidencePool{n: maxEvidence},
	}
	for _, f := range s.tracked {
		w.sets[f] = newDistinct(s.valueCap(f))
	}
	for i := range w.risk {
		w.risk[i] = newShown(max)
	}
	for i := range w.threats {
		w.threats[i] = newShown(max)
	}
	return w
}

// add folds in the next match (in compareMatches order).
func (w *window) add(m *Match) {
	if w.first == nil {
		w.first = m
	}
	w.matchSpan.add(m)
	max := w.s.maxValues()
	m.records(func(fields map[string][]string) {
		for f, set := range w.sets {
			for _, v := range fields[f] {
				set.add(v)
			}
		}
		for i := range w.entities {
			w.addEntity(i, fields, max)
		}
		for i, rm := range w.s.risk {
			for _, v := range fields[rm.field] {
				w.risk[i].add(v)
			}
		}
		for i, tm := range w.s.threats {
			for _, v := range fields[tm.field] {
				w.threats[i].add(v)
			}
		}
	})
	if m.Event != nil {
		w.evidence.add(evidenceCandidate{m.Event, m.Why, m.first()})
	}
	for i := range m.Parts {
		if p := &m.Parts[i]; p.Event != nil {
			w.evidence.add(evidenceCandidate{p.Event, p.Why, p.Time})
		}
	}
}

// addEntity renders entity mapping i over one record's fields: one entity
// per distinct attribute set (case-insensitive), at most max, in match
// order; entities whose attributes are all empty are skipped.
func (w *window) addEntity(i int, fields map[string][]string, max int) {
	acc := &w.entities[i]
	if len(acc.list) >= max {
		return
	}
	em := w.s.entities[i]
	vals := make([]string, len(em.attrs))
	var key strings.Builder
	empty := true
	for j, at := range em.attrs {
		vals[j] = at.tmpl.render(fieldScope(fields))
		empty = empty && vals[j] == ""
		key.WriteString(fold(vals[j]))
		key.WriteByte('\x1f')
	}
	if empty || acc.seen[key.String()] {
		return
	}
	if acc.seen == nil {
		acc.seen = map[string]bool{}
	}
	acc.seen[key.String()] = true
	attrs := make(map[string]string, len(em.attrs))
	for j, at := range em.attrs {
		if vals[j] != "" {
			attrs[at.name] = vals[j]
		}
	}
	acc.list = append(acc.list, Entity{Type: em.typ, Attr: attrs})
}

// allEntities lists the entities mapping by mapping.
func (w *window) allEntities() []Entity {
	var out []Entity
	for _, acc := range w.entities {
		out = append(out, acc.list...)
	}
	return out
}

// riskObjects lists a risk object per distinct value of each risk field,
// with the spec's score times the tier's risk factor, and a threat object
// per distinct value of each threat field.
func (w *window) riskObjects(factor float64) Risk {
	var r Risk
	for i, rm := range w.s.risk {
		score := int(math.Round(float64(rm.score) * factor))
		for _, v := range w.risk[i].show {
			r.Objects = append(r.Objects, RiskObject{Type: rm.typ, Value: v, Score: score})
		}
	}
	for i, tm := range w.s.threats {
		for _, v := range w.threats[i].show {
			r.Threats = append(r.Threats, ThreatObject{Type: tm.typ, Value: v})
		}
	}
	return r
}

// evidenceCandidate is one event that may serve as evidence.
type evidenceCandidate struct {
	ev  *event.Stored
	why []FieldValue
	t   time.Time
}

// evidencePool holds a window's evidence candidates. pick chooses up to n:
// first the earliest event of each distinct "why" (so every reason the rule
// matched is shown), then the earliest of the rest, in time order. Only the
// earliest candidate of each of the first n reasons and the n earliest
// candidates can ever be picked, and a candidate dropped for not being
// either never becomes one, whatever comes later: a pool that grows
// large is pruned to those (at most 2n), and picks what the whole would.
type evidencePool struct {
	n     int
	cands []evidenceCandidate // in arrival order; sorted by prune
}

func (p *evidencePool) add(c evidenceCandidate) {
	p.cands = append(p.cands, c)
	if len(p.cands) >= 2*p.n+8 {
		p.prune()
	}
}

// sort orders the candidates by time and origin, ties in arrival order.
func (p *evidencePool) sort() {
	slices.SortStableFunc(p.cands, func(x, y evidenceCandidate) int {
		if c := x.t.Compare(y.t); c != 0 {
			return c
		}
		return compareStored(x.ev, y.ev)
	})
}

// choose marks the candidates pick takes (after sort).
func (p *evidencePool) choose() []bool {
	picked := make([]bool, len(p.cands))
	count := 0
	whys := map[string]bool{}
	for i, c := range p.cands {
		if count >= p.n {
			break
		}
		sig := whySignature(c.why)
		if !whys[sig] {
			whys[sig] = true
			picked[i] = true
			count++
		}
	}
	for i := range p.cands {
		if count >= p.n {
			break
		}
		if !picked[i] {
			picked[i] = true
			count++
		}
	}
	return picked
}

// prune keeps the candidates that can still be picked: the earliest of
// each of the first n reasons and the n earliest overall.
func (p *evidencePool) prune() {
	p.sort()
	keep := p.cands[:0]
	whys := map[string]bool{}
	for i, c := range p.cands {
		first := false
		if len(whys) < p.n {
			sig := whySignature(c.why)
			if !whys[sig] {
				whys[sig], first = true, true
			}
		}
		if first || i < p.n {
			keep = append(keep, c)
		}
	}
	clear(p.cands[len(keep):])
	p.cands = keep
}

// pick returns the chosen evidence in time order.
func (p *evidencePool) pick() []Evidence {
	p.sort()
	picked := p.choose()
	var out []Evidence
	for i, c := range p.cands {
		if !picked[i] {
			continue
		}
		out = append(out, Evidence{
			Origin:  c.ev.Origin,
			Kind:    c.ev.Kind,
			Format:  c.ev.Format,
			Time:    c.ev.Time,
			Event:   json.RawMessage(c.ev.JSON()),
			Matched: c.why,
		})
	}
	return out
}
