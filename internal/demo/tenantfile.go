package demo

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// Metadata files.
const (
	pathTenant      = "tenant.json"
	pathIdentities  = "identities.json"
	pathGroundTruth = "ground-truth.json"
)

// finish closes the outputs and writes the inventory and metadata files.
func (g *generator) finish() error {
	g.out.finish(g.fam.all)
	if g.out.err != nil {
		return g.out.err
	}
	if err := g.writeInventory(); err != nil {
		return err
	}
	if err := g.writeIdentities(); err != nil {
		return err
	}
	if err := g.writeJSON(pathTenant, fmtTenant, g.tenantDoc()); err != nil {
		return err
	}
	if err := g.writeJSON(pathGroundTruth, fmtGroundTruth, g.truthDoc()); err != nil {
		return err
	}
	sort.Slice(g.out.files, func(i, j int) bool { return g.out.files[i].Path < g.out.files[j].Path })
	return nil
}

func (g *generator) writeJSON(rel, format string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", rel, err)
	}
	return g.writeWhole(rel, format, event.KindUnknown, 1, append(b, '\n'))
}

// writeIdentities writes a Graph users export with memberOf expanded
// (groups and directory roles): the file scan --identities reads.
func (g *generator) writeIdentities() error {
	var recs [][]byte
	for _, u := range g.t.users {
		recs = append(recs, slices.Clone(g.render(func(w *jw) {
			w.obj("")
			w.str("id", u.id)
			w.str("displayName", u.display)
			w.str("givenName", u.given)
			w.str("surname", u.surname)
			w.str("userPrincipalName", u.upn)
			w.str("mail", u.upn)
			w.str("jobTitle", u.jobTitle)
			w.str("department", u.department)
			w.str("officeLocation", u.site.City)
			w.str("city", u.site.City)
			w.str("country", u.site.Country)
			w.str("usageLocation", u.site.Country)
			w.boolean("accountEnabled", true)
			w.str("userType", "Member")
			w.str("createdDateTime", ts(u.created, layoutSec))
			w.arr("memberOf")
			for _, gr := range u.groups {
				w.obj("")
				w.str("@odata.type", "#microsoft.graph.group")
				w.str("id", gr.id)
				w.str("displayName", gr.name)
				w.boolean("securityEnabled", true)
				w.end()
			}
			for _, r := range u.roles {
				w.obj("")
				w.str("@odata.type", "#microsoft.graph.directoryRole")
				w.str("id", g.t.roleID(r))
				w.str("displayName", r.name)
				w.str("roleTemplateId", r.template)
				w.end()
			}
			w.end()
			w.end()
		})))
	}
	return g.pageFile(pathIdentities,
		"https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,givenName,surname,userPrincipalName,mail,jobTitle,department,officeLocation,city,country,usageLocation,accountEnabled,userType,createdDateTime,memberOf())",
		fmtGraphUsers, event.KindUnknown, recs)
}

type truthFile struct {
	Generator string      `json:"generator"`
	Seed      int64       `json:"seed"`
	Start     string      `json:"start"`
	End       string      `json:"end"`
	Users     int         `json:"users"`
	Days      int         `json:"days"`
	Note      string      `json:"note"`
	Stories   []*storyDef `json:"stories"`
	Traps     []*storyDef `json:"traps"`
}

func (g *generator) truthDoc() truthFile {
	tf := truthFile{
		Generator: "idsentry demo", Seed: g.opt.Seed, Users: g.opt.Users, Days: g.opt.Days,
		Start: g.start.Format(time.RFC3339), End: g.end.Format(time.RFC3339),
		Note: "Every record of every story is listed with its file, line (in the decompressed text), index among the file's records and record ID. Records not listed are benign background; traps are benign activity that looks malicious and must not alert. Stories S7a-S7n are the further identity attacks of detections.md §4.",
	}
	for _, d := range g.truth.defs {
		if d.Trap {
			tf.Traps = append(tf.Traps, d)
		} else {
			tf.Stories = append(tf.Stories, d)
		}
	}
	sort.SliceStable(tf.Stories, func(i, j int) bool { return tf.Stories[i].ID < tf.Stories[j].ID })
	sort.SliceStable(tf.Traps, func(i, j int) bool { return tf.Traps[i].ID < tf.Traps[j].ID })
	return tf
}

// manifest summarises the run.
func (g *generator) manifest() *Manifest {
	m := &Manifest{
		Dir: g.opt.Dir, Seed: g.opt.Seed, Users: g.opt.Users, Days: g.opt.Days, Start: g.start, End: g.end,
		Scale: g.scale, Files: g.out.files, GroundTruth: pathGroundTruth, Tenant: pathTenant, Identities: pathIdentities,
	}
	if g.opt.SignInHeavy {
		m.Scale = g.sigScale
	}
	for _, f := range m.Files {
		m.Bytes += f.Bytes
		if len(f.Kinds) > 0 {
			m.Records += f.Records
		}
	}
	doc := g.truthDoc()
	for _, d := range append(doc.Stories, doc.Traps...) {
		m.Stories = append(m.Stories, StoryInfo{ID: d.ID, Title: d.Title, Trap: d.Trap, Records: len(d.Records)})
	}
	return m
}
