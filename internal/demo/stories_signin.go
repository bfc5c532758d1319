package demo

import (
	"net/netip"
	"time"
)

// storyConsent is S1: a consent-phishing campaign for a malicious
// multi-tenant app. Four users decline (65004, spread over every sign-in
// export, one of them exported twice), one consents to Mail.Read and
// offline_access, and the app then reads her mail through Graph from the
// attacker's server.
func (g *generator) storyConsent(r rng, v *victims, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyConsent, Title: "Consent phishing: users decline a malicious app, one consents and her mail is read",
		Summary: "A multi-tenant app impersonating Microsoft (\"Microsoft 365 Mail Sync\") is sent to five users. Four decline the consent prompt (sign-in error 65004 \"User declined to consent to access the app\"), in Azure Monitor, Event Hub, Graph and Log Analytics exports; one decline is exported twice (same sign-in ID in two files). The fifth consents to Mail.Read offline_access User.Read (\"Consent to application\", IsAdminConsent False), which creates the service principal and a delegated grant on Microsoft Graph; the app then refreshes its token with python-requests from a VPS and reads her mailbox (MailItemsAccessed with AppId Microsoft Graph and ClientAppId the app).",
		Expected: expected{
			Implements: []string{"seed-000", "seed-001", "guide-row-10", "guide-row-6"},
			Detections: []string{"user consent denied for OAuth application (65004)", "end-user consent to application with Mail.Read and offline_access", "application granted delegated permissions on Microsoft Graph", "illicit consent followed by mail access", "MailItemsAccessed by an application through Graph"},
			Catalog:    []string{"§2.1", "§2.2", "§3 row 10", "§3 row 6", "§4 #18", "§4 #19", "§4 #34"},
		},
		Attack: []string{"T1528", "T1566.002", "T1114.002"},
	}, recs)
	evil := &app{appID: r.guid(), spID: r.guid(), name: "Microsoft 365 Mail Sync", kind: "malicious", ownerTenant: r.guid(),
		publisher: "mail-sync.example.net", redirects: []string{"https://mail-sync.example.net/oauth/callback"}, created: g.start}
	g.t.apps = append(g.t.apps, evil)
	c.apps(evil.name, evil.appID)
	base := g.at(1.0/6, 14, 5)
	evilFP := firstParty{evil.appID, evil.name}
	decline := func(u *user, t time.Time) *signIn {
		s := g.userSignIn(r, t, catInteractive, u, evilFP, fpGraph, u.ip, u.site, u.desktop.agent, &u.desktop)
		s.mfaClaim()
		s.errCode, s.failure, s.caStatus = errConsentDeclined, descConsentDeclined, "notApplied"
		s.scopes = `["Mail.Read","offline_access","User.Read"]`
		return s
	}
	var users []*user
	for range 5 {
		users = append(users, v.take())
	}
	c.users(users...)
	// Victim 0 declines twice; the first decline is exported twice.
	s := decline(users[0], mins(base, 0))
	c.signIn(s, toAzure, "65004 consent declined")
	dup := g.signInRec(r, s, toGraph)
	dup.dup = true
	c.add(dup, "65004 consent declined (same sign-in exported again in a Graph page)")
	c.signIn(decline(users[0], mins(base, 3.2)), toEventHub, "65004 consent declined, second prompt")
	c.signIn(decline(users[1], mins(base, 11)), toGraph, "65004 consent declined")
	c.signIn(decline(users[2], mins(base, 17.5)), toLACSV, "65004 consent declined")
	c.signIn(decline(users[3], mins(base, 24)), toLAJSON, "65004 consent declined")
	c.signIn(decline(users[3], mins(base, 34)), toAzure, "65004 consent declined, second prompt")

	// Victim 4 consents.
	u := users[4]
	ct := mins(base, 41)
	ok := g.userSignIn(r, ct, catInteractive, u, evilFP, fpGraph, u.ip, u.site, u.desktop.agent, &u.desktop)
	ok.mfaFresh()
	ok.scopes = `["Mail.Read","offline_access","User.Read"]`
	c.signIn(ok, toEventHub, "sign-in to the malicious app before consenting")
	corr := r.guid()
	scope := "Mail.Read offline_access User.Read"
	c.audit(g.addSPAudit(r, mins(ct, 0.3), u, u.ip, u.desktop.agent.ua, evil, corr), toLACSV, "service principal of the malicious app created by the consent")
	c.audit(g.grantAudit(r, mins(ct, 0.3), u, u.ip, u.desktop.agent.ua, evil, "Principal", scope, corr), toAzure, "delegated grant Mail.Read offline_access on Microsoft Graph")
	c.audit(g.consentAudit(r, mins(ct, 0.3), u, u.ip, u.desktop.agent.ua, evil, false, scope, corr, false), toGraph, "Consent to application, IsAdminConsent False")

	vps := attackerIP(siteVPS, 7)
	c.ips(vps)
	session := r.guid()
	for i, at := range []float64{118, 128, 300, 541} {
		t := mins(ct, at)
		s := g.userSignIn(r, t, catNonInteractive, u, evilFP, fpGraph, vps, siteVPS, uaPythonRequests, nil)
		s.singleClaim()
		s.session, s.incoming = session, "refreshToken"
		c.signIn(s, []sinkSel{toAzure, toGraph, toAzure, toLACSV}[i], "the malicious app refreshes its token from a VPS")
		m := g.mailItemsAccessed(r, mins(t, 0.8), mailAccess{
			owner: u, ip: vps, appID: appGraph, clientAppID: evil.appID, clientInfo: "Client=REST;Client=RESTSystem;;",
			accessType: "Bind", folders: []string{"\\Inbox"}, messages: 5 + r.IntN(15), mailboxGUID: mailboxGUID(u),
			server: g.exchangeServer(r), session: session,
		}, g.t.initialDomain)
		to := toUAL
		if i == 2 {
			to = toPurview
		}
		c.ual(m, to, "MailItemsAccessed by the malicious app through Microsoft Graph")
	}
}

// storyMFAFatigue is S2: MFA push bombing from a foreign IP ending in an
// approval, and a second target who reports the push as fraud.
func (g *generator) storyMFAFatigue(r rng, v *victims, recs *[]rec) (*user, netip.Addr, time.Time) {
	c := g.story(r, &storyDef{
		ID: storyMFAFatigue, Title: "MFA fatigue: 16 denied pushes in 8 minutes, then an approval; another user reports fraud",
		Summary: "With a stolen password, an attacker in Russia signs in as the victim again and again: twelve pushes are declined (500121 \"MFA denied; user declined the authentication\") and four go unanswered (\"MFA denied; user did not respond to mobile app notification\") within eight minutes, then the tired victim approves. Forty minutes later the same IP targets a second user, who answers with \"MFA denied; Phone App Reported Fraud\".",
		Expected: expected{
			Implements: []string{"seed-002"},
			Detections: []string{"MFA rejected by user (500121 declined)", "MFA spamming followed by successful login", "multiple denied MFA requests for a user", "MFA fraud reported by user (high)", "first-time-seen country for user"},
			Catalog:    []string{"§2.3", "§4 #1", "§4 #2", "§4 #4", "§4 first-time country"},
		},
		Attack: []string{"T1621", "T1110", "T1078.004"},
	}, recs)
	u := v.takeAt("US")
	ip := attackerIP(siteRU, 11)
	c.users(u)
	c.ips(ip)
	base := g.at(2.0/6, 1, 0)
	pattern := "DDNDDDNDDNDDDNDD"
	session := r.guid()
	for i, p := range pattern {
		t := base.Add(time.Duration(30+30*i) * time.Second)
		s := g.userSignIn(r, t, catInteractive, u, fpOfficeHome, fpOfficeHome, ip, siteRU, uaAttackerEdge, nil)
		s.session = session
		detail, note := mfaDeclined, "500121 MFA push declined"
		if p == 'N' {
			detail, note = mfaNoResponse, "500121 MFA push not answered"
		}
		s.fail(errMFAFailed, descMFAFailed, detail)
		c.signIn(s, []sinkSel{toAzure, toLACSV, toGraph, toEventHub}[i%4], note)
	}
	okAt := base.Add(9*time.Minute + 40*time.Second)
	s := g.userSignIn(r, okAt, catInteractive, u, fpOfficeHome, fpOfficeHome, ip, siteRU, uaAttackerEdge, nil)
	s.session = session
	s.mfaFresh()
	c.signIn(s, toAzure, "MFA approved: successful sign-in from the attacker's IP")

	u2 := v.take()
	c.users(u2)
	f := g.userSignIn(r, mins(okAt, 40), catInteractive, u2, fpOfficeHome, fpOfficeHome, ip, siteRU, uaAttackerEdge, nil)
	f.fail(errMFAFailed, descMFAFailed, mfaFraud)
	c.signIn(f, toLAJSON, "500121 MFA denied; Phone App Reported Fraud")
	return u, ip, okAt
}

// storyTokenReplay is S3: a stolen refresh token for one (user, app)
// replayed with scripted clients from three countries within a day.
func (g *generator) storyTokenReplay(r rng, v *victims, recs *[]rec) {
	c := g.story(r, &storyDef{
		ID: storyTokenReplay, Title: "Token replay: one user's Microsoft Office token used by scripts from three countries",
		Summary: "A refresh token of the victim's Microsoft Office client is stolen and replayed: fourteen non-interactive, single-factor, successful sign-ins to Microsoft Graph within 20 hours, with python-requests and curl user agents, from four IPs in the Netherlands, Singapore and Brazil, all in one session. Records are spread over every sign-in export, so the 24-hour correlation must join them.",
		Expected: expected{
			Implements: []string{"seed-004"},
			Detections: []string{"application access token abuse: > 10 non-interactive single-factor sign-ins with scripted user agents, >= 3 distinct IPs (HIGH)", "one session used from several IPs and ASNs"},
			Catalog:    []string{"§2.5", "§4 #14"},
		},
		Attack: []string{"T1550.001"},
	}, recs)
	u := v.takeAt("GB")
	c.users(u)
	c.apps(fpOffice.name, fpOffice.id)
	ips := []struct {
		ip netip.Addr
		at *site
	}{{attackerIP(siteNL, 3), siteNL}, {attackerIP(siteNL, 4), siteNL}, {attackerIP(siteSG, 5), siteSG}, {attackerIP(siteBR, 6), siteBR}}
	for _, x := range ips {
		c.ips(x.ip)
	}
	base := g.at(0.5, 6, 0)
	session := r.guid()
	outs := []sinkSel{toAzure, toGraph, toEventHub, toLACSV, toLAJSON}
	for i := range 14 {
		t := mins(base, float64(i)*85+float64(r.IntN(20)))
		x := ips[(i/2)%len(ips)]
		ag := uaPythonRequests
		if i%3 == 1 {
			ag = uaCurl
		}
		s := g.userSignIn(r, t, catNonInteractive, u, fpOffice, fpGraph, x.ip, x.at, ag, nil)
		s.singleClaim()
		s.session, s.incoming = session, "refreshToken"
		c.signIn(s, outs[i%len(outs)], "replayed token: non-interactive single-factor sign-in by "+ag.ua+" from "+x.at.Country)
	}
}
