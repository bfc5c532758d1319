package demo

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// user is one account in the tenant.
type user struct {
	id, upn, display, given, surname string
	jobTitle, department             string
	site                             *site
	ip                               netip.Addr // desktop (office or home broadband)
	mobileIP                         netip.Addr // phone (same country, IPv6)
	desktop, phone                   device
	roles                            []roleDef
	groups                           []*group
	service                          bool
	puid                             string // UAL UserKey / PUID
	created                          time.Time
}

// device is a registered device and the client it signs in with.
type device struct {
	id, name, os, trust string
	compliant, managed  bool
	agent               agent
}

type group struct{ id, name string }

// cred is an application credential (passwordCredential or keyCredential).
type cred struct {
	keyID, name, hint, kind string // kind: Password or AsymmetricX509Cert
	start, end              time.Time
}

// appRole is an app role an API exposes.
type appRole struct{ id, value, display string }

// app is an application registration with its service principal, or a
// foreign multi-tenant app with only a service principal here.
type app struct {
	appID, objectID, spID, name string
	ownerTenant, publisher      string
	kind                        string // tenant, third-party, malicious
	redirects                   []string
	logoutURL                   string
	identifierURIs              []string
	creds                       []cred
	roles                       []appRole
	ip                          netip.Addr // where its service principal signs in from
	allowlisted                 bool
	notes                       string
	created                     time.Time
}

// managedIdentity is a system-assigned managed identity.
type managedIdentity struct {
	name, appID, spID, resourceID, resource string
	ip                                      netip.Addr
}

// roleObject is an activated directory role's object ID in this tenant.
type roleObject struct {
	role roleDef
	id   string
}

// allRoles are the directory roles the tenant uses, in a fixed order.
var allRoles = []roleDef{roleGlobalAdmin, rolePrivRoleAdmin, roleAppAdmin, roleCloudAppAdmin, roleExchangeAdmin, roleCAAdmin, roleSecurityAdmin, roleHelpdesk, roleUserAdmin}

// roleID returns the tenant's object ID of a directory role.
func (t *tenant) roleID(r roleDef) string {
	for _, o := range t.roleObjects {
		if o.role == r {
			return o.id
		}
	}
	panic("demo: no role " + r.name)
}

// fpSP is a first-party service principal's object ID in this tenant.
type fpSP struct {
	app  firstParty
	spID string
}

// tenant is the example organisation.
type tenant struct {
	id, name, domain, initialDomain string
	workspaceID                     string // Log Analytics workspace (TenantId column)
	users                           []*user
	groups                          []*group
	apps                            []*app
	mis                             []*managedIdentity
	firstParty                      []fpSP
	msiSPID                         string // the "Managed Service Identity" first-party SP
	roleObjects                     []roleObject

	// Named accounts the stories and the routine work use.
	globalAdmin, helpdesk, appAdmin, exchangeAdmin, secAdmin, sysAdmin, veeam *user
	hr, payroll, veeamApp, servicenow                                         *app

	subscription, resourceGroup string
	vault                       vault
	aws                         awsAccount
	k8s                         cluster
}

type vault struct {
	name, resourceID string
	secrets          []string
}

type awsAccount struct {
	id, region     string
	ciUser         string // IAM user the CI system uses
	engineer       string // IAM user of an engineer (S5's leaked key)
	engineerUser   *user
	buckets, roles []string
	ciIP           netip.Addr
	ciPrincipal    string // AIDA… principal IDs and AKIA… access keys
	ciKey          string
	engPrincipal   string
	engKey         string
	rolePrincipal  map[string]string // role name -> AROA… ID
}

type cluster struct {
	name    string
	nodes   []string
	nodeIPs []netip.Addr
}

var firstNames = []string{"Avery", "Blake", "Camila", "Dmitri", "Elena", "Farah", "Gavin", "Hannah", "Isaac", "Jun", "Keira", "Liam", "Maya", "Nikhil", "Olivia", "Pedro", "Quinn", "Rosa", "Samir", "Tara", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Chloe", "Diego", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Kavya", "Lucas", "Mila", "Noah", "Omar", "Priya", "Ravi", "Sofia", "Tomas", "Ulrich", "Vera", "Will", "Yara", "Zane", "Anika", "Ben", "Clara", "Daniel", "Esther", "Finn", "Gita", "Henrik", "Ivy", "Jasper", "Kenji", "Lena", "Marco", "Nora"}

var lastNames = []string{"Adams", "Bauer", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Iyer", "Jensen", "Kowalski", "Lopez", "Murphy", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Turner", "Usman", "Varga", "Walsh", "Xu", "Young", "Zimmer", "Ahmed", "Brown", "Costa", "Diaz", "Eriksen", "Fernandez", "Gupta", "Hoffmann", "Ito", "Johnson", "Kim", "Larsen", "Meyer", "Novak", "Olsen", "Park", "Reddy", "Silva", "Tanaka", "Ueda", "Vogel", "Wagner", "Yilmaz", "Zhang", "Anderson", "Becker", "Clarke", "Dawson", "Ellis", "Foster", "Graham", "Hall", "Ingram", "Jones", "Khan", "Lee", "Mills", "Nash"}

var departments = []struct {
	name   string
	titles []string
}{
	{"Engineering", []string{"Software Engineer", "Senior Software Engineer", "Engineering Manager", "DevOps Engineer", "QA Engineer"}},
	{"Sales", []string{"Account Executive", "Sales Manager", "Sales Development Representative"}},
	{"Finance", []string{"Financial Analyst", "Accountant", "Finance Director", "Payroll Specialist"}},
	{"Human Resources", []string{"HR Generalist", "Recruiter", "HR Business Partner"}},
	{"Marketing", []string{"Marketing Specialist", "Content Strategist", "Marketing Manager"}},
	{"Legal", []string{"Legal Counsel", "Paralegal"}},
	{"Operations", []string{"Operations Manager", "Office Administrator", "Procurement Specialist"}},
}

// admins are the first accounts of every tenant: title, site, roles.
var admins = []struct {
	title string
	site  int
	roles []roleDef
}{
	{"IT Director", 0, []roleDef{roleGlobalAdmin}},
	{"Service Desk Analyst", 2, []roleDef{roleHelpdesk, roleUserAdmin}},
	{"Cloud Engineer", 3, []roleDef{roleAppAdmin, roleCloudAppAdmin}},
	{"Messaging Administrator", 1, []roleDef{roleExchangeAdmin}},
	{"Security Engineer", 4, []roleDef{roleSecurityAdmin, roleCAAdmin}},
	{"Systems Administrator", 0, []roleDef{rolePrivRoleAdmin}},
}

// minUsers is the smallest tenant the stories fit in.
const minUsers = 20

// newTenant builds the organisation from its own random stream.
func newTenant(r rng, users int, start time.Time) *tenant {
	t := &tenant{
		name:          "Contoso Ltd",
		domain:        "contoso.example",
		initialDomain: "contoso.onmicrosoft.example",
		id:            r.guid(),
		workspaceID:   r.guid(),
		msiSPID:       r.guid(),
		subscription:  r.guid(),
		resourceGroup: "rg-contoso-prod",
	}
	for _, fp := range []firstParty{fpGraph, fpExchange, fpSharePoint, fpAADGraph, fpAzurePortal, fpServiceMgmt, fpOffice, fpOfficeHome, fpTeams, fpTeamsServices, fpOutlookMobile, fpOneDriveSync, fpAzureCLI, fpBroker, fpKeyVault, fpAzureStorage} {
		t.firstParty = append(t.firstParty, fpSP{fp, r.guid()})
	}
	for _, role := range allRoles {
		t.roleObjects = append(t.roleObjects, roleObject{role, r.guid()})
	}
	for _, name := range []string{"All Staff", "IT Admins", "VPN Users", "Finance-Payroll", "Engineering", "Sales", "Finance", "Human Resources", "Marketing", "Legal", "Operations"} {
		t.groups = append(t.groups, &group{id: r.guid(), name: name})
	}
	t.buildUsers(r, users, start)
	t.buildApps(r, start)
	t.buildInfra(r)
	return t
}

func (t *tenant) group(name string) *group {
	for _, g := range t.groups {
		if g.name == name {
			return g
		}
	}
	panic("demo: no group " + name)
}

// spOf returns the tenant's service principal object ID of a first-party app.
func (t *tenant) spOf(fp firstParty) string {
	for _, s := range t.firstParty {
		if s.app.id == fp.id {
			return s.spID
		}
	}
	panic("demo: no first-party service principal " + fp.name)
}

func (t *tenant) buildUsers(r rng, n int, start time.Time) {
	perm := r.Perm(len(firstNames) * len(lastNames))
	weights := []int{30, 20, 20, 15, 15} // sites
	hostNext := make([]int, len(sites))
	for i := range n {
		p := perm[i%len(perm)]
		given, surname := firstNames[p%len(firstNames)], lastNames[p/len(firstNames)]
		local := strings.ToLower(given + "." + surname)
		if i >= len(perm) {
			local += strconv.Itoa(i / len(perm))
		}
		u := &user{
			id:      r.guid(),
			given:   given,
			surname: surname,
			display: given + " " + surname,
			upn:     local + "@" + t.domain,
			puid:    "1003" + r.hexID(6),
			created: start.AddDate(0, 0, -30-r.IntN(900)),
		}
		siteIdx := 0
		if i < len(admins) {
			a := admins[i]
			u.jobTitle, u.department, u.roles, siteIdx = a.title, "IT", a.roles, a.site
		} else {
			d := departments[r.IntN(len(departments))]
			u.department, u.jobTitle = d.name, pick(r, d.titles)
			roll, acc := r.IntN(100), 0
			for j, w := range weights {
				if acc += w; roll < acc {
					siteIdx = j
					break
				}
			}
		}
		u.site = sites[siteIdx]
		hostNext[siteIdx]++
		size := 1 << (32 - u.site.v4.Bits())
		if hostNext[siteIdx] < size-4 { // the last hosts are reserved for servers
			u.ip = hostIn(u.site.v4, hostNext[siteIdx])
		} else {
			u.ip = hostIn(u.site.v6, 0x1000+hostNext[siteIdx])
		}
		u.mobileIP = hostIn(u.site.v6, 0x2000+i)
		u.desktop, u.phone = t.devices(r, i, u.department)
		u.groups = []*group{t.group("All Staff")}
		if u.department == "IT" {
			u.groups = append(u.groups, t.group("IT Admins"), t.group("VPN Users"))
		} else {
			u.groups = append(u.groups, t.group(u.department))
			if r.chance(0.3) {
				u.groups = append(u.groups, t.group("VPN Users"))
			}
		}
		t.users = append(t.users, u)
	}
	t.globalAdmin, t.helpdesk, t.appAdmin = t.users[0], t.users[1], t.users[2]
	t.exchangeAdmin, t.secAdmin, t.sysAdmin = t.users[3], t.users[4], t.users[5]

	nyc := sites[0]
	veeam := &user{
		id: r.guid(), given: "Veeam", surname: "Backup", display: "Veeam Backup Service",
		upn: "svc-veeam@" + t.domain, puid: "1003" + r.hexID(6), service: true,
		jobTitle: "Service account", department: "IT", site: nyc,
		ip:      hostIn(nyc.v4, 29),
		created: start.AddDate(-1, 0, 0),
		groups:  []*group{t.group("IT Admins")},
	}
	veeam.mobileIP = hostIn(nyc.v4, 30) // the backup proxy
	veeam.desktop = device{os: "Windows Server 2022", agent: agent{ua: "", browser: "", client: "Mobile Apps and Desktop clients"}}
	t.veeam = veeam
	t.users = append(t.users, veeam)
}

func (t *tenant) devices(r rng, i int, dept string) (device, device) {
	d := device{
		id: r.guid(), name: fmt.Sprintf("CONTOSO-LT-%04d", 100+i),
		os: "Windows10", trust: "Azure AD joined", compliant: true, managed: true, agent: uaEdgeWin,
	}
	if dept == "Engineering" && r.chance(0.5) || dept == "Marketing" && r.chance(0.4) {
		d.name = fmt.Sprintf("CONTOSO-MB-%04d", 100+i)
		d.os, d.trust, d.agent = "MacOs", "Azure AD registered", uaChromeMac
	}
	ph := device{id: r.guid(), name: "iPhone", os: "Ios", trust: "Azure AD registered", compliant: true, managed: true, agent: uaSafariIOS}
	return d, ph
}

// regular returns the accounts that are neither admins nor service accounts.
func (t *tenant) regular() []*user {
	var out []*user
	for _, u := range t.users[len(admins):] {
		if !u.service {
			out = append(out, u)
		}
	}
	return out
}

// localHour returns the hour (with fraction) and weekday of t at the site.
func (s *site) local(t time.Time) (float64, time.Weekday) {
	l := t.UTC().Add(time.Duration(s.OffsetMin) * time.Minute)
	return float64(l.Hour()) + float64(l.Minute())/60, l.Weekday()
}

// businessHours reports whether t is within 08:00-18:00 Monday-Friday at s.
func (s *site) businessHours(t time.Time) bool {
	h, wd := s.local(t)
	return wd != time.Saturday && wd != time.Sunday && h >= 8 && h < 18
}
