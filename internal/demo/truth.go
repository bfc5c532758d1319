package demo

import (
	"math"
	"net/netip"
	"time"
)

// storyDef is one story (or benign trap) of the ground truth.
type storyDef struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Summary  string        `json:"summary"`
	Trap     bool          `json:"trap,omitempty"`
	Expected expected      `json:"expected"`
	Attack   []string      `json:"attack,omitempty"`
	Entities entities      `json:"entities"`
	Records  []TruthRecord `json:"records"`
}

// expected says what should (or, for traps, must not) fire.
type expected struct {
	// Implements lists the seed and guide-row IDs of DESIGN.md §9.
	Implements []string `json:"implements,omitempty"`
	// Detections names the detections in words, as the catalog does.
	Detections []string `json:"detections"`
	// Catalog points into reference/detections.md.
	Catalog []string `json:"catalog,omitempty"`
	// MustNotAlert is set on traps: benign activity rules must allowlist.
	MustNotAlert bool `json:"mustNotAlert,omitempty"`
}

type entities struct {
	Users []string `json:"users,omitempty"`
	IPs   []string `json:"ips,omitempty"`
	Apps  []string `json:"apps,omitempty"`
	Other []string `json:"other,omitempty"`
}

// TruthRecord locates one record of a story.
type TruthRecord struct {
	File   string `json:"file"`
	Format string `json:"format"`
	Kind   string `json:"kind"`
	// Line is the 1-based line the record starts on (in the decompressed
	// text for .gz files); Index is the 0-based position of the record
	// among the file's records.
	Line  int    `json:"line"`
	Index int64  `json:"index"`
	ID    string `json:"id"`
	Time  string `json:"time"`
	Note  string `json:"note"`
	// Duplicate marks a deliberate second copy of a record exported in
	// another file too (same ID): readers must de-duplicate it.
	Duplicate bool `json:"duplicate,omitempty"`
}

type truth struct {
	defs []*storyDef
	byID map[string]*storyDef
}

func newTruth() *truth { return &truth{byID: map[string]*storyDef{}} }

func (tr *truth) register(d *storyDef) *storyDef {
	if old, ok := tr.byID[d.ID]; ok {
		return old
	}
	tr.defs = append(tr.defs, d)
	tr.byID[d.ID] = d
	return d
}

func (tr *truth) add(r *rec, pos position) {
	d := tr.byID[r.story]
	if d == nil {
		return
	}
	d.Records = append(d.Records, TruthRecord{
		File: pos.path, Format: r.fam.name, Kind: r.kindOf().String(), Line: pos.line, Index: pos.index,
		ID: r.id, Time: r.t.UTC().Format(time.RFC3339Nano), Note: r.note, Duplicate: r.dup,
	})
}

// at returns a time in the window: the day at fraction frac of it (0 the
// first day, 1 the last) and an hour and minute of that UTC day.
func (g *generator) at(frac float64, hour, minute int) time.Time {
	d := int(math.Round(frac * float64(g.opt.Days-1)))
	d = max(0, min(d, g.opt.Days-1))
	return g.start.Add(time.Duration(d)*24*time.Hour + time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

// storyCtx builds one story's records.
type storyCtx struct {
	g    *generator
	r    rng
	def  *storyDef
	recs *[]rec
}

func (g *generator) story(r rng, d *storyDef, recs *[]rec) *storyCtx {
	return &storyCtx{g: g, r: r, def: g.truth.register(d), recs: recs}
}

func (c *storyCtx) add(x rec, note string) {
	x = x.own()
	x.story, x.note = c.def.ID, note
	*c.recs = append(*c.recs, x)
}

func (c *storyCtx) signIn(s *signIn, to sinkSel, note string) {
	c.add(c.g.signInRec(c.r, s, to), note)
}

func (c *storyCtx) audit(a *directoryAudit, to sinkSel, note string) {
	c.add(c.g.auditRec(a, to), note)
}

func (c *storyCtx) ual(u *ualRecord, to sinkSel, note string) {
	c.add(c.g.ualRec(u, to), note)
}

func (c *storyCtx) json(t time.Time, f *family, id string, fn func(*jw), note string) {
	c.add(c.g.jsonRec(t, f, id, fn), note)
}

func (c *storyCtx) users(us ...*user) {
	for _, u := range us {
		c.def.Entities.Users = appendUnique(c.def.Entities.Users, u.upn)
	}
}

func (c *storyCtx) ips(as ...netip.Addr) {
	for _, a := range as {
		c.def.Entities.IPs = appendUnique(c.def.Entities.IPs, a.String())
	}
}

func (c *storyCtx) apps(names ...string) {
	for _, n := range names {
		c.def.Entities.Apps = appendUnique(c.def.Entities.Apps, n)
	}
}

func (c *storyCtx) other(vs ...string) {
	for _, v := range vs {
		c.def.Entities.Other = appendUnique(c.def.Entities.Other, v)
	}
}

func appendUnique(xs []string, v string) []string {
	for _, x := range xs {
		if x == v {
			return xs
		}
	}
	return append(xs, v)
}
