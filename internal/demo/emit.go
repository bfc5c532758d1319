package demo

import (
	"strconv"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// sinkSel chooses the export format a record is written in.
type sinkSel uint8

const (
	toAzure     sinkSel = iota // Azure Monitor NDJSON (per category)
	toEventHub                 // Azure Monitor {"records":[…]} (gzipped for sign-ins)
	toGraph                    // Graph page
	toLAJSON                   // Log Analytics JSON export
	toLACSV                    // Log Analytics CSV export
	toUAL                      // Management API content blob
	toPurview                  // Purview CSV
	toEventList                // Kubernetes EventList
)

// Background format mixes: each record of a kind goes to one export,
// chosen with these weights (percent).
var (
	mixSignIn = []weighted{{toAzure, 35}, {toEventHub, 20}, {toGraph, 20}, {toLAJSON, 10}, {toLACSV, 15}}
	mixAudit  = []weighted{{toGraph, 35}, {toAzure, 30}, {toLACSV, 20}, {toUAL, 10}, {toPurview, 5}}
	mixUAL    = []weighted{{toUAL, 70}, {toPurview, 30}}
	mixAzure  = []weighted{{toAzure, 50}, {toEventHub, 50}}
	mixK8s    = []weighted{{toAzure, 80}, {toEventList, 20}}
)

type weighted struct {
	to sinkSel
	w  int
}

func choose(r rng, mix []weighted) sinkSel {
	total := 0
	for _, m := range mix {
		total += m.w
	}
	n := r.IntN(total)
	for _, m := range mix {
		if n -= m.w; n < 0 {
			return m.to
		}
	}
	return mix[len(mix)-1].to
}

// render writes a record with the scratch writer. The bytes are only valid
// until the next render: records written later (defer1, stories) are
// copied by own.
func (g *generator) render(fn func(w *jw)) []byte {
	g.w.reset()
	fn(&g.w)
	return g.w.b
}

// own copies a rendered record's bytes so it can wait in a queue.
func (r rec) own() rec {
	r.data = append([]byte(nil), r.data...)
	return r
}

// signInRec renders a sign-in for the chosen export.
func (g *generator) signInRec(r rng, s *signIn, to sinkSel) rec {
	out := rec{t: s.t, id: s.id}
	switch to {
	case toEventHub:
		out.fam, out.data = g.fam.signinEH, g.render(s.writeAzureMonitor)
	case toGraph:
		out.fam, out.data = g.fam.signinGraph, g.render(s.writeGraph)
	case toLAJSON, toLACSV:
		row := signInRow(s)
		if to == toLAJSON {
			out.fam, out.data = g.fam.signinLAJSON[row.t.name], g.render(row.writeJSON)
		} else {
			out.fam, out.row = g.fam.signinLACSV[row.t.name], row.csv()
		}
	case toUAL, toPurview:
		// The ground truth names the sign-in by its Entra request ID, which
		// the UAL record carries in IntraSystemId.
		out = g.ualRec(g.stsLogon(r, s), to)
		out.id, out.kind = s.id, event.KindEntraSignIn
	default:
		out.fam, out.data = g.fam.signinAM[s.category], g.render(s.writeAzureMonitor)
	}
	return out
}

// auditRec renders a directory audit for the chosen export.
func (g *generator) auditRec(a *directoryAudit, to sinkSel) rec {
	out := rec{t: a.t, id: a.id}
	switch to {
	case toGraph:
		out.fam, out.data = g.fam.auditGraph, g.render(a.writeGraph)
	case toLACSV:
		out.fam, out.row = g.fam.auditLACSV, a.laRow().csv()
	case toUAL, toPurview:
		u := &ualRecord{t: a.t, id: a.ualID, operation: a.ualOperation(), recordType: 8, workload: "AzureActiveDirectory"}
		out.id, out.kind = a.ualID, event.KindEntraAudit
		data := g.render(a.writeUAL)
		if to == toUAL {
			out.fam, out.data = g.fam.ualBlob["Audit.AzureActiveDirectory"], data
		} else {
			userID := ""
			if a.app != nil {
				userID = a.app.name
			} else {
				userID = a.actor.upn
			}
			out.fam, out.row = g.fam.ualPurview, purviewRow(u, userID, data)
		}
	default:
		out.fam, out.data = g.fam.auditAM, g.render(a.writeAzureMonitor)
	}
	return out
}

// ualRec renders a UAL record into a content blob or the Purview CSV.
func (g *generator) ualRec(u *ualRecord, to sinkSel) rec {
	data := g.render(u.write)
	out := rec{t: u.t, id: u.id}
	if to == toPurview {
		out.fam, out.row = g.fam.ualPurview, purviewRow(u, u.userID, data)
	} else {
		out.fam, out.data = g.fam.ualBlob[u.contentType()], data
	}
	return out
}

// purviewRow is a Purview audit search export row: RecordId, CreationDate,
// RecordType, Operation, UserId, AuditData, AssociatedAdminUnits,
// AssociatedAdminUnitsNames.
func purviewRow(u *ualRecord, userID string, auditData []byte) []string {
	return []string{u.id, ts(u.t, layout7), strconv.Itoa(u.recordType), u.operation, userID, string(auditData), "", ""}
}

// jsonRec renders a record of a single-shape kind (Key Vault, Azure
// Activity, CloudTrail, Kubernetes) into the given family.
func (g *generator) jsonRec(t time.Time, f *family, id string, fn func(w *jw)) rec {
	return rec{t: t, fam: f, id: id, data: g.render(fn)}
}

// tagged marks a record as part of a story (or trap).
func tagged(r rec, story, note string) rec {
	r.story, r.note = story, note
	return r
}
