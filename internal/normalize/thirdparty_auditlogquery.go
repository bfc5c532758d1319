package normalize

// Records of the Microsoft Graph audit log query API
// (/security/auditLog/queries/{id}/records, microsoft.graph.security.auditLogRecord,
// microsoftgraph/microsoft-graph-docs-contrib
// api-reference/beta/resources/security-auditlogrecord.md), as
// Microsoft-Extractor-Suite's Get-UALGraph saves them: the raw Graph pages,
// Invoke-MgGraphRequest … -OutputFilePath (Scripts/Get-UALGraph.ps1). A
// record wraps the unified audit log record in auditData, with its usual
// PascalCase members (CreationTime, UserId, ExtendedProperties, …, as
// Microsoft-Analyzer-Suite's Queries/Hunt.sql reads them) and an
// "@odata.type"; the wrapper repeats some of them in Graph's casing:
//
//	{"id":"…","createdDateTime":"…","auditLogRecordType":"azureActiveDirectoryStsLogon",
//	 "operation":"UserLoginFailed","organizationId":"…","userType":"regular",
//	 "userId":"…","service":"AzureActiveDirectory","objectId":"…",
//	 "userPrincipalName":"…","clientIp":"…","administrativeUnits":[],
//	 "auditData":{"@odata.type":"…","CreationTime":"…",…}}
//
// The UAL record is normalised by whichever shape recognises it (the Entra
// UAL shapes or the generic UAL one), after members it lacks are filled
// from the wrapper. The event's format is "graph".

import (
	"bytes"
	"fmt"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

func init() {
	register(shape{
		format:    formatGraph,
		kind:      event.KindM365Audit,
		priority:  120,
		detect:    isAuditLogRecord,
		normalize: normalizeAuditLogRecord,
	})
}

func isAuditLogRecord(v *fastjson.Value, _ ingest.Container) bool {
	if isString(v.Get("@odata.type"), "#microsoft.graph.security.auditLogRecord") {
		return true
	}
	return v.Get("auditLogRecordType") != nil && v.Get("auditData") != nil
}

// auditLogRecordMembers maps wrapper members onto the UAL members they
// repeat, used when auditData lacks them.
var auditLogRecordMembers = [...][2]string{
	{"id", "Id"},
	{"createdDateTime", "CreationTime"},
	{"operation", "Operation"},
	{"organizationId", "OrganizationId"},
	{"auditLogRecordType", "RecordType"},
	{"userType", "UserType"},
	{"service", "Workload"},
	{"objectId", "ObjectId"},
	{"clientIp", "ClientIP"},
	{"userPrincipalName", "UserId"},
	{"userId", "UserId"},
}

func normalizeAuditLogRecord(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	inner := v.Get("auditData")
	switch {
	case inner == nil || inner.Type() == fastjson.TypeNull:
		inner = n.Arena.NewObject()
	case inner.Type() == fastjson.TypeString:
		text := bytes.TrimSpace(inner.GetStringBytes())
		if len(text) == 0 {
			inner = n.Arena.NewObject()
			break
		}
		p, err := n.embedded(text)
		if err != nil {
			return fmt.Errorf("auditData: %w", err)
		}
		inner = p
	}
	if inner.Type() != fastjson.TypeObject {
		return fmt.Errorf("auditData is a JSON %s, not an object", inner.Type())
	}
	inner.Del("@odata.type")
	for _, m := range auditLogRecordMembers {
		setWhenBlank(inner, m[1], v.Get(m[0]))
	}
	if isAuditLogRecord(inner, ingest.ContainerNone) {
		return fmt.Errorf("auditData holds another audit log record")
	}
	rec := ingest.Record{Data: ev.Raw, Origin: ev.Origin, Container: ingest.ContainerNone}
	got, err := n.NormalizeValue(inner, rec)
	if err != nil {
		return fmt.Errorf("auditData: %w", err)
	}
	*ev = *got
	ev.Format = formatGraph
	return nil
}
