package demo

import (
	"net/netip"
	"time"
)

// Background streams. Benign activity must not look like any story: user
// agents are browsers and Office clients, users sign in from their home
// site only, non-interactive sign-ins carry MFA claims, and the only
// non-interactive single-factor client is the allowlisted backup service.

func (g *generator) buildStreams() { g.startStreams(g.streamList()) }

// streamList returns every background stream.
func (g *generator) streamList() []*stream {
	var ss []*stream
	add := func(name string, vol volume, rate func(time.Time) float64, fire func(*generator, time.Time)) {
		ss = append(ss, &stream{name: name, vol: vol, rate: rate, fire: fire})
	}
	for _, u := range g.t.users {
		if u.service {
			continue
		}
		s := u.site
		add("interactive", volFixed, func(t time.Time) float64 { return workRate(s, t, 0.45, 0.05, 0.06, 0.004) },
			func(g *generator, t time.Time) { g.bgInteractive(u, t) })
		add("noninteractive", volSignIn, func(t time.Time) float64 { return workRate(s, t, 1.3, 0.2, 0.12, 0.05) },
			func(g *generator, t time.Time) { g.bgNonInteractive(u, t) })
		add("mail-sync", volBulk, func(t time.Time) float64 { return workRate(s, t, 0.35, 0.05, 0.02, 0) },
			func(g *generator, t time.Time) { g.bgMailSync(u, t) })
		add("mail-send", volBulk, func(t time.Time) float64 { return workRate(s, t, 0.25, 0.02, 0.01, 0) },
			func(g *generator, t time.Time) { g.bgSend(u, t) })
		add("files", volBulk, func(t time.Time) float64 { return workRate(s, t, 0.6, 0.03, 0.02, 0) },
			func(g *generator, t time.Time) { g.bgFile(u, t) })
	}
	hd := g.t.helpdesk.site
	add("helpdesk", volFixed, func(t time.Time) float64 { return businessRate(hd, t, 0.4) }, (*generator).bgHelpdesk)
	nyc := sites[0]
	add("sp-hr", volSignIn, func(t time.Time) float64 { return businessRate(nyc, t, 1) }, func(g *generator, t time.Time) {
		g.bgAppSignIn(t, g.t.hr, fpGraph, "clientSecret", g.t.hr.creds[0].keyID)
	})
	add("sp-payroll", volSignIn, func(t time.Time) float64 { return businessRate(nyc, t, 1) }, func(g *generator, t time.Time) {
		g.bgAppSignIn(t, g.t.payroll, fpKeyVault, "certificate", g.t.payroll.creds[0].keyID)
	})
	add("sp-servicenow", volSignIn, constRate(0.5), func(g *generator, t time.Time) {
		g.bgAppSignIn(t, g.t.servicenow, fpGraph, "clientSecret", "")
	})
	for i, m := range g.t.mis {
		res, rate := fpAzureStorage, 2.0
		if i == 1 {
			res, rate = fpServiceMgmt, 0.25
		}
		add("mi", volSignIn, constRate(rate), func(g *generator, t time.Time) {
			s := g.miSignIn(g.bg, t, m, res)
			g.emit(g.signInRec(g.bg, s, choose(g.bg, mixSignIn)))
		})
	}
	add("veeam", volFixed, func(t time.Time) float64 {
		h, _ := nyc.local(t)
		if h >= 1 && h < 4 {
			return 12
		}
		return 0
	}, (*generator).bgVeeam)
	g.cloudStreams(add)
	return ss
}

// userClient is a client app and the resource it signs in to.
type userClient struct {
	client, resource firstParty
	agent            agent // zero: the device's browser
}

var (
	desktopClients = []userClient{
		{fpOfficeHome, fpOfficeHome, agent{}},
		{fpOfficeHome, fpOfficeHome, agent{}},
		{fpOffice, fpExchange, uaOutlook},
		{fpTeams, fpTeamsServices, uaTeams},
		{fpOneDriveSync, fpSharePoint, uaOneDrive},
	}
	phoneClients = []userClient{
		{fpOutlookMobile, fpExchange, uaOutlookI},
		{fpOfficeHome, fpOfficeHome, agent{}},
	}
	refreshClients = []userClient{
		{fpOffice, fpGraph, uaOutlook},
		{fpOffice, fpExchange, uaOutlook},
		{fpTeams, fpTeamsServices, uaTeams},
		{fpTeams, fpGraph, uaTeams},
		{fpOneDriveSync, fpSharePoint, uaOneDrive},
	}
	adminClients = []userClient{
		{fpAzurePortal, fpServiceMgmt, agent{}},
		{fpAzureCLI, fpServiceMgmt, uaAzureCLI},
	}
)

// userDevice picks the device a user signs in from at t.
func (g *generator) userDevice(u *user, t time.Time, phoneP float64) (*device, bool) {
	_, wd := u.site.local(t)
	if wd == time.Saturday || wd == time.Sunday {
		phoneP = 0.7
	}
	if g.bg.chance(phoneP) {
		return &u.phone, true
	}
	return &u.desktop, false
}

// deviceSession is the sessionId of a user's sign-ins from one device on
// one (UTC) day: as in real logs, the sign-in that starts a browser or app
// session and the token refreshes that follow share it, so a session is
// seen from many sign-ins, not one.
func deviceSession(u *user, dev *device, t time.Time) string {
	return hashGUID("session", u.id, dev.id, t.UTC().Format(time.DateOnly))
}

func (g *generator) clientFor(u *user, phone bool, list []userClient) (userClient, agent) {
	r := g.bg
	var c userClient
	switch {
	case phone:
		c = pick(r, phoneClients)
	case u.department == "IT" && r.chance(0.2):
		c = pick(r, adminClients)
	default:
		c = pick(r, list)
	}
	ag := c.agent
	if ag == (agent{}) {
		if phone {
			ag = u.phone.agent
		} else {
			ag = u.desktop.agent
		}
	}
	if ag == uaOutlook && u.desktop.os == "MacOs" {
		ag = uaOutlookM
	}
	return c, ag
}

var mixInteractive = append(append([]weighted{}, mixSignIn...), weighted{toUAL, 3})

func (g *generator) bgInteractive(u *user, t time.Time) {
	r := g.bg
	dev, phone := g.userDevice(u, t, 0.2)
	c, ag := g.clientFor(u, phone, desktopClients)
	ip := u.ip
	if phone {
		ip = u.mobileIP
	}
	mk := func(at time.Time) *signIn {
		return g.userSignIn(r, at, catInteractive, u, c.client, c.resource, ip, u.site, ag, dev)
	}
	var first *signIn
	retry := time.Duration(0)
	switch roll := r.Float64(); {
	case roll < 0.02:
		first = mk(t)
		first.fail(errBadPassword, descBadPassword, detailBadPassword)
		retry = r.between(20*time.Second, 90*time.Second)
	case roll < 0.04:
		first = mk(t)
		first.fail(errStrongAuthReq, descStrongAuthReq, "MFA required in Azure AD")
		retry = r.between(15*time.Second, 60*time.Second)
	case roll < 0.05:
		first = mk(t)
		first.fail(errMFARequired, descMFARequired, "MFA required in Azure AD")
		retry = r.between(15*time.Second, 60*time.Second)
	}
	if first != nil {
		first.session = deviceSession(u, dev, t)
		g.emit(g.signInRec(r, first, choose(r, mixSignIn)))
		ok := mk(t.Add(retry).Truncate(100 * time.Nanosecond))
		ok.corr, ok.session = first.corr, first.session
		ok.mfaFresh()
		g.defer1(g.signInRec(r, ok, choose(r, mixSignIn)))
		return
	}
	s := mk(t)
	s.session = deviceSession(u, dev, t)
	if r.chance(0.4) {
		s.mfaFresh()
	} else {
		s.mfaClaim()
	}
	to := choose(r, mixSignIn)
	if !phone {
		to = choose(r, mixInteractive)
	}
	g.emit(g.signInRec(r, s, to))
}

func (g *generator) bgNonInteractive(u *user, t time.Time) {
	r := g.bg
	h, _ := u.site.local(t)
	dev, phone := g.userDevice(u, t, 0.15)
	if h < 7 || h >= 22 {
		dev, phone = &u.phone, true
	}
	c, ag := g.clientFor(u, phone, refreshClients)
	if c.client == fpOfficeHome {
		c = userClient{client: fpOutlookMobile, resource: fpExchange, agent: uaOutlookI}
		ag = uaOutlookI
	}
	if c.client == fpAzurePortal || c.client == fpAzureCLI {
		ag = u.desktop.agent
		c.client = fpAzurePortal
	}
	ip := u.ip
	if phone {
		ip = u.mobileIP
	}
	s := g.userSignIn(r, t, catNonInteractive, u, c.client, c.resource, ip, u.site, ag, dev)
	s.session = deviceSession(u, dev, t)
	s.mfaClaim()
	g.emit(g.signInRec(r, s, choose(r, mixSignIn)))
}

// bgAppSignIn is a service principal's routine client-credentials sign-in.
func (g *generator) bgAppSignIn(t time.Time, a *app, res firstParty, credType, keyID string) {
	at := siteAzure
	if a.kind == "third-party" {
		at = siteSaaS
	}
	s := g.appSignIn(g.bg, t, a, res, credType, keyID, a.ip, at)
	g.emit(g.signInRec(g.bg, s, choose(g.bg, mixSignIn)))
}

// bgVeeam is the backup service account's nightly mailbox and site backup:
// non-interactive, single-factor, to Exchange, SharePoint and Graph, from
// two backup servers (trap T1).
func (g *generator) bgVeeam(t time.Time) {
	r := g.bg
	v := g.t.veeam
	res := pick(r, []firstParty{fpExchange, fpExchange, fpSharePoint, fpGraph})
	ip := v.ip
	if r.chance(0.4) {
		ip = v.mobileIP
	}
	s := g.userSignIn(r, t, catNonInteractive, v, firstParty{g.t.veeamApp.appID, g.t.veeamApp.name}, res, ip, v.site, v.desktop.agent, &v.desktop)
	s.singleClaim()
	s.incoming = "refreshToken"
	g.emit(tagged(g.signInRec(r, s, choose(r, mixSignIn)), trapVeeam, "backup service non-interactive single-factor sign-in to "+res.name))
}

// bgHelpdesk is routine user administration by the service desk.
func (g *generator) bgHelpdesk(t time.Time) {
	r := g.bg
	hd := g.t.helpdesk
	reg := g.t.regular()
	u := pick(r, reg)
	a := g.newAudit(r, t, hd, hd.ip)
	a.details = [][2]string{{"User-Agent", hd.desktop.agent.ua}}
	switch r.IntN(3) {
	case 0:
		newTitle := u.jobTitle
		for _, d := range departments {
			if d.name == u.department {
				newTitle = pick(r, d.titles)
			}
		}
		a.activity, a.category, a.opType = "Update user", "UserManagement", "Update"
		a.targets = []target{{id: u.id, display: u.display, typ: "User", upn: u.upn, props: []modProp{
			{"JobTitle", `["` + u.jobTitle + `"]`, `["` + newTitle + `"]`},
			{"Included Updated Properties", "", q("JobTitle")},
			{"TargetId.UserType", "", q("Member")},
		}}}
		a.ualEventClass = "User"
	default:
		grp := pick(r, g.t.groups[2:])
		a.activity, a.category, a.opType = "Add member to group", "GroupManagement", "Add"
		if r.chance(0.35) {
			a.activity, a.opType = "Remove member from group", "Delete"
		}
		a.targets = []target{
			{id: u.id, display: u.display, typ: "User", upn: u.upn, props: []modProp{
				{"Group.ObjectID", "", q(grp.id)},
				{"Group.DisplayName", "", q(grp.name)},
			}},
			{id: grp.id, display: grp.name, typ: "Group"},
		}
		a.ualEventClass = "Group"
	}
	g.emit(g.auditRec(a, choose(r, mixAudit)))
}

// newAudit returns a Core Directory audit initiated by a user.
func (g *generator) newAudit(r rng, t time.Time, actor *user, ip netip.Addr) *directoryAudit {
	corr := r.guid()
	a := &directoryAudit{
		t: t, id: auditID(r, corr), corr: corr, ualID: r.guid(), intra: r.guid(),
		service: "Core Directory", result: "success", actor: actor,
		tenantID: g.t.id, ws: g.t.workspaceID, ualEventClass: "User", actorIP: ip,
	}
	return a
}
