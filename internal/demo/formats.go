package demo

import (
	"fmt"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// Format names used in the manifest and the ground truth.
const (
	fmtGraphPage     = "graph-page"
	fmtAzureNDJSON   = "azure-monitor-ndjson"
	fmtAzureRecords  = "azure-monitor-records"
	fmtLAJSON        = "log-analytics-json"
	fmtLACSV         = "log-analytics-csv"
	fmtUALBlob       = "ual-management-api"
	fmtUALPurview    = "ual-purview-csv"
	fmtCloudTrail    = "cloudtrail-records"
	fmtK8sNDJSON     = "k8s-audit-ndjson"
	fmtK8sEventList  = "k8s-eventlist"
	fmtGraphInvent   = "graph-inventory"
	fmtGraphUsers    = "graph-users"
	fmtTenant        = "demo-tenant"
	fmtGroundTruth   = "demo-ground-truth"
	graphSignInsCtx  = "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns"
	graphSignInsURL  = "https://graph.microsoft.com/beta/auditLogs/signIns"
	graphAuditsCtx   = "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits"
	graphAuditsURL   = "https://graph.microsoft.com/v1.0/auditLogs/directoryAudits"
	graphPageRecords = 1000
)

// families holds every output of a run.
type families struct {
	signinAM     map[string]*family // by category
	signinEH     *family
	signinGraph  *family
	signinLAJSON map[string]*family // by table
	signinLACSV  map[string]*family
	auditGraph   *family
	auditAM      *family
	auditLACSV   *family
	ualBlob      map[string]*family // by content type
	ualPurview   *family
	kvRecords    *family
	kvNDJSON     *family
	activityJSON *family
	activityEH   *family
	cloudtrail   *family
	k8sNDJSON    *family
	k8sEventList *family
	all          []*family
}

func day(t time.Time) string { return t.Format("2006-01-02") }

func fixed(p string) func(time.Time, int) string { return func(time.Time, int) string { return p } }

func envelope(open, close string) (func(int) string, func(int, bool) string) {
	return func(int) string { return open + "\n" }, func(int, bool) string { return "\n" + close + "\n" }
}

func graphPages(ctx, url string) (func(int) string, func(int, bool) string) {
	return func(int) string {
			return `{"@odata.context":` + jsonQuote(ctx) + `,"value":[` + "\n"
		}, func(page int, next bool) string {
			s := "\n]"
			if next {
				s += `,"@odata.nextLink":` + jsonQuote(fmt.Sprintf("%s?$top=%d&$skiptoken=%032x", url, graphPageRecords, page+1))
			}
			return s + "}\n"
		}
}

func newFamilies(t *tenant, start, end time.Time) *families {
	f := &families{signinAM: map[string]*family{}, signinLAJSON: map[string]*family{}, signinLACSV: map[string]*family{}, ualBlob: map[string]*family{}}
	add := func(x *family) *family { f.all = append(f.all, x); return x }
	records := func(name string, kind event.Kind, path func(time.Time, int) string, perDay, gz bool) *family {
		p, s := envelope(`{"records":[`, `]}`)
		return add(&family{name: name, kind: kind, layout: layoutEnvelope, prefix: p, suffix: s, path: path, perDay: perDay, gz: gz})
	}
	arrayFile := func(name string, kind event.Kind, path func(time.Time, int) string, perDay bool) *family {
		p, s := envelope(`[`, `]`)
		return add(&family{name: name, kind: kind, layout: layoutEnvelope, prefix: p, suffix: s, path: path, perDay: perDay})
	}
	ndjson := func(name string, kind event.Kind, path string) *family {
		return add(&family{name: name, kind: kind, layout: layoutNDJSON, path: fixed(path)})
	}

	for _, c := range []string{catInteractive, catNonInteractive, catSP, catMI} {
		f.signinAM[c] = ndjson(fmtAzureNDJSON, event.KindEntraSignIn, "entra/signins/azure-monitor/"+c+".json")
	}
	f.signinEH = records(fmtAzureRecords, event.KindEntraSignIn, func(d time.Time, _ int) string {
		return "entra/signins/event-hub/signins-" + day(d) + ".json.gz"
	}, true, true)
	gp, gs := graphPages(graphSignInsCtx, graphSignInsURL)
	f.signinGraph = add(&family{name: fmtGraphPage, kind: event.KindEntraSignIn, layout: layoutEnvelope, prefix: gp, suffix: gs, pageMax: graphPageRecords,
		path: func(_ time.Time, page int) string {
			return fmt.Sprintf("entra/signins/graph/signIns-%04d.json", page+1)
		}})
	for _, tbl := range []*laTable{tableSignin, tableNonInteractive, tableSP, tableMI} {
		f.signinLAJSON[tbl.name] = arrayFile(fmtLAJSON, event.KindEntraSignIn, fixed("entra/signins/log-analytics/"+tbl.name+".json"), false)
		f.signinLACSV[tbl.name] = add(&family{name: fmtLACSV, kind: event.KindEntraSignIn, layout: layoutCSV, header: tbl.csvHeader(),
			path: fixed("entra/signins/log-analytics/" + tbl.name + ".csv")})
	}

	ap, as := graphPages(graphAuditsCtx, graphAuditsURL)
	f.auditGraph = add(&family{name: fmtGraphPage, kind: event.KindEntraAudit, layout: layoutEnvelope, prefix: ap, suffix: as, pageMax: graphPageRecords,
		path: func(_ time.Time, page int) string {
			return fmt.Sprintf("entra/audit/graph/directoryAudits-%04d.json", page+1)
		}})
	f.auditAM = ndjson(fmtAzureNDJSON, event.KindEntraAudit, "entra/audit/azure-monitor/AuditLogs.json")
	f.auditLACSV = add(&family{name: fmtLACSV, kind: event.KindEntraAudit, layout: layoutCSV, header: tableAudit.csvHeader(),
		path: fixed("entra/audit/log-analytics/AuditLogs.csv")})

	for _, ct := range []string{"Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint"} {
		ct := ct
		f.ualBlob[ct] = arrayFile(fmtUALBlob, event.KindM365Audit, func(d time.Time, _ int) string {
			return "m365/management-api/" + ct + "/" + day(d) + ".json"
		}, true)
	}
	f.ualPurview = add(&family{name: fmtUALPurview, kind: event.KindM365Audit, layout: layoutCSV,
		header: []string{"RecordId", "CreationDate", "RecordType", "Operation", "UserId", "AuditData", "AssociatedAdminUnits", "AssociatedAdminUnitsNames"},
		path:   fixed("m365/purview/AuditLog_" + day(start) + "_" + day(end) + ".csv")})

	f.kvRecords = records(fmtAzureRecords, event.KindKeyVault, func(d time.Time, _ int) string {
		return "azure/keyvault/" + t.vault.name + "/" + day(d) + ".json"
	}, true, false)
	f.kvNDJSON = ndjson(fmtAzureNDJSON, event.KindKeyVault, "azure/keyvault/AuditEvent.json")
	f.activityJSON = ndjson(fmtAzureNDJSON, event.KindAzureActivity, "azure/activity/Administrative.json")
	f.activityEH = records(fmtAzureRecords, event.KindAzureActivity, func(d time.Time, _ int) string {
		return "azure/activity/event-hub-" + day(d) + ".json"
	}, true, false)

	ctp, cts := envelope(`{"Records":[`, `]}`)
	f.cloudtrail = add(&family{name: fmtCloudTrail, kind: event.KindCloudTrail, layout: layoutEnvelope, prefix: ctp, suffix: cts, perDay: true, gz: true,
		path: func(d time.Time, _ int) string {
			return fmt.Sprintf("aws/AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%sT0000Z_contoso.json.gz",
				t.aws.id, t.aws.region, d.Format("2006/01/02"), t.aws.id, t.aws.region, d.Format("20060102"))
		}})
	f.k8sNDJSON = ndjson(fmtK8sNDJSON, event.KindK8sAudit, "kubernetes/kube-apiserver-audit.log")
	kp, ks := envelope(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[`, `]}`)
	f.k8sEventList = add(&family{name: fmtK8sEventList, kind: event.KindK8sAudit, layout: layoutEnvelope, prefix: kp, suffix: ks, perDay: true,
		path: func(d time.Time, _ int) string { return "kubernetes/eventlist-" + day(d) + ".json" }})
	return f
}
