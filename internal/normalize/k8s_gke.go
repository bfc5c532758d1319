package normalize

import (
	"strings"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// GKE audit logs: Cloud Audit Logs entries (LogEntry with a
// google.cloud.audit.AuditLog protoPayload whose serviceName is "k8s.io").
// The entry is kept as it is and the audit.k8s.io/v1 fields that map are
// added beside it:
//
//	verb              last segment of protoPayload.methodName ("io.k8s.core.v1.pods.create" → "create")
//	user.username     protoPayload.authenticationInfo.principalEmail
//	sourceIPs         [protoPayload.requestMetadata.callerIp]
//	userAgent         protoPayload.requestMetadata.callerSuppliedUserAgent
//	objectRef         parsed from protoPayload.resourceName
//	                  ("<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]",
//	                  group "core" is the core group, apiGroup "")
//	annotations       labels (GKE writes the audit annotations there:
//	                  authorization.k8s.io/decision, authorization.k8s.io/reason)
//	requestObject     protoPayload.request
//	responseObject    protoPayload.response
//
// Not mapped: protoPayload.status is a google.rpc.Status (gRPC code 7 =
// PERMISSION_DENIED), not the HTTP status of responseStatus, so
// responseStatus is left absent and rules on denials read
// protoPayload.status.code; there is no requestURI, stage or auditID.
// Event.ID is insertId (the log entry's unique ID), Event.Time is
// timestamp, Event.Subtype is "gke".

func init() {
	register(shape{format: "gcp-audit", kind: event.KindK8sAudit, priority: 56, detect: detectGKEAudit,
		normalize: normalizeGKEAudit})
	addFields(event.KindK8sAudit, "insertId", "timestamp", "logName", "labels", "resource.type",
		"resource.labels.cluster_name", "resource.labels.location", "resource.labels.project_id",
		"protoPayload.serviceName", "protoPayload.methodName", "protoPayload.resourceName",
		"protoPayload.authenticationInfo.principalEmail", "protoPayload.requestMetadata.callerIp",
		"protoPayload.requestMetadata.callerSuppliedUserAgent", "protoPayload.status.code",
		"protoPayload.status.message", "protoPayload.authorizationInfo.permission",
		"protoPayload.authorizationInfo.granted", "protoPayload.authorizationInfo.resource")
}

func detectGKEAudit(v *fastjson.Value, _ ingest.Container) bool {
	return isStr(v.Get("protoPayload", "serviceName"), "k8s.io")
}

func normalizeGKEAudit(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	pp := v.Get("protoPayload")
	if pp.Type() != fastjson.TypeObject {
		return nil
	}
	doc := v
	if m := strOf(pp.Get("methodName")); m != "" {
		doc.Set("verb", n.Arena.NewString(m[strings.LastIndexByte(m, '.')+1:]))
	}
	if p := pp.Get("authenticationInfo", "principalEmail"); p != nil {
		user := n.Arena.NewObject()
		user.Set("username", p)
		doc.Set("user", user)
	}
	if ip := pp.Get("requestMetadata", "callerIp"); ip != nil {
		ips := n.Arena.NewArray()
		ips.SetArrayItem(0, ip)
		doc.Set("sourceIPs", ips)
	}
	if ua := pp.Get("requestMetadata", "callerSuppliedUserAgent"); ua != nil {
		doc.Set("userAgent", ua)
	}
	if ref := n.gkeObjectRef(strOf(pp.Get("resourceName"))); ref != nil {
		doc.Set("objectRef", ref)
	}
	if l := v.Get("labels"); l != nil && l.Type() == fastjson.TypeObject {
		doc.Set("annotations", l)
	}
	if r := pp.Get("request"); r != nil {
		doc.Set("requestObject", r)
	}
	if r := pp.Get("response"); r != nil {
		doc.Set("responseObject", r)
	}
	n.finishK8s(doc, ev)
	ev.ID = strOf(v.Get("insertId"))
	ev.Subtype = "gke"
	if t, ok := TimeValue(v.Get("timestamp")); ok {
		ev.Time = t
	}
	return nil
}

// gkeObjectRef parses a GKE k8s resourceName into an objectRef; nil when
// the name is not a resource path (non-resource URLs such as "readyz").
func (n *Normalizer) gkeObjectRef(name string) *fastjson.Value {
	segs := strings.Split(name, "/")
	if len(segs) < 3 || !isAPIVersion(segs[1]) {
		return nil
	}
	ref := n.Arena.NewObject()
	group := segs[0]
	if group == "core" {
		group = ""
	}
	ref.Set("apiGroup", n.Arena.NewString(group))
	ref.Set("apiVersion", n.Arena.NewString(segs[1]))
	rest := segs[2:]
	if len(rest) >= 3 && rest[0] == "namespaces" {
		ref.Set("namespace", n.Arena.NewString(rest[1]))
		rest = rest[2:]
	}
	for i, key := range [...]string{"resource", "name", "subresource"} {
		if i < len(rest) && rest[i] != "" {
			ref.Set(key, n.Arena.NewString(rest[i]))
		}
	}
	return ref
}

// isAPIVersion reports whether s looks like a Kubernetes API version
// ("v1", "v1beta1", "v2alpha1").
func isAPIVersion(s string) bool {
	return len(s) >= 2 && s[0] == 'v' && s[1] >= '0' && s[1] <= '9'
}
