package demo

import (
	"strings"
	"time"
)

// k8sCall is one kind of request a controller makes.
type k8sCall struct {
	verb, group, version, resource, namespace, name, sub string
}

// k8sController is a control-plane component or workload that talks to the
// API server all day: get, list and watch on non-secret resources, plus
// leader-election lease renewals.
type k8sController struct {
	name    string
	rate    float64 // requests per hour
	user    string
	groups  []string
	ua      string
	binding string
	node    int // source: node index, or -1 for a pod IP
	pod     string
	calls   []k8sCall
}

const k8sVersion = "v1.30.4 (linux/amd64) kubernetes/a51b3b7"

var k8sControllers = func() []*k8sController {
	sa := func(ns, name string) (string, []string) { return saUser(ns, name) }
	cm := func(name string, rate float64, ctrl string, calls ...k8sCall) *k8sController {
		u, gr := sa("kube-system", ctrl)
		return &k8sController{name: name, rate: rate, user: u, groups: gr,
			ua:      "kube-controller-manager/" + k8sVersion + "/system:serviceaccount:kube-system:" + ctrl,
			binding: "system:controller:" + ctrl, node: 0, calls: calls}
	}
	prom, promGroups := sa("monitoring", "prometheus")
	coredns, corednsGroups := sa("kube-system", "coredns")
	frontend, frontendGroups := sa("web", "frontend")
	return []*k8sController{
		cm("replicaset-controller", 3, "replicaset-controller",
			k8sCall{verb: "list", group: "apps", version: "v1", resource: "replicasets"},
			k8sCall{verb: "watch", version: "v1", resource: "pods"}),
		cm("deployment-controller", 2, "deployment-controller",
			k8sCall{verb: "list", group: "apps", version: "v1", resource: "deployments"},
			k8sCall{verb: "watch", group: "apps", version: "v1", resource: "replicasets"}),
		cm("endpointslice-controller", 2, "endpointslice-controller",
			k8sCall{verb: "list", version: "v1", resource: "services"},
			k8sCall{verb: "watch", group: "discovery.k8s.io", version: "v1", resource: "endpointslices"}),
		{name: "kube-scheduler", rate: 3, user: "system:kube-scheduler", groups: []string{"system:authenticated"},
			ua: "kube-scheduler/" + k8sVersion + "/scheduler", binding: "system:kube-scheduler", node: 0,
			calls: []k8sCall{
				{verb: "list", version: "v1", resource: "pods"},
				{verb: "watch", version: "v1", resource: "nodes"},
				{verb: "update", group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "kube-system", name: "kube-scheduler"},
			}},
		{name: "kube-controller-manager", rate: 2, user: "system:kube-controller-manager", groups: []string{"system:authenticated"},
			ua: "kube-controller-manager/" + k8sVersion + "/leader-election", binding: "system:kube-controller-manager", node: 0,
			calls: []k8sCall{
				{verb: "get", group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "kube-system", name: "kube-controller-manager"},
				{verb: "update", group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "kube-system", name: "kube-controller-manager"},
			}},
		{name: "coredns", rate: 2, user: coredns, groups: corednsGroups, ua: "coredns/v1.11.1 (linux/amd64) kubernetes/$Format",
			binding: "system:coredns", node: -1, pod: "coredns-6f6b679f8f-8kq2x",
			calls: []k8sCall{
				{verb: "watch", version: "v1", resource: "namespaces"},
				{verb: "watch", group: "discovery.k8s.io", version: "v1", resource: "endpointslices"},
				{verb: "list", version: "v1", resource: "services"},
			}},
		{name: "prometheus", rate: 3, user: prom, groups: promGroups, ua: "Prometheus/2.54.1",
			binding: "prometheus", node: -1, pod: "prometheus-server-0",
			calls: []k8sCall{
				{verb: "list", version: "v1", resource: "pods", namespace: "web"},
				{verb: "list", version: "v1", resource: "pods", namespace: "payments"},
				{verb: "list", version: "v1", resource: "endpoints", namespace: "monitoring"},
				{verb: "watch", version: "v1", resource: "services", namespace: "web"},
			}},
		{name: "kubelet", rate: 4, user: "system:node:", groups: []string{"system:nodes", "system:authenticated"},
			ua: "kubelet/" + k8sVersion, binding: "system:node", node: 1,
			calls: []k8sCall{
				{verb: "get", version: "v1", resource: "nodes", name: "$node"},
				{verb: "list", version: "v1", resource: "pods"},
				{verb: "watch", version: "v1", resource: "configmaps", namespace: "kube-system"},
			}},
		{name: "frontend", rate: 1, user: frontend, groups: frontendGroups, ua: "frontend/1.8.2 (linux/amd64) kubernetes/client-go",
			binding: "frontend-config-reader", node: -1, pod: "frontend-7d9c8f6b5-x2x7q",
			calls: []k8sCall{{verb: "get", version: "v1", resource: "configmaps", namespace: "web", name: "frontend-config"}}},
	}
}()

// podIP returns a stable pod address for a pod name.
func podIP(pod string) string {
	h := 0
	for _, c := range pod {
		h = h*31 + int(c)
	}
	if h < 0 {
		h = -h
	}
	return hostIn(siteK8s.v4, 17+h%40).String()
}

func (g *generator) bgK8s(c *k8sController, t time.Time) {
	r := g.bg
	call := pick(r, c.calls)
	user := c.user
	ip := g.t.k8s.nodeIPs[0].String()
	var extra [][2]string
	switch {
	case c.node == 1:
		n := r.IntN(len(g.t.k8s.nodes))
		user += g.t.k8s.nodes[n]
		ip = g.t.k8s.nodeIPs[n].String()
		if call.name == "$node" {
			call.name = g.t.k8s.nodes[n]
		}
	case c.node < 0:
		ip = podIP(c.pod)
		extra = [][2]string{{"authentication.kubernetes.io/pod-name", c.pod}, {"authentication.kubernetes.io/node-name", g.t.k8s.nodes[0]}}
	}
	subject := `User "` + user + `"`
	if strings.HasPrefix(user, "system:serviceaccount:") {
		parts := strings.Split(user, ":")
		subject = `ServiceAccount "` + parts[3] + `/` + parts[2] + `"`
	} else if strings.HasPrefix(user, "system:node:") {
		subject = `Group "system:nodes"`
	}
	e := &kEvent{
		t: t, auditID: r.guid(), verb: call.verb, user: user, groups: c.groups, extra: extra, ip: ip, ua: c.ua,
		resource: call.resource, subresource: call.sub, namespace: call.namespace, name: call.name,
		apiGroup: call.group, apiVersion: call.version, code: 200,
		reason: rbacReason(c.binding, subject),
	}
	e.uri = k8sURI(call.verb, call.group, call.version, call.resource, call.namespace, call.name, call.sub)
	f := g.fam.k8sNDJSON
	if choose(r, mixK8s) == toEventList {
		f = g.fam.k8sEventList
	}
	g.emit(g.jsonRec(t, f, e.auditID, e.write))
}
