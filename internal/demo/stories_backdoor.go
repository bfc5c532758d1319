package demo

import (
	"strconv"
	"strings"
)

// storyBackdoor is S4: an attacker controlling the cloud engineer's
// session (Application Administrator and subscription Owner) backdoors the
// HR connector app at night and uses it to read the key vault.
func (g *generator) storyBackdoor(r rng, v *victims, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyBackdoor, Title: "App credential backdoor: secret, owner, redirect, permissions, admin consent, roles, then the app reads Key Vault",
		Summary: "At 02:30 Berlin time the cloud engineer's stolen session signs in from the Netherlands and backdoors the existing \"Contoso HR Connector\": a new client secret (KeyDescription diff, 5-year lifetime in the app inventory), a new owner, a non-HTTPS foreign redirect URI, a changed logout URL and App ID URI, Graph app roles Application.ReadWrite.All and Mail.Read plus an app role on the internal Payroll API, tenant-wide admin consent with a high-privilege AllPrincipals delegated grant, Global Administrator for the service principal, Contributor on the subscription and a Key Vault access policy. The service principal then signs in with the new secret from Singapore and reads 30 secrets in four minutes.",
		Expected: expected{
			Implements: []string{"guide-row-1", "guide-row-2", "guide-row-3", "guide-row-4", "guide-row-5", "guide-row-6", "guide-row-7", "guide-row-8", "guide-row-9", "guide-row-12", "guide-row-13", "guide-row-14", "guide-row-15", "guide-row-16"},
			Detections: []string{"credentials added to an existing application", "credential lifetime beyond policy", "service principal assigned a privileged Entra role (Global Administrator)", "service principal assigned an Azure RBAC role (Contributor)", "highly privileged app roles granted (Application.ReadWrite.All, Mail.Read)", "admin consent / high-privilege delegated grant", "permissions on Microsoft Graph", "app role on another API", "delegated grant for all principals", "Key Vault access by a new identity outside business hours, mass secret reads, access policy change", "dangling redirect URI (domain not verified)", "redirect URI change (non-HTTPS, foreign domain)", "App ID URI change", "new application owner", "logout URL change", "service principal sign-in from a new IP/country/ASN after a credential was added", "first-time-seen country for user"},
			Catalog:    []string{"§3 rows 1-9, 12-16", "§4 #25", "§4 #26"},
		},
		Attack: []string{"T1098.001", "T1098.003", "T1528", "T1078.004", "T1555.006"},
	}, recs)
	admin, hr := g.t.appAdmin, g.t.hr
	ip, ipSP := attackerIP(siteNL, 9), attackerIP(siteSG, 14)
	ua := uaAttackerEdge.ua
	c.users(admin)
	c.ips(ip, ipSP)
	c.apps(hr.name, hr.appID, hr.spID)
	base := g.at(0.5, 1, 30)

	s := g.userSignIn(r, base, catInteractive, admin, fpAzurePortal, fpServiceMgmt, ip, siteNL, uaAttackerEdge, nil)
	s.mfaClaim()
	c.signIn(s, toGraph, "the admin's stolen session signs in from the Netherlands")

	backdoor := cred{keyID: r.guid(), name: "backup", hint: "Qx7", kind: "Password", start: mins(base, 6).Truncate(1e9)}
	backdoor.end = backdoor.start.AddDate(5, 0, 0)
	before := append([]cred(nil), hr.creds...)
	hr.creds = append(hr.creds, backdoor)
	c.audit(g.credentialAudit(r, mins(base, 6), admin, ip, ua, hr, before, hr.creds), toGraph, "new client secret (KeyDescription old vs new)")

	owner := v.take()
	c.users(owner)
	c.audit(g.ownerAudit(r, mins(base, 9), admin, ip, ua, hr, owner), toAzure, "new owner added to the application")

	oldRedirects := append([]string(nil), hr.redirects...)
	hr.redirects = append(hr.redirects, "http://hr-sync.example.net/callback")
	c.audit(g.updateAppAudit(r, mins(base, 12), admin, ip, ua, hr, "AppAddress",
		modProp{"AppAddress", appAddress(oldRedirects), appAddress(hr.redirects)}), toLACSV, "redirect URI added: non-HTTPS, foreign domain")

	oldURIs, oldLogout := append([]string(nil), hr.identifierURIs...), hr.logoutURL
	hr.identifierURIs = append(hr.identifierURIs, "api://hr-sync.example.net")
	hr.logoutURL = "http://hr-sync.example.net/logout"
	// "LogoutUrl" is the audit name of the application's logout URL
	// property; Sentinel's ChangestoApplicationLogoutURL rule selects it
	// with `displayName contains "Url"` (detections.md §3 row 16).
	c.audit(g.updateAppAudit(r, mins(base, 13), admin, ip, ua, hr, "LogoutUrl, AppIdentifierUri",
		modProp{"LogoutUrl", q(oldLogout), q(hr.logoutURL)},
		modProp{"AppIdentifierUri", jsonStrings(oldURIs), jsonStrings(hr.identifierURIs)}), toUAL, "logout URL and App ID URI changed (UAL form)")

	graphRoles := []appRole{
		{id: roleApplicationReadWriteAll, value: "Application.ReadWrite.All", display: "Read and write all applications"},
		{id: roleMailRead, value: "Mail.Read", display: "Read mail in all mailboxes"},
	}
	c.audit(g.appRoleAudit(r, mins(base, 16), admin, ip, ua, hr, g.t.spOf(fpGraph), fpGraph.name, appGraph, graphRoles[0]), toGraph, "Graph app role Application.ReadWrite.All granted")
	c.audit(g.appRoleAudit(r, mins(base, 16.5), admin, ip, ua, hr, g.t.spOf(fpGraph), fpGraph.name, appGraph, graphRoles[1]), toAzure, "Graph app role Mail.Read granted")
	p := g.t.payroll
	c.audit(g.appRoleAudit(r, mins(base, 17), admin, ip, ua, hr, p.spID, p.name, p.appID, p.roles[0]), toLACSV, "app role on another API (Payroll.Read)")

	corr := r.guid()
	scope := "Mail.ReadWrite Files.ReadWrite.All Directory.ReadWrite.All offline_access"
	c.audit(g.consentAudit(r, mins(base, 20), admin, ip, ua, hr, true, scope, corr, false), toGraph, "admin consent (IsAdminConsent True, OnBehalfOfAll True)")
	c.audit(g.grantAudit(r, mins(base, 20), admin, ip, ua, hr, "AllPrincipals", scope, corr), toAzure, "delegated grant for all principals with high-privilege scopes")

	c.audit(g.roleMemberAudit(r, mins(base, 24), admin, ip, ua, roleGlobalAdmin, g.t.roleID(roleGlobalAdmin), wellKnownCompanyAdmin,
		target{id: hr.spID, display: hr.name, typ: "ServicePrincipal", props: []modProp{{"TargetId.ServicePrincipalNames", "", spNames(hr.appID)}}}),
		toAzure, "service principal added to Global Administrator")

	caller := activityCaller{upn: admin.upn, name: admin.display, oid: admin.id, appID: appAzurePortal, principalType: "User", role: "Owner", ip: ip}
	assignment := r.guid()
	sub := "/subscriptions/" + g.t.subscription
	id, fn := g.activityEvent(r, mins(base, 27), caller, "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", "Microsoft.Authorization/roleAssignments/write",
		sub+"/providers/Microsoft.Authorization/roleAssignments/"+assignment, "Created", func(w *jw) {
			var b jw
			b.obj("")
			b.str("Id", assignment)
			b.obj("Properties")
			b.str("PrincipalId", hr.spID)
			b.str("PrincipalType", "ServicePrincipal")
			b.str("RoleDefinitionId", sub+"/providers/Microsoft.Authorization/roleDefinitions/"+rbacContributor)
			b.str("Scope", sub)
			b.end()
			b.end()
			w.str("requestbody", b.String())
		})
	c.json(mins(base, 27), g.fam.activityJSON, id, fn, "Contributor on the subscription assigned to the service principal")
	vaultID := g.resource("Microsoft.KeyVault/vaults/" + g.t.vault.name)
	id, fn = g.activityEvent(r, mins(base, 29), caller, "MICROSOFT.KEYVAULT/VAULTS/ACCESSPOLICIES/WRITE", "Microsoft.KeyVault/vaults/accessPolicies/write",
		vaultID+"/accessPolicies/add", "OK", func(w *jw) {
			var b jw
			b.obj("")
			b.obj("properties")
			b.arr("accessPolicies")
			b.obj("")
			b.str("tenantId", g.t.id)
			b.str("objectId", hr.spID)
			b.obj("permissions")
			b.strs("secrets", []string{"get", "list"})
			b.end()
			b.end()
			b.end()
			b.end()
			b.end()
			w.str("requestbody", b.String())
		})
	c.json(mins(base, 29), g.fam.activityEH, id, fn, "Key Vault access policy grants the service principal get/list on secrets")

	for i, res := range []firstParty{fpGraph, fpKeyVault, fpGraph} {
		s := g.appSignIn(r, mins(base, 33+float64(i)), hr, res, "clientSecret", backdoor.keyID, ipSP, siteSG)
		c.signIn(s, []sinkSel{toAzure, toGraph, toLACSV}[i], "service principal signs in with the new secret from a new IP ("+res.name+")")
	}
	kc := kvCaller{oid: hr.spID, appID: hr.appID, ip: ipSP, client: "azsdk-python-keyvault-secrets/4.8.0 Python/3.11.6 (Linux-6.5.0-1025-azure-x86_64-with-glibc2.35)"}
	t := mins(base, 36)
	id, fn = g.kvEvent(r, t, kc, "SecretList", "")
	c.json(t, g.fam.kvNDJSON, id, fn, "SecretList by the backdoored service principal at night")
	for i := range 30 {
		t = mins(base, 36.2+float64(i)*0.13)
		secret := g.t.vault.secrets[i%len(g.t.vault.secrets)]
		id, fn = g.kvEvent(r, t, kc, "SecretGet", secret)
		f := g.fam.kvNDJSON
		if i%2 == 1 {
			f = g.fam.kvRecords
		}
		c.json(t, f, id, fn, "SecretGet burst by the backdoored service principal ("+secret+", "+strconv.Itoa(i+1)+"/30)")
	}
	c.other(g.t.vault.name, "Global Administrator", "Contributor", strings.TrimPrefix(hr.redirects[len(hr.redirects)-1], "http://"))
}
