package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// distinctSet collects the distinct values of one field: the first max in
// arrival order for display, and an uncapped count (capped too for a set
// made by newShown, which only shows).
type distinctSet struct {
	seen   map[string]struct{}
	show   []string
	max    int
	capped bool
}

func newDistinct(max int) *distinctSet {
	return &distinctSet{seen: map[string]struct{}{}, max: max}
}

// newShown returns a set that keeps only its first max values.
func newShown(max int) *distinctSet {
	return &distinctSet{seen: map[string]struct{}{}, max: max, capped: true}
}

// add reports whether v was new and is shown.
func (d *distinctSet) add(v string) bool {
	if d.capped && len(d.show) >= d.max {
		return false
	}
	if strings.TrimSpace(v) == "" {
		return false
	}
	f := fold(v)
	if _, ok := d.seen[f]; ok {
		return false
	}
	d.seen[f] = struct{}{}
	if len(d.show) < d.max {
		d.show = append(d.show, v)
		return true
	}
	return false
}

// build turns one window's sorted matches into an alert; ok is false when
// the alert is not raised (having false, or below the IP priority cutoff).
func (b *Builder) build(s *Spec, key string, ms []*Match) (Alert, bool) {
	// A having that reads neither the enrichment nor other fields than
	// its own decides first, over just those fields (most windows of a
	// grouping rule fail it).
	havingDone := false
	if h := s.having; h != nil && !h.context && !h.dynamic {
		var sp matchSpan
		for _, m := range ms {
			sp.add(m)
		}
		a := Alert{Count: sp.count, FirstSeen: sp.firstSeen, LastSeen: sp.lastSeen, Group: groupOf(s, ms[0])}
		env := b.env(s, &a, b.distinctSets(s, ms, h.fields), b.opt.Hours.Outside(a.FirstSeen), false)
		if !b.having(h, env) {
			return Alert{}, false
		}
		havingDone = true
	}
	w := newWindow(s, b.maxEvidence(s))
	for _, m := range ms {
		w.add(m)
	}
	return b.finish(key, w, havingDone)
}

// groupOf renders the group-by values of a window's first match.
func groupOf(s *Spec, first *Match) map[string]string {
	if len(s.GroupBy) == 0 {
		return nil
	}
	g := make(map[string]string, len(s.GroupBy))
	for _, f := range s.GroupBy {
		g[f] = groupValue(first.Fields[f])
	}
	return g
}

// finish turns a window into its alert; havingDone says the having
// expression already held.
func (b *Builder) finish(key string, w *window, havingDone bool) (Alert, bool) {
	s := w.s
	a := Alert{
		Rule:      s.Rule,
		Level:     s.Rule.Level,
		FirstSeen: w.firstSeen,
		LastSeen:  w.lastSeen,
		Count:     w.count,
		Tactics:   s.Tactics(),
		Group:     groupOf(s, w.first),
	}
	outside := b.opt.Hours.Outside(a.FirstSeen)
	// The expression environment sees every tracked field (0 when absent);
	// the alert shows the fields that had values.
	env := b.env(s, &a, w.sets, outside, true)
	// A having that does not read the enrichment decides before the
	// entities and the enrichment are worked out.
	if s.having != nil && !s.having.context && !havingDone {
		if !b.having(s.having, env) {
			return Alert{}, false
		}
		havingDone = true
	}
	a.Entities = w.allEntities()
	var ctx enrichResult
	if b.opt.Enricher != nil {
		ctx = b.opt.Enricher.enrich(&a)
		env.IPPriority, env.Roles, env.Groups, env.Tags = ctx.ipPriority, ctx.roles, ctx.groups, ctx.tags
	}
	if s.having != nil && !havingDone && !b.having(s.having, env) {
		return Alert{}, false
	}
	if cut := optionInt(s.Options, OptionMinIPPriority); cut > 0 && ctx.ipJudged && ctx.ipPriority <= cut {
		b.stats.BelowCutoff++
		return Alert{}, false
	}
	factor := 1.0
	for _, t := range s.tiers {
		ok, err := t.when.eval(env)
		if err != nil {
			b.evalError(err)
		}
		if ok {
			a.Level, factor = t.level, t.factor
			break
		}
	}
	if s.RaiseOutsideHours && env.OutsideHours && a.Level < LevelCritical {
		a.Level++
	}
	// Evidence reads the events back (from the spill file): only for
	// alerts that are raised.
	a.Evidence = w.evidence.pick()
	a.Risk = w.riskObjects(factor)
	a.Message = s.message.render(&alertScope{a: &a, s: s, first: w.first})
	a.ID = alertID(s, key, w.first, a.FirstSeen)
	return a, true
}

// env is the expression environment of an alert being built, over the
// given distinct sets; with show, the sets' values are also put on a.
func (b *Builder) env(s *Spec, a *Alert, sets map[string]*distinctSet, outside, show bool) *Env {
	env := &Env{
		Count:        a.Count,
		Distinct:     make(map[string]int, len(sets)),
		Values:       make(map[string][]string, len(sets)),
		Group:        a.Group,
		FirstSeen:    a.FirstSeen,
		LastSeen:     a.LastSeen,
		Duration:     a.LastSeen.Sub(a.FirstSeen).Seconds(),
		Level:        s.Rule.Level.String(),
		Options:      s.Options,
		OutsideHours: outside,
	}
	for f, set := range sets {
		env.Distinct[f] = len(set.seen)
		if len(set.show) == 0 {
			continue
		}
		env.Values[f] = set.show
		if show {
			if a.Values == nil {
				a.Values, a.Distinct = map[string][]string{}, map[string]int{}
			}
			a.Values[f], a.Distinct[f] = set.show, len(set.seen)
		}
	}
	return env
}

// having evaluates a having expression, counting a false one.
func (b *Builder) having(h *compiled, env *Env) bool {
	ok, err := h.eval(env)
	if err != nil {
		b.evalError(err)
	}
	if !ok {
		b.stats.NotHaving++
	}
	return ok
}

// distinctSets gathers the distinct values of fields over the matches.
func (b *Builder) distinctSets(s *Spec, ms []*Match, fields []string) map[string]*distinctSet {
	sets := make(map[string]*distinctSet, len(fields))
	for _, f := range fields {
		sets[f] = newDistinct(s.valueCap(f))
	}
	for _, m := range ms {
		m.records(func(fv map[string][]string) {
			for f, set := range sets {
				for _, v := range fv[f] {
					set.add(v)
				}
			}
		})
	}
	return sets
}

func (b *Builder) maxEvidence(s *Spec) int {
	if s.MaxEvidence > 0 {
		return s.MaxEvidence
	}
	return b.opt.MaxEvidence
}

// alertID is the stable hash of rule id, group key and first_seen. For
// per-match alerts the key is the event's record id or origin.
func alertID(s *Spec, key string, m *Match, first time.Time) string {
	rule := s.Rule.ID
	if rule == "" {
		rule = s.Rule.File + "\x1f" + s.Rule.Title
	}
	if s.perEvent() {
		if st := m.stored(); st != nil {
			key = st.ID
			if key == "" {
				key = st.Origin
			}
		}
	}
	h := sha256.New()
	h.Write([]byte(rule))
	h.Write([]byte{0})
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write([]byte(first.UTC().Format(time.RFC3339Nano)))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func whySignature(why []FieldValue) string {
	var b strings.Builder
	for _, w := range why {
		b.WriteString(w.Field)
		b.WriteByte('=')
		b.WriteString(fold(w.Value))
		b.WriteByte('\x1f')
	}
	return b.String()
}

// alertScope renders the message template of a finished alert: group
// fields, then the first match's fields, and the aggregates.
type alertScope struct {
	a     *Alert
	s     *Spec
	first *Match
}

func (sc *alertScope) field(name string) string {
	if v, ok := sc.a.Group[name]; ok {
		return v
	}
	var out string
	found := false
	sc.first.records(func(f map[string][]string) {
		if !found && len(f[name]) > 0 {
			out, found = f[name][0], true
		}
	})
	return out
}
func (sc *alertScope) count() int { return sc.a.Count }
func (sc *alertScope) distinct(name string) int {
	if _, ok := sc.a.Group[name]; ok {
		return 1
	}
	return sc.a.Distinct[name]
}
func (sc *alertScope) values(name string) []string {
	if v, ok := sc.a.Group[name]; ok {
		return []string{v}
	}
	return sc.a.Values[name]
}
func (sc *alertScope) firstSeen() time.Time   { return sc.a.FirstSeen }
func (sc *alertScope) lastSeen() time.Time    { return sc.a.LastSeen }
func (sc *alertScope) level() Level           { return sc.a.Level }
func (sc *alertScope) option(name string) any { return sc.s.Options[name] }
func (sc *alertScope) title() string          { return sc.s.Rule.Title }
