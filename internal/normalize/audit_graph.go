package normalize

import (
	"bytes"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Microsoft Graph directoryAudit records (/auditLogs/directoryAudits) and
// Azure Monitor diagnostic records of category AuditLogs, whose
// "properties" object is a directoryAudit (schema: MicrosoftDocs/entra-docs
// reference-azure-monitor-audit-log-schema.md).

func init() {
	register(shape{
		format:    formatAzureMonitor,
		kind:      event.KindEntraAudit,
		priority:  11,
		detect:    isAzureMonitorAudit,
		normalize: normalizeAzureMonitorAudit,
	})
	register(shape{
		format:    formatGraph,
		kind:      event.KindEntraAudit,
		priority:  21,
		detect:    isGraphAudit,
		normalize: normalizeGraphAudit,
	})
}

// isGraphAudit recognises a directoryAudit: activityDateTime with
// activityDisplayName or targetResources (provisioning objects and risk
// detections have activityDateTime but neither).
func isGraphAudit(v *fastjson.Value, _ ingest.Container) bool {
	return v.Get("activityDateTime") != nil && v.Get("properties") == nil &&
		(v.Get("activityDisplayName") != nil || v.Get("targetResources") != nil)
}

func normalizeGraphAudit(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	keepLastDuplicate(v)
	n.finishAudit(v, ev, nil, false)
	return nil
}

// isAzureMonitorAudit recognises a diagnostic record whose properties are a
// directoryAudit, or of category AuditLogs from the Entra resource
// provider. Intune also names a category AuditLogs; its records have
// PascalCase properties and another resourceId.
func isAzureMonitorAudit(v *fastjson.Value, _ ingest.Container) bool {
	props := v.Get("properties")
	if props == nil {
		return false
	}
	if props.Type() == fastjson.TypeObject &&
		(props.Get("activityDisplayName") != nil || props.Get("activityDateTime") != nil) {
		return true
	}
	return isString(foldMember(v, "category"), "AuditLogs") &&
		bytes.Contains(bytes.ToLower(stringBytes(foldMember(v, "resourceId"))), []byte("microsoft.aadiam"))
}

func normalizeAzureMonitorAudit(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	props := n.objectOf(v.Get("properties"))
	if props == nil {
		return errPropertiesNotObject
	}
	setWhenBlank(props, "activityDisplayName", foldMember(v, "operationName"))
	setWhenBlank(props, "result", foldMember(v, "result"))
	setWhenBlank(props, "correlationId", foldMember(v, "correlationId"))
	// Panther's records put the directoryAudit category in the envelope.
	if c := foldMember(v, "category"); !isString(c, "AuditLogs") {
		setWhenBlank(props, "category", c)
	}
	n.finishAudit(props, ev, foldMember(v, "time"), false)
	return nil
}
