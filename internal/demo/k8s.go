package demo

import (
	"strings"
	"time"
)

// kEvent is a Kubernetes audit.k8s.io/v1 Event at level Metadata, shaped
// like the falco and elastic-integrations samples in shared/data/public.
type kEvent struct {
	t                     time.Time
	auditID               string
	verb, uri             string
	user, uid             string
	groups                []string
	extra                 [][2]string
	ip, ua                string
	resource, subresource string
	namespace, name       string
	apiGroup, apiVersion  string
	code                  int
	message               string
	reason                string // authorization.k8s.io/reason annotation
}

func (e *kEvent) write(w *jw) {
	w.obj("")
	w.str("kind", "Event")
	w.str("apiVersion", "audit.k8s.io/v1")
	w.str("level", "Metadata")
	w.str("auditID", e.auditID)
	w.str("stage", "ResponseComplete")
	w.str("requestURI", e.uri)
	w.str("verb", e.verb)
	w.obj("user")
	w.str("username", e.user)
	if e.uid != "" {
		w.str("uid", e.uid)
	}
	w.strs("groups", e.groups)
	if len(e.extra) > 0 {
		w.obj("extra")
		for _, kv := range e.extra {
			w.strs(kv[0], []string{kv[1]})
		}
		w.end()
	}
	w.end()
	w.strs("sourceIPs", []string{e.ip})
	w.str("userAgent", e.ua)
	w.obj("objectRef")
	w.str("resource", e.resource)
	if e.namespace != "" {
		w.str("namespace", e.namespace)
	}
	if e.name != "" {
		w.str("name", e.name)
	}
	w.str("apiGroup", e.apiGroup)
	w.str("apiVersion", e.apiVersion)
	if e.subresource != "" {
		w.str("subresource", e.subresource)
	}
	w.end()
	w.obj("responseStatus")
	w.obj("metadata")
	w.end()
	if e.code >= 400 {
		w.str("status", "Failure")
		w.str("message", e.message)
		w.str("reason", "Forbidden")
		w.obj("details")
		w.str("kind", e.resource)
		w.end()
	}
	w.num("code", int64(e.code))
	w.end()
	w.str("requestReceivedTimestamp", ts(e.t, layoutK8s))
	w.str("stageTimestamp", ts(e.t.Add(time.Duration(1+len(e.uri)%7)*time.Millisecond), layoutK8s))
	w.obj("annotations")
	if e.code == 403 {
		w.str("authorization.k8s.io/decision", "forbid")
	} else {
		w.str("authorization.k8s.io/decision", "allow")
	}
	w.str("authorization.k8s.io/reason", e.reason)
	w.end()
	w.end()
}

// k8sURI builds the request URI of a verb on a resource.
func k8sURI(verb, group, version, resource, namespace, name, sub string) string {
	var b strings.Builder
	if group == "" {
		b.WriteString("/api/" + version)
	} else {
		b.WriteString("/apis/" + group + "/" + version)
	}
	if namespace != "" {
		b.WriteString("/namespaces/" + namespace)
	}
	b.WriteString("/" + resource)
	if name != "" {
		b.WriteString("/" + name)
	}
	if sub != "" {
		b.WriteString("/" + sub)
	}
	switch verb {
	case "watch":
		b.WriteString("?allowWatchBookmarks=true&resourceVersion=" + "1" + "&timeout=7m21s&timeoutSeconds=441&watch=true")
	case "list":
		b.WriteString("?limit=500&resourceVersion=0")
	}
	return b.String()
}

// serviceAccount is a pod-bound service account identity.
func saUser(ns, sa string) (string, []string) {
	return "system:serviceaccount:" + ns + ":" + sa, []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}
}

func rbacReason(binding, subject string) string {
	return `RBAC: allowed by ClusterRoleBinding "` + binding + `" of ClusterRole "` + binding + `" to ` + subject
}
