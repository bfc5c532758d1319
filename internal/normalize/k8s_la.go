package normalize

import (
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Log Analytics AKSAudit and AKSAuditAdmin rows (the resource-specific AKS
// tables; columns per MicrosoftDocs/azure-reference-other
// azure-monitor-ref/tables/aksaudit.md), mapped back to the
// audit.k8s.io/v1 Event (k8s.go): each column is an Event field in
// PascalCase, dynamic columns hold the nested objects (as JSON text in CSV
// exports), and the two timestamps are renamed (RequestReceivedTime →
// requestReceivedTimestamp, StageReceivedTime → stageTimestamp, both
// rewritten in UTC in the event's microsecond layout). PodName (the API server pod) and the
// workspace columns are dropped.

// k8sMicroTime is the layout of the audit event's timestamps (metav1.MicroTime).
const k8sMicroTime = "2006-01-02T15:04:05.000000Z07:00"

// aksAuditColumns maps AKSAudit columns to Event fields.
var aksAuditColumns = []struct{ col, key string }{
	{"Level", "level"}, {"AuditId", "auditID"}, {"Stage", "stage"}, {"RequestUri", "requestURI"},
	{"Verb", "verb"}, {"User", "user"}, {"SourceIps", "sourceIPs"}, {"UserAgent", "userAgent"},
	{"ObjectRef", "objectRef"}, {"ResponseStatus", "responseStatus"}, {"RequestObject", "requestObject"},
	{"ResponseObject", "responseObject"}, {"RequestReceivedTime", "requestReceivedTimestamp"},
	{"StageReceivedTime", "stageTimestamp"}, {"Annotations", "annotations"},
}

func init() {
	register(shape{format: "log-analytics", kind: event.KindK8sAudit, priority: 51, detect: detectAKSAuditLA,
		normalize: normalizeAKSAuditLA})
	addSynthesized(event.KindK8sAudit, "requestReceivedTimestamp", "stageTimestamp")
	addAliases(event.KindK8sAudit, map[string]string{
		"AuditId": "auditID", "RequestUri": "requestURI", "SourceIps": "sourceIPs",
		"RequestReceivedTime": "requestReceivedTimestamp", "StageReceivedTime": "stageTimestamp",
	})
}

func detectAKSAuditLA(v *fastjson.Value, _ ingest.Container) bool {
	t := v.Get("Type")
	if isStr(t, "AKSAudit") || isStr(t, "AKSAuditAdmin") {
		return true
	}
	return v.Get("AuditId") != nil && v.Get("Verb") != nil && v.Get("RequestUri") != nil
}

func normalizeAKSAuditLA(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.Arena.NewObject()
	for _, c := range aksAuditColumns {
		val := laCell(v, c.col)
		if isEmptyCell(val) {
			continue
		}
		doc.Set(c.key, n.jsonOrSelf(val))
	}
	for _, key := range [...]string{"requestReceivedTimestamp", "stageTimestamp"} {
		n.setUTCTime(doc, key, k8sMicroTime)
	}
	n.finishK8s(doc, ev)
	ev.Subtype = "aks"
	return nil
}
