package demo

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// directoryAudit is one Entra audit event, held with Graph directoryAudit
// property names (api-reference/v1.0/resources/directoryaudit.md) and
// rendered into the Graph, Azure Monitor, Log Analytics and UAL shapes of
// detections.md §1.1.
type directoryAudit struct {
	t             time.Time
	id, corr      string
	ualID, intra  string
	activity      string
	category      string
	service       string
	opType        string
	result        string
	reason        string
	actor         *user
	actorIP       netip.Addr
	app           *appActor
	targets       []target
	details       [][2]string
	userAgent     string
	tenantID, ws  string
	ualEventClass string // ExtendedProperties extendedAuditEventCategory
}

// appActor is initiatedBy.app.
type appActor struct {
	appID, name, spID, spName string
	ip                        netip.Addr
}

// target is one targetResources entry.
type target struct {
	id, display, typ, upn string
	props                 []modProp
}

// modProp is a modifiedProperties entry. Values are JSON text, stored in
// the log as a string (detections.md §1.1 trap 1): `"False"` becomes
// "\"False\"". An empty value is JSON null.
type modProp struct{ name, old, new string }

// q is a JSON-quoted value for modProp.
func q(s string) string { return jsonQuote(s) }

func (a *directoryAudit) actorName() string {
	if a.app != nil {
		return a.app.name
	}
	if a.actor != nil {
		return a.actor.display
	}
	return ""
}

func (a *directoryAudit) ip() string {
	if a.app != nil {
		if a.app.ip.IsValid() {
			return a.app.ip.String()
		}
		return ""
	}
	return a.actorIP.String()
}

func (a *directoryAudit) writeInitiatedBy(w *jw, k string, both bool) {
	w.obj(k)
	if a.app != nil {
		w.obj("app")
		w.strNull("appId", a.app.appID)
		w.str("displayName", a.app.name)
		w.str("servicePrincipalId", a.app.spID)
		w.strNull("servicePrincipalName", a.app.spName)
		w.end()
		if both {
			w.null("user")
		}
	} else {
		if both {
			w.null("app")
		}
		u := a.actor
		w.obj("user")
		w.str("id", u.id)
		w.str("displayName", u.display)
		w.str("userPrincipalName", u.upn)
		w.str("ipAddress", a.actorIP.String())
		w.arr("roles")
		w.end()
		w.end()
	}
	w.end()
}

func (a *directoryAudit) writeTargets(w *jw, k string, adminUnits bool) {
	w.arr(k)
	for _, tr := range a.targets {
		w.obj("")
		w.str("id", tr.id)
		w.strNull("displayName", tr.display)
		w.str("type", tr.typ)
		w.strNull("userPrincipalName", tr.upn)
		w.null("groupType")
		w.arr("modifiedProperties")
		for _, p := range tr.props {
			w.obj("")
			w.str("displayName", p.name)
			w.strNull("oldValue", p.old)
			w.strNull("newValue", p.new)
			w.end()
		}
		w.end()
		if adminUnits {
			w.arr("administrativeUnits")
			w.end()
		}
		w.end()
	}
	w.end()
}

func (a *directoryAudit) writeDetails(w *jw, k string) {
	w.arr(k)
	for _, d := range a.details {
		w.obj("")
		w.str("key", d[0])
		w.str("value", d[1])
		w.end()
	}
	w.end()
}

// writeGraph writes a Graph v1.0 directoryAudit object.
func (a *directoryAudit) writeGraph(w *jw) {
	w.obj("")
	w.str("id", a.id)
	w.str("category", a.category)
	w.str("correlationId", a.corr)
	w.str("result", a.result)
	w.str("resultReason", a.reason)
	w.str("activityDisplayName", a.activity)
	w.str("activityDateTime", ts(a.t, layout7))
	w.str("loggedByService", a.service)
	w.str("operationType", a.opType)
	a.writeInitiatedBy(w, "initiatedBy", true)
	a.writeTargets(w, "targetResources", false)
	a.writeDetails(w, "additionalDetails")
	w.end()
}

// writeAzureMonitor writes an AuditLogs diagnostic record shaped like the
// elastic-integrations sample (test-audit-logs-sample.log).
func (a *directoryAudit) writeAzureMonitor(w *jw) {
	w.obj("")
	w.str("time", ts(a.t, layout7))
	w.str("resourceId", "/tenants/"+a.tenantID+"/providers/Microsoft.aadiam")
	w.str("operationName", a.activity)
	w.str("operationVersion", "1.0")
	w.str("category", "AuditLogs")
	w.str("tenantId", a.tenantID)
	w.str("resultSignature", "None")
	w.num("durationMs", 0)
	w.str("callerIpAddress", a.ip())
	w.str("correlationId", a.corr)
	w.str("identity", a.actorName())
	w.num("Level", 4)
	w.obj("properties")
	w.str("id", a.id)
	w.str("category", a.category)
	w.str("correlationId", a.corr)
	w.str("result", a.result)
	w.str("resultReason", a.reason)
	w.str("activityDisplayName", a.activity)
	w.str("activityDateTime", ts(a.t, layout7Offset))
	w.str("loggedByService", a.service)
	w.str("operationType", a.opType)
	w.strNull("userAgent", a.userAgent)
	a.writeInitiatedBy(w, "initiatedBy", false)
	a.writeTargets(w, "targetResources", true)
	a.writeDetails(w, "additionalDetails")
	w.end()
	w.end()
}

// laRow fills a Log Analytics AuditLogs row.
func (a *directoryAudit) laRow() *laRow {
	r := tableAudit.row()
	r.str("Type", tableAudit.name)
	r.str("TenantId", a.ws)
	r.str("SourceSystem", "Azure AD")
	r.time("TimeGenerated", a.t)
	r.str("ResourceId", "/tenants/"+a.tenantID+"/providers/Microsoft.aadiam")
	r.str("OperationName", a.activity)
	r.str("OperationVersion", "1.0")
	r.str("Category", a.category)
	r.str("ResultType", "")
	r.str("ResultSignature", "None")
	r.str("ResultDescription", "")
	r.num("DurationMs", 0)
	r.str("CorrelationId", a.corr)
	r.str("Resource", "Microsoft.aadiam")
	r.str("ResourceGroup", "Microsoft.aadiam")
	r.str("ResourceProvider", "Microsoft.aadiam")
	r.str("Identity", a.actorName())
	r.str("Level", "4")
	r.str("Location", "")
	r.dyn("AdditionalDetails", func(w *jw) { a.writeDetails(w, "") })
	r.str("Id", a.id)
	r.dyn("InitiatedBy", func(w *jw) { a.writeInitiatedBy(w, "", false) })
	r.str("LoggedByService", a.service)
	r.str("Result", a.result)
	r.str("ResultReason", a.reason)
	r.dyn("TargetResources", func(w *jw) { a.writeTargets(w, "", true) })
	r.str("AADTenantId", a.tenantID)
	r.str("ActivityDisplayName", a.activity)
	r.time("ActivityDateTime", a.t)
	r.str("AADOperationType", a.opType)
	return r
}

// writeUAL writes the UAL (O365 Management Activity API) form: RecordType
// 8, Workload AzureActiveDirectory, Operation with the trailing period,
// ModifiedProperties with unquoted values, Actor and Target identity lists
// ending in the object kind (detections.md §1.1).
func (a *directoryAudit) writeUAL(w *jw) {
	userID, userKey, userType := "", "", int64(0)
	if a.app != nil {
		userID, userKey, userType = a.app.name, a.app.spID, 4
	} else {
		userID, userKey = a.actor.upn, a.actor.puid
		if len(a.actor.roles) > 0 {
			userType = 2
		}
	}
	w.obj("")
	w.str("CreationTime", ts(a.t, layoutUAL))
	w.str("Id", a.ualID)
	w.str("Operation", a.ualOperation())
	w.str("OrganizationId", a.tenantID)
	w.num("RecordType", 8)
	status := "Success"
	if a.result == "failure" {
		status = "Failure"
	}
	w.str("ResultStatus", status)
	w.str("UserKey", userKey)
	w.num("UserType", userType)
	w.num("Version", 1)
	w.str("Workload", "AzureActiveDirectory")
	w.str("ObjectId", a.objectID())
	w.str("UserId", userID)
	w.num("AzureActiveDirectoryEventType", 1)
	w.arr("ExtendedProperties")
	var det jw
	det.obj("")
	for _, d := range a.details {
		det.str(d[0], d[1])
	}
	det.end()
	w.obj("")
	w.str("Name", "additionalDetails")
	w.str("Value", det.String())
	w.end()
	w.obj("")
	w.str("Name", "extendedAuditEventCategory")
	w.str("Value", a.ualEventClass)
	w.end()
	w.end()
	w.arr("ModifiedProperties")
	for _, tr := range a.targets {
		for _, p := range tr.props {
			w.obj("")
			w.str("Name", p.name)
			w.str("NewValue", unquote(p.new))
			w.str("OldValue", unquote(p.old))
			w.end()
		}
	}
	w.end()
	w.arr("Actor")
	if a.app != nil {
		idPair(w, a.app.name, 1)
		idPair(w, "ServicePrincipal_"+a.app.spID, 2)
		idPair(w, a.app.spID, 2)
		idPair(w, "ServicePrincipal", 2)
	} else {
		idPair(w, a.actor.upn, 5)
		idPair(w, a.actor.puid, 3)
		idPair(w, "User_"+a.actor.id, 2)
		idPair(w, a.actor.id, 2)
		idPair(w, "User", 2)
	}
	w.end()
	w.str("ActorContextId", a.tenantID)
	w.str("ActorIpAddress", a.ip())
	w.str("InterSystemsId", a.corr)
	w.str("IntraSystemId", a.intra)
	w.str("SupportTicketId", "")
	w.arr("Target")
	if len(a.targets) > 0 {
		tr := a.targets[0]
		kind := tr.typ
		idPair(w, kind+"_"+tr.id, 2)
		idPair(w, tr.id, 2)
		idPair(w, kind, 2)
		if tr.upn != "" {
			idPair(w, tr.upn, 5)
		} else if tr.display != "" {
			idPair(w, tr.display, 1)
		}
	}
	w.end()
	w.str("TargetContextId", a.tenantID)
	w.end()
}

// ualOperation is the activity as UAL names it: with a trailing period
// ("Consent to application."), except the credentials activity, which
// keeps its trailing space instead (detections.md §3 row 1).
func (a *directoryAudit) ualOperation() string {
	if strings.HasSuffix(a.activity, " ") {
		return a.activity
	}
	return a.activity + "."
}

func (a *directoryAudit) objectID() string {
	if len(a.targets) == 0 {
		return ""
	}
	if a.targets[0].upn != "" {
		return a.targets[0].upn
	}
	return a.targets[0].display
}

func idPair(w *jw, id string, typ int64) {
	w.obj("")
	w.str("ID", id)
	w.num("Type", typ)
	w.end()
}

// unquote turns a JSON string literal into its text and leaves other JSON
// text (arrays, objects) as it is; UAL keeps modified values unquoted.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return strings.Trim(s, `"`)
	}
	return s
}

// auditID returns an audit id in the Directory_<correlation>_<server>_<n>
// shape of the elastic-integrations sample.
func auditID(r rng, corr string) string {
	return "Directory_" + corr + "_" + r.hexID(3)[:5] + "_" + strconv.Itoa(100000000+r.IntN(900000000))
}
