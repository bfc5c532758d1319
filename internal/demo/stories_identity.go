package demo

import (
	"net/netip"
	"time"
)

// The S7 stories: the identity attacks of detections.md §4, one each.

func (g *generator) storySpray(r rng, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storySpray, Title: "Password spray: one IP tries one password against many users in five minutes",
		Summary: "A Vietnamese hosting IP tries one password against most of the tenant in five minutes: 50126 for nearly everyone, one smart-lockout 50053 and one 50076 (the password was right, MFA stopped it). Records are spread over every sign-in export, three of them as UAL UserLoginFailed.",
		Expected: expected{
			Detections: []string{"password spray from one IP (many users, 50126)", "many users failing to authenticate from one IP", "brute-force classifier: password spraying"},
			Catalog:    []string{"§4 #7", "§4 #8", "§4 #9"},
		},
		Attack: []string{"T1110.003"},
	}, recs)
	ip := attackerIP(siteVN, 8)
	c.ips(ip)
	base := g.at(2.0/6, 3, 0)
	var targets []*user
	for _, u := range g.t.users {
		if !u.service {
			targets = append(targets, u)
		}
	}
	n := min(34, len(targets)-2)
	outs := []sinkSel{toAzure, toGraph, toLACSV, toEventHub, toLAJSON, toAzure, toGraph, toLACSV, toEventHub, toUAL}
	for i, k := range r.Perm(len(targets))[:n] {
		u := targets[k]
		c.users(u)
		t := base.Add(time.Duration(i) * 5 * time.Minute / time.Duration(n)).Add(time.Duration(r.IntN(900)) * time.Millisecond).Truncate(100 * time.Nanosecond)
		s := g.userSignIn(r, t, catInteractive, u, fpOfficeHome, fpOfficeHome, ip, siteVN, uaAttackerEdge, nil)
		note := "50126 wrong password"
		switch i {
		case n / 3:
			s.fail(errLocked, descLocked, "")
			note = "50053 smart lockout"
		case 2 * n / 3:
			s.fail(errMFARequired, descMFARequired, "MFA required in Azure AD")
			note = "50076 password correct, MFA required"
		default:
			s.fail(errBadPassword, descBadPassword, detailBadPassword)
		}
		to := outs[i%len(outs)]
		if to == toUAL && s.errCode == errMFARequired {
			to = toAzure
		}
		c.signIn(s, to, note)
	}
}

// storyDeviceCode is S7b; it returns the victim, the attacker's IP and
// when the token was stolen, for S7c.
func (g *generator) storyDeviceCode(r rng, v *victims, recs *[]rec) (*user, netip.Addr, time.Time) {
	c := g.story(r, &storyDef{
		ID: storyDeviceCode, Title: "Device-code phishing: the user enters an attacker's code, the token is redeemed elsewhere",
		Summary: "The victim types a code from a phishing mail into the device login page: an interactive sign-in with authenticationProtocol deviceCode and originalTransferMethod deviceCodeFlow to the Microsoft Authentication Broker. Two minutes later the attacker's polling client redeems the tokens from Brazil in the same session.",
		Expected: expected{
			Detections: []string{"device code authentication (first for the user)", "device code flow with the Microsoft Authentication Broker client", "device code sign-in and token use from different IPs in one flow"},
			Catalog:    []string{"§4 #15", "§4 #16"},
		},
		Attack: []string{"T1528", "T1566.002"},
	}, recs)
	u := v.take()
	ip := attackerIP(siteBR, 12)
	c.users(u)
	c.ips(u.ip, ip)
	base := g.at(0.5, 15, 0)
	session := r.guid()
	s := g.userSignIn(r, base, catInteractive, u, fpBroker, fpGraph, u.ip, u.site, u.desktop.agent, &u.desktop)
	s.mfaFresh()
	s.protocol, s.transfer, s.session = "deviceCode", "deviceCodeFlow", session
	c.signIn(s, toGraph, "device code entered by the user (authenticationProtocol deviceCode)")
	for i, res := range []firstParty{fpGraph, fpGraph, fpExchange} {
		t := mins(base, 2+float64(i)*2.5)
		s := g.userSignIn(r, t, catNonInteractive, u, fpBroker, res, ip, siteBR, uaPythonRequests, nil)
		s.mfaClaim()
		s.protocol, s.transfer, s.session, s.incoming = "deviceCode", "deviceCodeFlow", session, "refreshToken"
		c.signIn(s, []sinkSel{toAzure, toLACSV, toEventHub}[i], "tokens redeemed by the attacker's polling client from Brazil")
	}
	return u, ip, base
}

func (g *generator) storyAttackTools(r rng, u *user, ip netip.Addr, after time.Time, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyAttackTools, Title: "Attack tools: AzureHound and ROADtools enumerate the tenant with the stolen token",
		Summary: "With the tokens phished in S7b, the attacker runs AzureHound (user agent azurehound/…) against Microsoft Graph and roadrecon (Python aiohttp) against the Azure AD Graph API.",
		Expected: expected{
			Detections: []string{"sign-in with an offensive tool user agent (AzureHound, ROADtools aiohttp)"},
			Catalog:    []string{"§4 #46"},
		},
		Attack: []string{"T1087.004", "T1526"},
	}, recs)
	c.users(u)
	c.ips(ip)
	base := mins(after, 40)
	for i, x := range []struct {
		ag  agent
		res firstParty
		to  sinkSel
	}{{uaAzureHound, fpGraph, toAzure}, {uaAiohttp, fpAADGraph, toGraph}, {uaAzureHound, fpGraph, toLAJSON}} {
		s := g.userSignIn(r, mins(base, float64(i)*3), catNonInteractive, u, fpBroker, x.res, ip, siteBR, x.ag, nil)
		s.mfaClaim()
		s.incoming = "refreshToken"
		c.signIn(s, x.to, "sign-in by "+x.ag.ua+" to "+x.res.name)
	}
}

func (g *generator) storyInboxRule(r rng, u *user, ip netip.Addr, after time.Time, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyInboxRule, Title: "Inbox rule forwards the MFA-fatigue victim's mail to an outside address",
		Summary: "Twenty-five minutes after the MFA-fatigue victim approved the push (S2), the attacker creates an inbox rule named \".\" that forwards every message to an external address, marks it read and stops processing (UAL New-InboxRule with ForwardTo).",
		Expected: expected{
			Detections: []string{"new inbox rule forwarding to an external domain"},
			Catalog:    []string{"§4 #31"},
		},
		Attack: []string{"T1114.003"},
	}, recs)
	c.users(u)
	c.ips(ip)
	c.other("collect@exfil.example.org")
	rec := g.exchangeCmdlet(r, mins(after, 25), u, ip, "New-InboxRule", u.upn+"\\.", [][2]string{
		{"Name", "."},
		{"ForwardTo", "collect@exfil.example.org"},
		{"MarkAsRead", "True"},
		{"StopProcessingRules", "True"},
	})
	c.ual(rec, toPurview, "New-InboxRule forwarding to collect@exfil.example.org")
}

func (g *generator) storyCADeleted(r rng, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyCADeleted, Title: "Conditional Access policy \"Require MFA for all users\" deleted at night",
		Summary: "The security engineer's account signs in from Nigeria at night and deletes the tenant's MFA Conditional Access policy.",
		Expected: expected{
			Detections: []string{"conditional access policy deleted"},
			Catalog:    []string{"§4 #44"},
		},
		Attack: []string{"T1556.009"},
	}, recs)
	u := g.t.secAdmin
	ip := attackerIP(siteNG, 5)
	c.users(u)
	c.ips(ip)
	base := g.at(4.0/6, 22, 0)
	s := g.userSignIn(r, base, catInteractive, u, fpAzurePortal, fpServiceMgmt, ip, siteNG, uaAttackerEdge, nil)
	s.mfaClaim()
	c.signIn(s, toLACSV, "security engineer's account signs in from Nigeria")
	a := g.newAudit(r, mins(base, 4), u, ip)
	a.activity, a.category, a.service, a.opType = "Delete conditional access policy", "Policy", "Conditional Access", "Delete"
	a.details = [][2]string{{"User-Agent", uaAttackerEdge.ua}}
	a.ualEventClass = "Policy"
	var pol jw
	pol.obj("")
	pol.str("id", g.caPolicy)
	pol.str("displayName", "Require MFA for all users")
	pol.str("state", "enabled")
	pol.obj("conditions")
	pol.obj("users")
	pol.strs("includeUsers", []string{"All"})
	pol.end()
	pol.obj("applications")
	pol.strs("includeApplications", []string{"All"})
	pol.end()
	pol.end()
	pol.obj("grantControls")
	pol.str("operator", "OR")
	pol.strs("builtInControls", []string{"mfa"})
	pol.end()
	pol.end()
	a.targets = []target{{id: g.caPolicy, display: "Require MFA for all users", typ: "Policy", props: []modProp{
		{"ConditionalAccessPolicy", pol.String(), ""},
	}}}
	c.audit(a, toAzure, "Delete conditional access policy")
	c.other("Require MFA for all users")
}

func (g *generator) storyUALDisabled(r rng, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyUALDisabled, Title: "Unified audit logging switched off",
		Summary: "Late on the last day the Exchange administrator's account, from Nigeria, runs Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $false. No Exchange or SharePoint audit record follows it.",
		Expected: expected{
			Detections: []string{"unified audit logging disabled"},
			Catalog:    []string{"§4 #56"},
		},
		Attack: []string{"T1562.008"},
	}, recs)
	u := g.t.exchangeAdmin
	ip := attackerIP(siteNG, 6)
	c.users(u)
	c.ips(ip)
	t := g.at(1, 21, 0)
	rec := g.exchangeCmdlet(r, t, u, ip, "Set-AdminAuditLogConfig", "Admin Audit Log Settings", [][2]string{
		{"UnifiedAuditLogIngestionEnabled", "False"},
	})
	c.ual(rec, toUAL, "Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled False")
	g.ualOffAt = t.Add(time.Second)
}

func (g *generator) storyRoleToUser(r rng, v *victims, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyRoleToUser, Title: "Global Administrator granted to an ordinary user, outside PIM, at night",
		Summary: "The IT director's account, used from the Netherlands near midnight, makes an ordinary user a Global Administrator directly (Add member to role, not through PIM). Exported as a UAL record in the Purview CSV (\"Add member to role.\").",
		Expected: expected{
			Detections: []string{"privileged role (Global Administrator) assigned to a user", "role assigned outside PIM"},
			Catalog:    []string{"§4 #39", "§4 #40"},
		},
		Attack: []string{"T1098.003"},
	}, recs)
	admin := g.t.globalAdmin
	u := v.take()
	ip := attackerIP(siteNL, 16)
	c.users(admin, u)
	c.ips(ip)
	a := g.roleMemberAudit(r, g.at(0.5, 23, 10), admin, ip, uaAttackerEdge.ua, roleGlobalAdmin, g.t.roleID(roleGlobalAdmin), wellKnownCompanyAdmin,
		target{id: u.id, display: u.display, typ: "User", upn: u.upn})
	c.audit(a, toPurview, "Add member to role: Global Administrator to "+u.upn)
}

func (g *generator) storyLegacyAuth(r rng, v *victims, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyLegacyAuth, Title: "Legacy authentication succeeds: IMAP4 and ROPC from abroad",
		Summary: "A user's password is used with legacy protocols from Nigeria: a successful single-factor IMAP4 sign-in to Exchange Online and a successful ROPC sign-in (user agent BAV2ROPC, clientAppUsed \"Other clients\").",
		Expected: expected{
			Detections: []string{"legacy authentication success (IMAP4, Other clients)", "ROPC sign-in without MFA", "successful single-factor authentication", "first-time-seen country for user"},
			Catalog:    []string{"§4 #45"},
		},
		Attack: []string{"T1078.004"},
	}, recs)
	u := v.take()
	ip := attackerIP(siteNG, 9)
	c.users(u)
	c.ips(ip)
	base := g.at(2.0/6, 12, 0)
	imap := g.userSignIn(r, base, catInteractive, u, fpExchange, fpExchange, ip, siteNG, agent{client: "IMAP4"}, nil)
	imap.singlePassword()
	c.signIn(imap, toAzure, "IMAP4 sign-in succeeded with a password only")
	ropc := g.userSignIn(r, mins(base, 6), catInteractive, u, fpExchange, fpExchange, ip, siteNG, uaROPC, nil)
	ropc.singlePassword()
	ropc.protocol = "ropc"
	c.signIn(ropc, toLACSV, "ROPC (BAV2ROPC, Other clients) sign-in succeeded with a password only")
}

func (g *generator) storyRiskyConsent(r rng, v *victims, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyRiskyConsent, Title: "Risk-based consent blocks two users from consenting to a risky app",
		Summary: "Two users try to consent to \"PDF Converter Online\", which Microsoft flags as risky: the sign-in asks for admin consent (90095) and \"Consent to application\" fails with Microsoft.online.Security.userConsentBlockedForRiskyAppsExceptions, ConsentAction.Reason \"Risky application detected\" (one in a Graph page, one as a UAL record).",
		Expected: expected{
			Implements: []string{"guide-row-11"},
			Detections: []string{"end-user consent stopped due to risk-based consent"},
			Catalog:    []string{"§3 row 11"},
		},
		Attack: []string{"T1528"},
	}, recs)
	risky := &app{appID: r.guid(), spID: r.guid(), name: "PDF Converter Online", kind: "malicious", ownerTenant: r.guid(), publisher: "pdf-convert.example.org"}
	c.apps(risky.name, risky.appID)
	base := g.at(0.5, 10, 0)
	scope := "Mail.ReadWrite Files.ReadWrite.All offline_access User.Read"
	for i := range 2 {
		u := v.take()
		c.users(u)
		t := mins(base, float64(i)*20)
		s := g.userSignIn(r, t, catInteractive, u, firstParty{risky.appID, risky.name}, fpGraph, u.ip, u.site, u.desktop.agent, &u.desktop)
		s.mfaClaim()
		s.errCode, s.failure, s.caStatus = errAdminConsentReq, descAdminConsentReq, "notApplied"
		c.signIn(s, toEventHub, "90095 admin consent required for a risky app")
		a := g.consentAudit(r, mins(t, 0.5), u, u.ip, u.desktop.agent.ua, risky, false, scope, "", true)
		c.audit(a, []sinkSel{toGraph, toUAL}[i], "Consent to application blocked: risky application")
	}
}

func (g *generator) storyNewCountry(r rng, v *victims, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyNewCountry, Title: "First sign-in from a new country",
		Summary: "A user who has only ever signed in from home signs in successfully from Brazil, and her Office client refreshes from there.",
		Expected: expected{
			Detections: []string{"first-time-seen country (and ASN) for a user"},
			Catalog:    []string{"§4 #13", "§4 first-time country/ASN"},
		},
		Attack: []string{"T1078.004"},
	}, recs)
	u := v.takeAt("DE")
	ip := attackerIP(siteBR, 25)
	c.users(u)
	c.ips(ip)
	base := g.at(5.0/6, 8, 20)
	s := g.userSignIn(r, base, catInteractive, u, fpOfficeHome, fpOfficeHome, ip, siteBR, uaAttackerEdge, nil)
	s.mfaFresh()
	c.signIn(s, toAzure, "interactive sign-in from Brazil")
	n := g.userSignIn(r, mins(base, 7), catNonInteractive, u, fpOffice, fpExchange, ip, siteBR, uaOutlook, nil)
	n.mfaClaim()
	c.signIn(n, toGraph, "non-interactive refresh from Brazil")
}

func (g *generator) storyAppChain(r rng, v *victims, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyAppChain, Title: "App registration, first credential and consent within an hour",
		Summary: "A compromised ordinary user registers a multi-tenant app \"Outlook Sync Helper\", adds its first client secret (KeyDescription [] to one key) and consents to it for Mail.Read offline_access, all within 25 minutes from the Netherlands.",
		Expected: expected{
			Implements: []string{"guide-row-1", "guide-row-2", "guide-row-10"},
			Detections: []string{"app registration -> credential -> consent within an hour (ordered)", "first credential added to an application (high)", "end-user consent", "application made available to other tenants", "credential lifetime beyond policy"},
			Catalog:    []string{"§4 app registration chain", "§3 row 1", "§3 row 10", "§4 #51"},
		},
		Attack: []string{"T1098.001", "T1528"},
	}, recs)
	u := v.take()
	ip := attackerIP(siteNL, 27)
	c.users(u)
	c.ips(ip)
	base := g.at(5.0/6, 13, 0)
	x := &app{appID: r.guid(), objectID: r.guid(), spID: r.guid(), name: "Outlook Sync Helper", kind: "registered", ownerTenant: g.t.id,
		publisher: g.t.domain, redirects: []string{"https://outlook-sync.example.net/auth"}, created: mins(base, 3).Truncate(time.Second)}
	g.t.apps = append(g.t.apps, x)
	c.apps(x.name, x.appID)
	s := g.userSignIn(r, base, catInteractive, u, fpAzurePortal, fpServiceMgmt, ip, siteNL, uaAttackerEdge, nil)
	s.mfaClaim()
	c.signIn(s, toLAJSON, "user signs in to the Azure portal from the Netherlands")
	corr := r.guid()
	c.audit(g.addAppAudit(r, mins(base, 3), u, ip, uaAttackerEdge.ua, x, corr), toGraph, "Add application (multi-tenant)")
	c.audit(g.addSPAudit(r, mins(base, 3), u, ip, uaAttackerEdge.ua, x, corr), toAzure, "Add service principal")
	secret := cred{keyID: r.guid(), name: "sync", hint: "k9P", kind: "Password", start: mins(base, 9).Truncate(time.Second)}
	secret.end = secret.start.AddDate(2, 0, 0)
	x.creds = []cred{secret}
	c.audit(g.credentialAudit(r, mins(base, 9), u, ip, uaAttackerEdge.ua, x, nil, x.creds), toPurview, "first client secret added (KeyDescription [] to one key; UAL form, Operation keeps the en dash and trailing space)")
	corr = r.guid()
	scope := "Mail.Read offline_access"
	c.audit(g.consentAudit(r, mins(base, 25), u, ip, uaAttackerEdge.ua, x, false, scope, corr, false), toGraph, "Consent to application by the same user")
	c.audit(g.grantAudit(r, mins(base, 25), u, ip, uaAttackerEdge.ua, x, "Principal", scope, corr), toLACSV, "delegated grant Mail.Read offline_access")
}
