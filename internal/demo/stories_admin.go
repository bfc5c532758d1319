package demo

import (
	"net/netip"
	"time"
)

func (g *generator) storyFederation(r rng, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyFederation, Title: "New domain added, verified and federated to an attacker's identity provider",
		Summary: "Using the IT director's account from the Netherlands near midnight, the attacker adds the domain contoso-sso.example, verifies it, switches its authentication to Federated and points its federation settings at an identity provider they control (a Golden-SAML style backdoor).",
		Expected: expected{
			Detections: []string{"new federated domain / domain authentication changed to Federated", "custom domain added and verified"},
			Catalog:    []string{"§4 #28", "§4 #29"},
		},
		Attack: []string{"T1484.002"},
	}, recs)
	u := g.t.globalAdmin
	ip := attackerIP(siteNL, 17)
	c.users(u)
	c.ips(ip)
	c.other("contoso-sso.example", "http://sso.example.net/adfs/services/trust/")
	base := g.at(4.0/6, 23, 30)
	domainID := r.guid()
	mk := func(at float64, activity string, props ...modProp) *directoryAudit {
		a := g.newAudit(r, mins(base, at), u, ip)
		a.activity, a.category, a.opType = activity, "DirectoryManagement", "Update"
		a.details = [][2]string{{"User-Agent", uaAttackerEdge.ua}}
		a.ualEventClass = "Domain"
		a.targets = []target{{id: domainID, display: "contoso-sso.example", typ: "Other", props: props}}
		return a
	}
	c.audit(mk(0, "Add unverified domain"), toGraph, "Add unverified domain contoso-sso.example")
	c.audit(mk(4, "Verify domain"), toAzure, "Verify domain")
	c.audit(mk(6, "Set domain authentication", modProp{"LiveType", q("Managed"), q("Federated")}), toGraph, "Set domain authentication: Managed to Federated")
	c.audit(mk(7, "Set federation settings on domain",
		modProp{"IssuerUri", "", q("http://sso.example.net/adfs/services/trust/")},
		modProp{"PassiveLogOnUri", "", q("https://sso.example.net/adfs/ls/")}), toLACSV, "Set federation settings on domain")
}

func (g *generator) storyPIM(r rng, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyPIMAfterHours, Title: "PIM activation of Global Administrator at 2 a.m.",
		Summary: "The systems administrator activates an eligible Global Administrator assignment through PIM at 02:10 New York time, far outside working hours.",
		Expected: expected{
			Detections: []string{"PIM role activation outside business hours"},
			Catalog:    []string{"§4 #38"},
		},
		Attack: []string{"T1078.004", "T1098.003"},
	}, recs)
	u := g.t.sysAdmin
	c.users(u)
	t := g.at(5.0/6, 7, 10)
	a := g.newAudit(r, t, u, u.ip)
	a.activity, a.category, a.service, a.opType = "Add member to role completed (PIM activation)", "RoleManagement", "PIM", "Add"
	a.ualEventClass = "Role"
	a.details = [][2]string{
		{"RoleDefinitionOriginId", tmplGlobalAdmin},
		{"RoleDefinitionOriginType", "BuiltInRole"},
		{"StartTime", ts(t, layout7)},
		{"ExpirationTime", ts(t.Add(8*time.Hour), layout7)},
		{"Justification", "urgent maintenance"},
	}
	a.targets = []target{
		{id: r.guid(), display: roleGlobalAdmin.name, typ: "Role"},
		{id: r.guid(), display: "", typ: "Request"},
		{id: u.id, display: u.display, typ: "User", upn: u.upn},
	}
	c.audit(a, toGraph, "PIM activation of Global Administrator at 02:10 local time")
}

func (g *generator) storyBruteForce(r rng, v *victims, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyBruteForce, Title: "Brute force against one user ends in a lockout",
		Summary: "Twenty-four wrong passwords for one user from a Singapore IP in eight minutes, then three smart-lockout refusals (50053).",
		Expected: expected{
			Detections: []string{"many failed logins for one user", "account lockouts"},
			Catalog:    []string{"§4 #10", "§4 #12"},
		},
		Attack: []string{"T1110.001"},
	}, recs)
	u := v.take()
	ip := attackerIP(siteSG, 19)
	c.users(u)
	c.ips(ip)
	base := g.at(1.0/6, 20, 0)
	outs := []sinkSel{toAzure, toEventHub, toGraph, toLACSV}
	for i := range 27 {
		t := base.Add(time.Duration(i) * 20 * time.Second)
		s := g.userSignIn(r, t, catInteractive, u, fpOfficeHome, fpOfficeHome, ip, siteSG, uaAttackerEdge, nil)
		note := "50126 wrong password"
		if i >= 24 {
			s.fail(errLocked, descLocked, "")
			note = "50053 account locked"
		} else {
			s.fail(errBadPassword, descBadPassword, detailBadPassword)
		}
		c.signIn(s, outs[i%len(outs)], note)
	}
}

// trapMSI is T2: managed identities rotating their own certificates, which
// public "credential added to a service principal" rules flag.
func (g *generator) trapMSI(r rng, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: trapMSIRotation, Title: "Managed identities rotate their certificates (benign)", Trap: true,
		Summary: "Azure rotates the certificates of the tenant's two managed identities: \"Add service principal credentials\" and \"Update service principal\" initiated by the app \"Managed Service Identity\", KeyType AsymmetricX509Cert, as in the real elastic-integrations sample. Rules for guide row 1 must not alert on it.",
		Expected: expected{
			MustNotAlert: true, Implements: []string{"guide-row-1"},
			Detections: []string{"credentials added to a service principal - allowlisted managed-identity certificate rotation"},
			Catalog:    []string{"§3 row 1"},
		},
	}, recs)
	for i, m := range g.t.mis {
		c.apps(m.name, m.appID)
		t := g.at(0.25+0.4*float64(i), 3, 12)
		cn := "CN=" + m.appID
		old := []cred{{keyID: r.guid(), kind: "AsymmetricX509Cert", name: cn}, {keyID: r.guid(), kind: "AsymmetricX509Cert", name: cn}}
		next := []cred{old[1], old[0], {keyID: r.guid(), kind: "AsymmetricX509Cert", name: cn}}
		corr := r.guid()
		names := spNames(m.appID, "https://identity.azure.net/"+r.token(32)+"=")
		msi := &appActor{name: msiServicePrincipalApp, spID: g.t.msiSPID}
		for j, act := range []string{"Add service principal credentials", "Update service principal"} {
			a := g.newAudit(r, t, nil, netip.Addr{})
			a.corr, a.id = corr, auditID(r, corr)
			a.app = msi
			a.activity, a.category, a.opType = act, "ApplicationManagement", "Update"
			a.details = [][2]string{{"User-Agent", "Microsoft Azure Graph Client Library 2.1.17-internal"}, {"AppId", m.appID}}
			a.ualEventClass = "ServicePrincipal"
			props := []modProp{{"TargetId.ServicePrincipalNames", "", names}, {"Included Updated Properties", "", q("KeyDescription")}}
			if j == 0 {
				props = append([]modProp{{"KeyDescription", keyList(old), keyList(next)}}, props...)
			}
			a.targets = []target{{id: m.spID, display: m.name, typ: "ServicePrincipal", props: props}}
			c.audit(a, []sinkSel{toAzure, toGraph}[i], act+" by Managed Service Identity (certificate rotation)")
		}
	}
}
