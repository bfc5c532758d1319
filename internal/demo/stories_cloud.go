package demo

import (
	"time"
)

// storySTS is S5: an engineer's leaked IAM access key asks STS for a
// federation token with an inline policy granting everything, and the
// federated user goes through the account from another IP.
func (g *generator) storySTS(r rng, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storySTS, Title: "AWS STS: GetFederationToken with a \"*\" policy, then the federated user acts from another IP",
		Summary: "The engineer's long-lived access key, leaked from a laptop, calls sts:GetFederationToken from a Dutch VPS with an inline policy allowing Action \"*\" on Resource \"*\". Eighteen minutes later the returned credentials (userIdentity.type FederatedUser, session issuer the IAM user) are used from Singapore: GetCallerIdentity, ListBuckets, ListUsers, ListSecrets, GetSecretValue and GetObject on the backups bucket.",
		Expected: expected{
			Implements: []string{"seed-004"},
			Detections: []string{"GetFederationToken with a policy granting * (high)", "GetFederationToken followed by activity as that FederatedUser from a different source IP within 1 h", "first GetFederationToken by this IAM user"},
			Catalog:    []string{"§2.5 test method 3", "§4 #54"},
		},
		Attack: []string{"T1550.001"},
	}, recs)
	a := g.t.aws
	ip1, ip2 := attackerIP(siteNL, 20), attackerIP(siteSG, 21)
	c.ips(ip1, ip2)
	c.users(a.engineerUser)
	c.other("arn:aws:iam::"+a.id+":user/"+a.engineer, "arn:aws:sts::"+a.id+":federated-user/backup-sync")
	base := g.at(4.0/6, 21, 10)
	key := "ASIA" + r.hexID(8)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	ft := g.newTrail(r, base, "sts.amazonaws.com", "GetFederationToken", ip1.String(), uaBoto3)
	ft.identity = g.iamUser(a.engineer, a.engPrincipal, a.engKey)
	ft.readOnly = true
	ft.req = func(w *jw) {
		w.str("name", "backup-sync")
		w.str("policy", policy)
		w.num("durationSeconds", 43200)
	}
	ft.resp = func(w *jw) {
		w.obj("credentials")
		w.str("accessKeyId", key)
		w.str("sessionToken", r.token(48))
		w.str("expiration", base.Add(12*time.Hour).Format("Jan 2, 2006, 3:04:05 PM"))
		w.end()
		w.obj("federatedUser")
		w.str("federatedUserId", a.id+":backup-sync")
		w.str("arn", "arn:aws:sts::"+a.id+":federated-user/backup-sync")
		w.end()
		w.num("packedPolicySize", 6)
	}
	c.json(base, g.fam.cloudtrail, ft.eventID, ft.write, "GetFederationToken by the IAM user with an inline policy granting *")

	fed := g.federatedUser("backup-sync", key, base)
	getObject := func(key string) func(w *jw) {
		return func(w *jw) {
			w.str("bucketName", "contoso-backups")
			w.str("Host", "contoso-backups.s3.us-east-1.amazonaws.com")
			w.str("key", key)
		}
	}
	steps := []struct {
		src, name, key string
		req            func(w *jw)
	}{
		{"sts.amazonaws.com", "GetCallerIdentity", "", nil},
		{"s3.amazonaws.com", "ListBuckets", "", func(w *jw) { w.str("Host", "s3.amazonaws.com") }},
		{"iam.amazonaws.com", "ListUsers", "", nil},
		{"secretsmanager.amazonaws.com", "ListSecrets", "", nil},
		{"secretsmanager.amazonaws.com", "GetSecretValue", "", func(w *jw) {
			w.str("secretId", "arn:aws:secretsmanager:"+a.region+":"+a.id+":secret:prod/db/admin-Ab12Cd")
		}},
		{"secretsmanager.amazonaws.com", "GetSecretValue", "", func(w *jw) {
			w.str("secretId", "arn:aws:secretsmanager:"+a.region+":"+a.id+":secret:prod/stripe/api-key-Ef34Gh")
		}},
		{"s3.amazonaws.com", "GetObject", "db/prod-full-backup-1.sql.gz", nil},
		{"s3.amazonaws.com", "GetObject", "db/prod-full-backup-2.sql.gz", nil},
	}
	for i, st := range steps {
		t := mins(base, 18+float64(i)*1.7)
		tr := g.newTrail(r, t, st.src, st.name, ip2.String(), uaBoto3)
		tr.identity, tr.readOnly, tr.req = fed, true, st.req
		if st.key != "" {
			tr.data, tr.req = true, getObject(st.key)
			tr.resources = s3Resources(a.id, "contoso-backups", st.key)
		}
		c.json(t, g.fam.cloudtrail, tr.eventID, tr.write, st.name+" as the federated user from another IP")
	}
}

// storyK8s is S6: a web pod's service account token is used to hunt for
// secrets, hitting 403s across namespaces, while a developer's stolen
// credentials mint a token for the CI deployer service account.
func (g *generator) storyK8s(r rng, v *victims, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyK8s, Title: "Kubernetes: a pod's service account token lists secrets across namespaces; a TokenRequest by a user",
		Summary: "After exploiting the frontend web pod, the attacker uses its service account token (system:serviceaccount:web:frontend) with kubectl: it lists and reads secrets in its own namespace (allowed by an over-broad Role), then is refused (403) listing secrets in kube-system, payments, monitoring and cluster-wide, all within four minutes. Minutes later a developer's stolen credentials create a token for the ci/deployer service account through the TokenRequest API from outside the cluster.",
		Expected: expected{
			Implements: []string{"seed-004"},
			Detections: []string{"service account token used to list or get secrets", "403s for one service account in >= 2 namespaces within 10 minutes", "service account token created through TokenRequest by a non-control-plane user", "secrets enumeration", "unauthorized (403) Kubernetes actions"},
			Catalog:    []string{"§2.5 test method 4", "§4 #55"},
		},
		Attack: []string{"T1528", "T1552.007"},
	}, recs)
	user, groups := saUser("web", "frontend")
	pod := "frontend-7d9c8f6b5-x2x7q"
	ip := podIP(pod)
	extra := [][2]string{{"authentication.kubernetes.io/pod-name", pod}, {"authentication.kubernetes.io/node-name", g.t.k8s.nodes[0]}}
	ua := "kubectl/" + k8sVersion
	c.other(user, pod)
	base := g.at(4.0/6, 10, 0)
	type call struct {
		verb, ns, name string
		code           int
		at             float64
		to             *family
	}
	calls := []call{
		{"list", "web", "", 200, 0, g.fam.k8sNDJSON},
		{"get", "web", "db-credentials", 200, 0.3, g.fam.k8sNDJSON},
		{"list", "kube-system", "", 403, 1, g.fam.k8sNDJSON},
		{"list", "payments", "", 403, 1.5, g.fam.k8sEventList},
		{"list", "monitoring", "", 403, 2, g.fam.k8sNDJSON},
		{"list", "", "", 403, 2.5, g.fam.k8sNDJSON},
		{"get", "payments", "stripe-api-key", 403, 3.2, g.fam.k8sEventList},
	}
	for _, x := range calls {
		t := mins(base, x.at)
		e := &kEvent{t: t, auditID: r.guid(), verb: x.verb, user: user, groups: groups, extra: extra, ip: ip, ua: ua,
			resource: "secrets", namespace: x.ns, name: x.name, apiVersion: "v1", code: x.code}
		e.uri = k8sURI(x.verb, "", "v1", "secrets", x.ns, x.name, "")
		note := x.verb + " secrets in " + x.ns
		if x.ns == "" {
			note = x.verb + " secrets cluster-wide"
		}
		if x.code == 403 {
			scope := `in the namespace "` + x.ns + `"`
			if x.ns == "" {
				scope = "at the cluster scope"
			}
			e.message = `secrets is forbidden: User "` + user + `" cannot ` + x.verb + ` resource "secrets" in API group "" ` + scope
			if x.name != "" {
				e.message = `secrets "` + x.name + `" is forbidden: User "` + user + `" cannot get resource "secrets" in API group "" ` + scope
			}
			note += " (403 forbidden)"
		} else {
			e.reason = `RBAC: allowed by RoleBinding "frontend-config-reader/web" of Role "frontend-config-reader" to ServiceAccount "frontend/web"`
		}
		c.json(t, x.to, e.auditID, e.write, note+" by the web pod's service account token")
	}
	dev := v.take()
	ipDev := attackerIP(siteNL, 23)
	c.users(dev)
	c.ips(ipDev)
	t := mins(base, 6)
	e := &kEvent{t: t, auditID: r.guid(), verb: "create", user: dev.upn, groups: []string{"system:authenticated"}, ip: ipDev.String(), ua: ua,
		resource: "serviceaccounts", subresource: "token", namespace: "ci", name: "deployer", apiVersion: "v1", code: 201,
		reason: `RBAC: allowed by RoleBinding "ci-admins/ci" of ClusterRole "admin" to Group "ci-admins"`}
	e.uri = k8sURI("create", "", "v1", "serviceaccounts", "ci", "deployer", "token")
	c.json(t, g.fam.k8sNDJSON, e.auditID, e.write, "TokenRequest for ci/deployer by a developer account from outside the cluster")
}
