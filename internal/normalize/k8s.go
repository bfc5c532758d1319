package normalize

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Kubernetes audit. The canonical shape is the audit.k8s.io/v1 Event
// (kubernetes/apiserver pkg/apis/audit/v1/types.go): kind, apiVersion,
// level, auditID, stage, requestURI, verb, user{username, uid, groups,
// extra}, impersonatedUser, sourceIPs, userAgent, objectRef{resource,
// subresource, namespace, name, uid, apiGroup, apiVersion, resourceVersion},
// responseStatus{code, status, reason, message}, requestObject,
// responseObject, requestReceivedTimestamp, stageTimestamp, annotations.
//
// Added: user.serviceAccount{namespace, name} when user.username is
// "system:serviceaccount:<namespace>:<name>", the form the API server gives
// service-account tokens. The plural "system:serviceaccounts:…" is the
// prefix of the service-account *group* names (system:serviceaccounts,
// system:serviceaccounts:<namespace>); a username in that form (elastic's
// test sample has "system:serviceaccounts:default:default") is not a
// service account and gets no user.serviceAccount.
//
// Event.ID is auditID/stage (one request yields an event per stage), or
// auditID alone when the stage is missing. Event.Time is
// requestReceivedTimestamp, else stageTimestamp.
//
// Envelopes: native events (NDJSON from the log backend, items of an
// EventList from the webhook backend, Panther's EKS export with
// p_log_type "Amazon.EKS.Audit"), AKS diagnostic records (category
// kube-audit / kube-audit-admin, the event in properties.log as an object
// or as JSON text), EKS control-plane logs exported from CloudWatch Logs
// (the event as JSON text in message / @message), and GKE Cloud Audit Logs
// (k8s_gke.go). Event.Subtype names the platform of an envelope ("aks",
// "eks", "gke").

func init() {
	register(shape{format: "k8s", kind: event.KindK8sAudit, priority: 54, detect: detectK8s, normalize: normalizeK8s})
	register(shape{format: "azure-monitor", kind: event.KindK8sAudit, priority: 55,
		detect: detectAKSAudit, normalize: normalizeAKSAudit})
	register(shape{format: "cloudwatch", kind: event.KindK8sAudit, priority: 57,
		detect: detectEKSCloudWatch, normalize: normalizeEKSCloudWatch})

	k := event.KindK8sAudit
	addFields(k, "kind", "apiVersion", "level", "auditID", "stage", "requestURI", "verb",
		"user.username", "user.uid", "user.groups", "user.extra", "user.serviceAccount.namespace",
		"user.serviceAccount.name", "impersonatedUser.username", "impersonatedUser.uid", "impersonatedUser.groups",
		"sourceIPs", "userAgent", "objectRef.resource", "objectRef.subresource", "objectRef.namespace",
		"objectRef.name", "objectRef.uid", "objectRef.apiGroup", "objectRef.apiVersion",
		"objectRef.resourceVersion", "responseStatus.code", "responseStatus.status", "responseStatus.reason",
		"responseStatus.message", "requestObject", "responseObject", "requestReceivedTimestamp", "stageTimestamp",
		"annotations", "annotations.authorization.k8s.io/decision", "annotations.authorization.k8s.io/reason",
		"user.extra.authentication.kubernetes.io/pod-name", "user.extra.authentication.kubernetes.io/pod-uid",
		"requestObject.spec.volumes.hostPath", "requestObject.spec.containers.securityContext.capabilities",
		"requestObject.spec.containers.securityContext.privileged", "requestObject.spec.hostNetwork",
		"requestObject.spec.hostPID", "requestObject.spec.hostIPC",
	)
	addSynthesized(k, "user.serviceAccount")
	// Field names used by SigmaHQ rules/application/kubernetes/audit for
	// fields of the event or of the pod in requestObject.
	addAliases(k, map[string]string{
		"apiGroup":     "objectRef.apiGroup",
		"hostPath":     "requestObject.spec.volumes.hostPath",
		"capabilities": "requestObject.spec.containers.securityContext.capabilities",
	})
}

// detectK8s accepts a native audit event.
func detectK8s(v *fastjson.Value, c ingest.Container) bool {
	if pantherLogType(v, "Amazon.EKS.Audit") {
		return true
	}
	if bytes.HasPrefix(strBytes(v.Get("apiVersion")), []byte("audit.k8s.io/")) {
		return true
	}
	verb := v.Get("verb")
	if verb == nil || verb.Type() != fastjson.TypeString {
		return false
	}
	if c == ingest.ContainerK8sEventList {
		return true
	}
	// No apiVersion: an audit event has a verb and, unlike core v1
	// Events (involvedObject, reason), an auditID or an objectRef.
	kind := v.Get("kind")
	return (kind == nil || isStr(kind, "Event")) && (v.Get("auditID") != nil || v.Get("objectRef") != nil)
}

func normalizeK8s(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	n.finishK8s(v, ev)
	return nil
}

// finishK8s adds the derived fields to a native event and fills ev.
func (n *Normalizer) finishK8s(doc *fastjson.Value, ev *event.Event) {
	if user := doc.Get("user"); user != nil && user.Type() == fastjson.TypeObject {
		if ns, name, ok := serviceAccount(strOf(user.Get("username"))); ok && user.Get("serviceAccount") == nil {
			sa := n.Arena.NewObject()
			sa.Set("namespace", n.Arena.NewString(ns))
			sa.Set("name", n.Arena.NewString(name))
			user.Set("serviceAccount", sa)
		}
	}
	ev.Doc = doc
	if id := strOf(doc.Get("auditID")); id != "" {
		if stage := strOf(doc.Get("stage")); stage != "" {
			id += "/" + stage
		}
		ev.ID = id
	}
	for _, key := range [...]string{"requestReceivedTimestamp", "stageTimestamp"} {
		if t, ok := TimeValue(doc.Get(key)); ok {
			ev.Time = t
			break
		}
	}
}

// serviceAccount splits a service-account username,
// "system:serviceaccount:<namespace>:<name>".
func serviceAccount(username string) (ns, name string, ok bool) {
	rest, found := strings.CutPrefix(username, "system:serviceaccount:")
	if !found {
		return "", "", false
	}
	ns, name, found = strings.Cut(rest, ":")
	if !found || ns == "" || name == "" || strings.Contains(name, ":") {
		return "", "", false
	}
	return ns, name, true
}

// detectAKSAudit accepts an AKS control-plane diagnostic record of the
// kube-audit or kube-audit-admin category.
func detectAKSAudit(v *fastjson.Value, _ ingest.Container) bool {
	cat := getFold(v, "category")
	if !foldStr(cat, "kube-audit") && !foldStr(cat, "kube-audit-admin") {
		return false
	}
	return getFold(v, "properties").Get("log") != nil
}

func normalizeAKSAudit(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	log := getFold(v, "properties").Get("log")
	if log.Type() == fastjson.TypeString {
		p, err := n.ParseEmbedded(log.GetStringBytes())
		if err != nil {
			return fmt.Errorf("properties.log is not a JSON audit event: %w", err)
		}
		log = p
	}
	if log.Type() != fastjson.TypeObject {
		return fmt.Errorf("properties.log is a JSON %s, not an audit event", log.Type())
	}
	n.finishK8s(log, ev)
	ev.Subtype = "aks"
	if ev.Time.IsZero() {
		if t, ok := TimeValue(getFold(v, "time")); ok {
			ev.Time = t
		}
	}
	return nil
}

// detectEKSCloudWatch accepts a CloudWatch Logs event of the EKS
// kube-apiserver-audit stream: {"timestamp", "message": "<event JSON>"}
// as written by filter-log-events / subscription filters, or
// {"@timestamp", "@message"} from Logs Insights.
func detectEKSCloudWatch(v *fastjson.Value, _ ingest.Container) bool {
	return bytes.Contains(cloudWatchMessage(v), []byte("audit.k8s.io"))
}

// cloudWatchMessage returns the JSON text of a CloudWatch Logs event, nil
// when it has none.
func cloudWatchMessage(v *fastjson.Value) []byte {
	for _, key := range [...]string{"message", "@message"} {
		if b := bytes.TrimSpace(strBytes(v.Get(key))); len(b) > 0 && b[0] == '{' {
			return b
		}
	}
	return nil
}

func normalizeEKSCloudWatch(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	p, err := n.ParseEmbedded(cloudWatchMessage(v))
	if err != nil {
		return fmt.Errorf("message is not a JSON audit event: %w", err)
	}
	if p.Type() != fastjson.TypeObject {
		return fmt.Errorf("message is a JSON %s, not an audit event", p.Type())
	}
	n.finishK8s(p, ev)
	ev.Subtype = "eks"
	return nil
}
