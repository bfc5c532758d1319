package normalize

import (
	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// laAuditColumns maps the columns of the Log Analytics AuditLogs table onto
// directoryAudit members where the name or the type differs; any other
// column keeps its name, first letter lowered.
var laAuditColumns = map[string]laCol{
	"Id":                  {"id", colText},
	"ActivityDateTime":    {"activityDateTime", colText},
	"ActivityDisplayName": {"activityDisplayName", colText},
	"AADOperationType":    {"operationType", colText},
	"InitiatedBy":         {"initiatedBy", colDyn},
	"TargetResources":     {"targetResources", colDyn},
	"AdditionalDetails":   {"additionalDetails", colDyn},

	// Envelope and bookkeeping columns; OperationName and TimeGenerated
	// are read separately as fallbacks.
	"TimeGenerated":     {kind: colDrop},
	"Type":              {kind: colDrop},
	"TenantId":          {kind: colDrop},
	"AADTenantId":       {kind: colDrop},
	"SourceSystem":      {kind: colDrop},
	"OperationName":     {kind: colDrop},
	"OperationVersion":  {kind: colDrop},
	"ResultType":        {kind: colDrop},
	"ResultSignature":   {kind: colDrop},
	"ResultDescription": {kind: colDrop},
	"DurationMs":        {kind: colDrop},
	"Identity":          {kind: colDrop},
	"Level":             {kind: colDrop},
	"Location":          {kind: colDrop},
	"Resource":          {kind: colDrop},
	"ResourceGroup":     {kind: colDrop},
	"ResourceProvider":  {kind: colDrop},
	"ResourceId":        {kind: colDrop},
}

func normalizeLogAnalyticsAudit(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.convertRow(v, laAuditColumns)
	setWhenBlank(doc, "activityDisplayName", v.Get("OperationName"))
	n.finishAudit(doc, ev, laGet(v, "TimeGenerated"), false)
	return nil
}
