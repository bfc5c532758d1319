package demo

import (
	"fmt"
	"strings"
	"time"
)

func (t *tenant) buildApps(r rng, start time.Time) {
	newApp := func(name, kind, owner string) *app {
		a := &app{appID: r.guid(), objectID: r.guid(), spID: r.guid(), name: name, kind: kind, ownerTenant: owner, created: start.AddDate(0, -8-r.IntN(24), 0)}
		t.apps = append(t.apps, a)
		return a
	}
	pw := func(name string, lifetimeDays int) cred {
		s := start.AddDate(0, 0, -20-r.IntN(60)).Truncate(time.Second)
		k := r.guid()
		return cred{keyID: k, name: name, hint: r.token(3)[:3], kind: "Password", start: s, end: s.AddDate(0, 0, lifetimeDays)}
	}

	t.hr = newApp("Contoso HR Connector", "tenant", t.id)
	t.hr.redirects = []string{"https://hr.contoso.example/signin-oidc"}
	t.hr.logoutURL = "https://hr.contoso.example/signout-oidc"
	t.hr.identifierURIs = []string{"api://hr.contoso.example"}
	t.hr.creds = []cred{pw("hr-sync", 180)}
	t.hr.ip = hostIn(siteAzure.v4, 21)
	t.hr.publisher = t.domain
	t.hr.notes = "line-of-business HR sync; its service principal reads users from Microsoft Graph on weekdays"

	t.payroll = newApp("Contoso Payroll API", "tenant", t.id)
	t.payroll.redirects = []string{"https://payroll.contoso.example/auth"}
	t.payroll.identifierURIs = []string{"api://payroll.contoso.example"}
	t.payroll.roles = []appRole{{id: r.guid(), value: "Payroll.Read", display: "Read payroll data"}}
	c := pw("payroll-kv-reader", 180)
	c.kind, c.name = "AsymmetricX509Cert", "CN=payroll-api"
	t.payroll.creds = []cred{c}
	t.payroll.ip = hostIn(siteAzure.v4, 22)
	t.payroll.publisher = t.domain
	t.payroll.notes = "reads its database secret from Key Vault during business hours"

	t.veeamApp = newApp("Veeam Backup for Microsoft 365", "tenant", t.id)
	t.veeamApp.creds = []cred{pw("veeam", 180)}
	t.veeamApp.allowlisted = true
	t.veeamApp.publisher = t.domain
	t.veeamApp.notes = "backup vendor: nightly non-interactive single-factor sign-ins of svc-veeam to Exchange, SharePoint and Graph from two backup servers; looks like token abuse (seed 004) and must be allowlisted"

	t.servicenow = newApp("ServiceNow Connector", "third-party", r.guid())
	t.servicenow.ip = hostIn(siteSaaS.v4, 10)
	t.servicenow.publisher = "servicenow.example"
	t.servicenow.notes = "multi-tenant SaaS integration; app-only sign-ins to Microsoft Graph every two hours"
}

func (t *tenant) buildInfra(r rng) {
	sub := "/subscriptions/" + t.subscription + "/resourceGroups/" + t.resourceGroup + "/providers/"
	t.mis = []*managedIdentity{
		{name: "func-contoso-reports", appID: r.guid(), spID: r.guid(), resourceID: sub + "Microsoft.Web/sites/func-contoso-reports", resource: "storage", ip: hostIn(siteAzure.v4, 31)},
		{name: "vm-contoso-automation", appID: r.guid(), spID: r.guid(), resourceID: sub + "Microsoft.Compute/virtualMachines/vm-contoso-automation", resource: "arm", ip: hostIn(siteAzure.v4, 32)},
	}
	t.vault = vault{
		name:       "kv-contoso-prod",
		resourceID: strings.ToUpper("/subscriptions/" + t.subscription + "/resourceGroups/" + t.resourceGroup + "/providers/Microsoft.KeyVault/vaults/kv-contoso-prod"),
		secrets:    []string{"payroll-db-connection", "payroll-sftp-password", "hr-api-key", "storage-account-key", "sap-service-password", "smtp-relay-password", "pagerduty-token", "tls-wildcard-pfx-password"},
	}
	var eng *user
	for _, u := range t.users[len(admins):] {
		if u.department == "Engineering" && !u.service {
			eng = u
			break
		}
	}
	if eng == nil {
		eng = t.users[len(admins)]
	}
	t.aws = awsAccount{
		id: "111122223333", region: "us-east-1",
		ciUser: "ci-deployer", engineer: strings.ToLower(eng.given + "." + eng.surname), engineerUser: eng,
		buckets:     []string{"contoso-app-artifacts", "contoso-data-lake", "contoso-backups"},
		roles:       []string{"ci-deploy", "ec2-app-role", "monitoring-readonly"},
		ciIP:        hostIn(siteCI.v4, 10),
		ciPrincipal: "AIDA" + r.hexID(9)[:17], ciKey: "AKIA" + r.hexID(8),
		engPrincipal: "AIDA" + r.hexID(9)[:17], engKey: "AKIA" + r.hexID(8),
		rolePrincipal: map[string]string{},
	}
	for _, role := range t.aws.roles {
		t.aws.rolePrincipal[role] = "AROA" + r.hexID(9)[:17]
	}
	t.k8s = cluster{name: "contoso-prod"}
	for i := range 3 {
		t.k8s.nodes = append(t.k8s.nodes, fmt.Sprintf("aks-nodepool1-38157283-vmss%06d", i))
		t.k8s.nodeIPs = append(t.k8s.nodeIPs, hostIn(siteK8s.v4, 1+i))
	}
}
